#!/usr/bin/env python3
"""Independent check of DeepNetworks against PyTorch (used by Tests/DeepNetworksTests).

Reads, from the folder given as the first argument:
  model.json          the network's description (family resnet: block, stem, stages; family
                      vit: patch, width, heads, depth, mlp_ratio, side; both: channels, classes),
                      the SGD settings of the step and the names of the decaying parameters;
  before.safetensors  the network's parameters and buffers before the step, and the batch
                      (`input.images`, `input.labels` as float32);
  after.safetensors   what ptv computed: `out.logits`, `out.loss`, `grad.<name>` for every
                      parameter, and `step.<name>`, the parameters after one SGD step.
Builds the same network in torch (names as torchvision's), runs the same forward pass in
training mode, backward pass and SGD step, and prints the largest relative difference of
each compared quantity. Exit 0 when all are within 1e-4 (relative to the largest entry of
the quantity), 1 otherwise, 3 when torch is not importable.
"""
import json
import struct
import sys

import numpy as np

try:
    import torch
    from torch import nn
except ImportError:
    print("torch is not importable")
    sys.exit(3)

sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(__file__)))


def read_safetensors(path):
    data = open(path, "rb").read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    start = 8 + length
    arrays = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        assert entry["dtype"] == "F32"
        begin, end = entry["data_offsets"]
        arrays[name] = np.frombuffer(data[start + begin:start + end], dtype="<f4").reshape(entry["shape"]).copy()
    return arrays


from torch_resnet import network  # noqa: E402  (after the import check above)


def relative(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-12))


def main():
    folder = sys.argv[1]
    description = json.load(open(f"{folder}/model.json"))
    before = read_safetensors(f"{folder}/before.safetensors")
    after = read_safetensors(f"{folder}/after.safetensors")
    torch.manual_seed(0)
    model = network(description)
    state = model.state_dict()
    loaded = {}
    for name in state:
        if name.endswith("num_batches_tracked"):
            continue
        loaded[name] = torch.from_numpy(before[name])
    missing = model.load_state_dict(loaded, strict=False)
    assert all(k.endswith("num_batches_tracked") for k in missing.missing_keys), missing
    model.train()
    images = torch.from_numpy(before["input.images"])
    labels = torch.from_numpy(before["input.labels"]).long()
    logits = model(images)
    loss = nn.functional.cross_entropy(logits, labels)
    loss.backward()
    worst = {"logits": relative(after["out.logits"], logits.detach().numpy()),
             "loss": relative(after["out.loss"], loss.detach().numpy().reshape(1))}
    grads = [relative(after[f"grad.{n}"], p.grad.numpy()) for n, p in model.named_parameters()]
    worst["gradients (max over parameters)"] = max(grads)
    decaying = set(description["decay"])
    decay = [p for n, p in model.named_parameters() if n in decaying]
    ids = {id(p) for p in decay}
    rest = [p for p in model.parameters() if id(p) not in ids]
    sgd = torch.optim.SGD([{"params": decay, "weight_decay": description["weight_decay"]}, {"params": rest, "weight_decay": 0}],
                          lr=description["learning_rate"], momentum=description["momentum"])
    sgd.step()
    worst["parameters after one SGD step"] = max(relative(after[f"step.{n}"], p.detach().numpy()) for n, p in model.named_parameters())
    buffers = {n: b.numpy() for n, b in model.named_buffers() if not n.endswith("num_batches_tracked")}
    if buffers:
        worst["running statistics"] = max(relative(after[f"step.{n}"], b) for n, b in buffers.items())
    for name, value in worst.items():
        print(f"{name}: {value:.3e}")
    sys.exit(0 if all(v <= 1e-4 for v in worst.values()) else 1)


if __name__ == "__main__":
    main()
