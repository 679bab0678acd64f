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


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)

    def forward(self, x):
        n, t, d = x.shape
        qkv = self.qkv(x).reshape(n, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attention = torch.softmax(q @ k.transpose(-2, -1) / (d // self.heads) ** 0.5, dim=-1)
        return self.proj((attention @ v).transpose(1, 2).reshape(n, t, d))


class Mlp(nn.Module):
    def __init__(self, width, hidden):
        super().__init__()
        self.fc1 = nn.Linear(width, hidden)
        self.fc2 = nn.Linear(hidden, width)

    def forward(self, x):
        return self.fc2(nn.functional.gelu(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, width, heads, ratio):
        super().__init__()
        self.norm1 = nn.LayerNorm(width, eps=1e-6)
        self.attn = Attention(width, heads)
        self.norm2 = nn.LayerNorm(width, eps=1e-6)
        self.mlp = Mlp(width, ratio * width)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, channels, patch, width):
        super().__init__()
        self.proj = nn.Conv2d(channels, width, patch, patch)


class ViT(nn.Module):
    """The ViT family of Sources/DeepNetworks/Transformer.swift, named as timm names it."""

    def __init__(self, description):
        super().__init__()
        width, side, patch = description["width"], description["side"], description["patch"]
        self.patch_embed = PatchEmbed(description["channels"], patch, width)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, width))
        self.pos_embed = nn.Parameter(torch.zeros(1, 1 + (side // patch) ** 2, width))
        self.blocks = nn.ModuleList([Block(width, description["heads"], description["mlp_ratio"]) for _ in range(description["depth"])])
        self.norm = nn.LayerNorm(width, eps=1e-6)
        self.head = nn.Linear(width, description["classes"])

    def forward(self, x):
        tokens = self.patch_embed.proj(x).flatten(2).transpose(1, 2)
        tokens = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), tokens], dim=1) + self.pos_embed
        for block in self.blocks:
            tokens = block(tokens)
        return self.head(self.norm(tokens)[:, 0])


def network(description):
    """The torch network of a description: family `resnet` (default) or `vit`."""
    return ViT(description) if description.get("family") == "vit" else ResNet(description)
