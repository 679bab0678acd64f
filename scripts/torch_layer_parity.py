#!/usr/bin/env python3
"""One DeepNetworks layer against its PyTorch counterpart (used by Tests/DeepNetworksTests).

Reads from the folder given as the first argument: layer.json (kind and sizes),
before.safetensors (the layer's parameters and buffers, `input.x`, `input.r`) and
after.safetensors (ptv's `out.y` = layer(x) in training mode, `grad.input` = ∂Σ(r⊙y)/∂x and
`grad.<name>` for each parameter). Runs the same in torch and prints the largest relative
difference of each; exit 0 when all are within 1e-4, 1 otherwise, 3 without torch.
"""
import json
import os
import sys

try:
    import torch
    from torch import nn
except ImportError:
    print("torch is not importable")
    sys.exit(3)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_parity import read_safetensors, relative  # noqa: E402
from torch_resnet import Attention  # noqa: E402


class Pool(nn.Module):
    def forward(self, x):
        return x.mean(dim=(2, 3))


def layer(spec):
    kind = spec["kind"]
    if kind == "conv":
        return nn.Conv2d(spec["inputs"], spec["outputs"], spec["kernel"], spec["stride"], spec["padding"], bias=False)
    if kind == "batchnorm":
        return nn.BatchNorm2d(spec["channels"])
    if kind == "linear":
        return nn.Linear(spec["inputs"], spec["outputs"])
    if kind == "layernorm":
        return nn.LayerNorm(spec["width"], eps=1e-6)
    if kind == "attention":
        return Attention(spec["width"], spec["heads"])
    if kind == "gelu":
        return nn.GELU()
    if kind == "relu":
        return nn.ReLU()
    if kind == "pool":
        return Pool()
    raise ValueError(kind)


def main():
    folder = sys.argv[1]
    spec = json.load(open(f"{folder}/layer.json"))
    before = read_safetensors(f"{folder}/before.safetensors")
    after = read_safetensors(f"{folder}/after.safetensors")
    module = layer(spec)
    state = {name: torch.from_numpy(before[name]) for name in module.state_dict() if not name.endswith("num_batches_tracked")}
    module.load_state_dict(state, strict=False)
    module.train()
    x = torch.from_numpy(before["input.x"]).requires_grad_(True)
    y = module(x)
    (y * torch.from_numpy(before["input.r"])).sum().backward()
    worst = {"output": relative(after["out.y"], y.detach().numpy()), "input gradient": relative(after["grad.input"], x.grad.numpy())}
    for name, parameter in module.named_parameters():
        worst[f"gradient of {name}"] = relative(after[f"grad.{name}"], parameter.grad.numpy())
    for name, value in worst.items():
        print(f"{spec['kind']} {name}: {value:.3e}")
    sys.exit(0 if all(v <= 1e-4 for v in worst.values()) else 1)


if __name__ == "__main__":
    main()
