#!/usr/bin/env python3
"""Training throughput of a DeepNetworks ResNet description in PyTorch (for `ptv bench`).

Usage: torch_bench.py DESCRIPTION_JSON THREADS BATCH STEPS. The description is as in
scripts/torch_parity.py (block, stem, stages, channels, classes) plus the image size `side`.
Runs 3 warm-up steps and then STEPS steps of SGD (momentum 0.9, weight decay 5e-4) on one
random batch, and prints the training images per second. Exit 3 when torch is not importable.
"""
import json
import os
import sys
import time

try:
    import torch
    from torch import nn
except ImportError:
    print("torch is not importable")
    sys.exit(3)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_resnet import network  # noqa: E402

description = json.loads(sys.argv[1])
torch.set_num_threads(int(sys.argv[2]))
batch, steps = int(sys.argv[3]), int(sys.argv[4])
torch.manual_seed(0)
model = network(description)
model.train()
optimiser = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
images = torch.randn(batch, description["channels"], description["side"], description["side"])
labels = torch.randint(0, description["classes"], (batch,))


def step():
    optimiser.zero_grad()
    nn.functional.cross_entropy(model(images), labels).backward()
    optimiser.step()


for _ in range(3):
    step()
start = time.perf_counter()
for _ in range(steps):
    step()
print(f"{batch * steps / (time.perf_counter() - start):.1f}")
