"""The ResNet family of DeepNetworks (Sources/DeepNetworks/ResNet.swift) in PyTorch, with the
same parameter names: the reference for scripts/torch_parity.py and scripts/torch_bench.py."""
import torch
from torch import nn


class Basic(nn.Module):
    def __init__(self, inputs, outputs, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inputs, outputs, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(outputs)
        self.conv2 = nn.Conv2d(outputs, outputs, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(outputs)
        self.downsample = None
        if stride != 1 or inputs != outputs:
            self.downsample = nn.Sequential(nn.Conv2d(inputs, outputs, 1, stride, 0, bias=False), nn.BatchNorm2d(outputs))

    def forward(self, x):
        y = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return torch.relu(y + (self.downsample(x) if self.downsample is not None else x))


class Bottleneck(nn.Module):
    def __init__(self, inputs, width, stride):
        super().__init__()
        outputs = 4 * width
        self.conv1 = nn.Conv2d(inputs, width, 1, 1, 0, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, outputs, 1, 1, 0, bias=False)
        self.bn3 = nn.BatchNorm2d(outputs)
        self.downsample = None
        if stride != 1 or inputs != outputs:
            self.downsample = nn.Sequential(nn.Conv2d(inputs, outputs, 1, stride, 0, bias=False), nn.BatchNorm2d(outputs))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = torch.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return torch.relu(y + (self.downsample(x) if self.downsample is not None else x))


class ResNet(nn.Module):
    def __init__(self, description):
        super().__init__()
        stem = description["stem"]
        self.stem = nn.Module()
        self.stem.conv = nn.Conv2d(description["channels"], stem, 3, 1, 1, bias=False)
        self.stem.bn = nn.BatchNorm2d(stem)
        width = stem
        self.stages = []
        for s, stage in enumerate(description["stages"]):
            blocks = nn.Module()
            for b in range(stage["blocks"]):
                stride = stage["stride"] if b == 0 else 1
                if description["block"] == "basic":
                    block = Basic(width, stage["width"], stride)
                    width = stage["width"]
                else:
                    block = Bottleneck(width, stage["width"], stride)
                    width = 4 * stage["width"]
                setattr(blocks, f"block{b}", block)
            setattr(self, f"stage{s + 1}", blocks)
            self.stages.append((blocks, stage["blocks"]))
        self.fc = nn.Linear(width, description["classes"])

    def forward(self, x):
        x = torch.relu(self.stem.bn(self.stem.conv(x)))
        for blocks, count in self.stages:
            for b in range(count):
                x = getattr(blocks, f"block{b}")(x)
        return self.fc(x.mean(dim=(2, 3)))
