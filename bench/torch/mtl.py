#!/usr/bin/env python3
"""PyTorch twin of the bench's default multi-task model (bench/model.ts, lib/model), printing the same JSON keys.

The architecture of `buildModel({})`: 969,139 trainable parameters (asserted), input [4, 1, 128, 128] (NCHW).
Encoder: stem conv3x3 1->16, four stages of 16/32/64/128 channels at 128/64/32/16 px (2x2 max pooling between them),
each a residual ConvBlock (conv3x3-BN-ReLU, conv3x3-BN, + identity or 1x1 projection without bias, ReLU); a CSA
module on stages 2 and 3 (2 and 4 heads, key/value reduction 4 and 2 by one shared strided depthwise conv, LayerNorm
pre-norm, feed-forward 1x1 - depthwise 3x3 - GELU - 1x1 at expansion 2). Decoder: per scale a 2x2/stride-2 transposed
conv with bias, skip concatenation, residual ConvBlock; 1x1 head to one GTV logit. Classifier (hybrid): conv3x3
stride 2 - BN - ReLU on the 16x16 bottleneck, 64 tokens + class token + positional embedding, one pre-norm
Transformer block (4 heads, MLP ratio 2, GELU), LayerNorm - dropout 0.1 - linear to 2 logits.
Losses: soft Dice (smooth 1, per sample) + BCE on the GTV logits; cross-entropy over the slices with tumour;
uncertainty weighting exp(-s_t) c_t L_t + s_t / 2 (c = 0.5 seg, 1 cls) with learnable s_t; Adam lr 1e-3 (tfjs's
epsilon 1e-7) on the network and s_t. The batch is the TypeScript bench's: normal noise, mask = 9x9 mean > 0.15,
labels 0, 1, 0, 1. The forward pass is in inference mode (running statistics, no dropout), as `model.predict`.

A performance reference only (Debian: apt-get install -y python3-torch), never a dependency of the library.
Run: /usr/bin/python3 bench/torch/mtl.py [--threads N] [--warmup N] [--steps N]
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from twin import ConvNormAct, parse_args, report, same_pad

# bench/model.ts reports it as mtl_params; the test checks both twins against the TypeScript model.
EXPECTED_PARAMS = 969139


class ConvBlock(nn.Module):
    """act(norm(conv(act(norm(conv(x))))) + shortcut(x)), shortcut the identity or a 1x1 projection without bias."""

    def __init__(self, cin, cout):
        super().__init__()
        self.first = ConvNormAct(cin, cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.norm2 = nn.BatchNorm2d(cout, eps=1e-5)
        self.shortcut = nn.Conv2d(cin, cout, 1, bias=False) if cin != cout else nn.Identity()

    def forward(self, x):
        return F.relu(self.norm2(self.conv2(self.first(x))) + self.shortcut(x))


def attention(q, k, v, heads):
    """softmax(Q K^T / sqrt(d)) V per head on [B, N, C] queries and [B, M, C] keys and values."""
    b, n, c = q.shape
    m = k.shape[1]
    d = c // heads
    qh = (q * (1 / math.sqrt(d))).reshape(b, n, heads, d).transpose(1, 2)
    kh = k.reshape(b, m, heads, d).transpose(1, 2)
    vh = v.reshape(b, m, heads, d).transpose(1, 2)
    out = torch.softmax(qh @ kh.transpose(-1, -2), dim=-1) @ vh
    return out.transpose(1, 2).reshape(b, n, c)


def channel_norm(norm, x):
    """LayerNorm over the channels of every pixel of an NCHW map."""
    return norm(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


class Csa(nn.Module):
    """x + proj(MHSA(pw_q(dw_q(n1 x)), pw_k(dw_kv(n1 x)), pw_v(dw_kv(n1 x)))), then + fc2(gelu(dw(fc1(n2 .))))."""

    def __init__(self, c, heads, reduction, expansion=2):
        super().__init__()
        self.heads = heads
        self.kv_kernel, self.reduction = max(3, reduction), reduction
        self.norm1 = nn.LayerNorm(c, eps=1e-5)
        self.q_dw = nn.Conv2d(c, c, 3, padding=1, groups=c, bias=False)
        self.q_pw = nn.Conv2d(c, c, 1)
        self.kv_dw = nn.Conv2d(c, c, self.kv_kernel, stride=reduction, groups=c, bias=False)
        self.k_pw = nn.Conv2d(c, c, 1)
        self.v_pw = nn.Conv2d(c, c, 1)
        self.proj = nn.Conv2d(c, c, 1)
        self.norm2 = nn.LayerNorm(c, eps=1e-5)
        self.fc1 = nn.Conv2d(c, c * expansion, 1)
        self.ffn_dw = nn.Conv2d(c * expansion, c * expansion, 3, padding=1, groups=c * expansion)
        self.fc2 = nn.Conv2d(c * expansion, c, 1)

    def forward(self, x):
        b, c, h, w = x.shape
        xn = channel_norm(self.norm1, x)
        q = self.q_pw(self.q_dw(xn)).flatten(2).transpose(1, 2)
        reduced = self.kv_dw(same_pad(xn, self.kv_kernel, self.reduction))
        k = self.k_pw(reduced).flatten(2).transpose(1, 2)
        v = self.v_pw(reduced).flatten(2).transpose(1, 2)
        attended = attention(q, k, v, self.heads).transpose(1, 2).reshape(b, c, h, w)
        y = x + self.proj(attended)
        return y + self.fc2(F.gelu(self.ffn_dw(self.fc1(channel_norm(self.norm2, y)))))


class TransformerBlock(nn.Module):
    """Pre-norm ViT block on [B, T, D]: x + proj(MHSA(LN x)), then + fc2(gelu(fc1(LN .)))."""

    def __init__(self, dim, heads=4, mlp_ratio=2):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(dim, eps=1e-5)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim, eps=1e-5)
        self.fc1 = nn.Linear(dim, dim * mlp_ratio)
        self.fc2 = nn.Linear(dim * mlp_ratio, dim)

    def forward(self, x):
        q, k, v = self.qkv(self.norm1(x)).chunk(3, dim=-1)
        y = x + self.proj(attention(q, k, v, self.heads))
        return y + self.fc2(F.gelu(self.fc1(self.norm2(y))))


class MultiTaskModel(nn.Module):
    def __init__(self, base=16, stages=4, size=128, csa=(False, False, True, True), heads=(1, 1, 2, 4), classes=2):
        super().__init__()
        channels = [base * 2 ** s for s in range(stages)]
        self.stem = ConvNormAct(1, base)
        self.blocks = nn.ModuleList(ConvBlock(channels[max(0, s - 1)], channels[s]) for s in range(stages))
        self.csa = nn.ModuleList(
            Csa(channels[s], heads[s], 2 ** (stages - s)) if csa[s] else nn.Identity() for s in range(stages))
        self.ups = nn.ModuleList(nn.ConvTranspose2d(channels[s + 1], channels[s], 2, stride=2) for s in range(stages - 1))
        self.dec = nn.ModuleList(ConvBlock(2 * channels[s], channels[s]) for s in range(stages - 1))
        self.seg_head = nn.Conv2d(base, 1, 1)
        d = channels[-1]
        tokens = (size // 2 ** (stages - 1) // 2) ** 2
        self.local = ConvNormAct(d, d, stride=2)
        self.class_token = nn.Parameter(torch.randn(1, 1, d) * 0.02)
        self.position = nn.Parameter(torch.randn(1, 1 + tokens, d) * 0.02)
        self.transformer = TransformerBlock(d)
        self.head_norm = nn.LayerNorm(d, eps=1e-5)
        self.cls_head = nn.Linear(d, classes)

    def forward(self, x):
        features = []
        h = self.stem(x)
        for s, (block, csa) in enumerate(zip(self.blocks, self.csa)):
            if s > 0:
                h = F.max_pool2d(h, 2)
            h = csa(block(h))
            features.append(h)
        y = features[-1]
        for s in range(len(self.dec) - 1, -1, -1):
            y = self.dec[s](torch.cat([self.ups[s](y), features[s]], dim=1))
        seg = self.seg_head(y)
        tokens = self.local(features[-1]).flatten(2).transpose(1, 2)
        t = torch.cat([self.class_token.expand(x.shape[0], -1, -1), tokens], dim=1) + self.position
        t = self.transformer(t)
        cls = self.cls_head(F.dropout(self.head_norm(t[:, 0]), 0.1, self.training))
        return seg, cls


def soft_dice_loss(logits, target, smooth=1.0):
    p = torch.sigmoid(logits)
    inter = (p * target).sum(dim=(1, 2, 3))
    dice = (2 * inter + smooth) / (p.sum(dim=(1, 2, 3)) + target.sum(dim=(1, 2, 3)) + smooth)
    return (1 - dice).mean()


def task_losses(seg, cls, mask, labels):
    """Dice + BCE on the GTV logits; cross-entropy averaged over the slices with tumour (0 when there are none)."""
    seg_loss = soft_dice_loss(seg, mask) + F.binary_cross_entropy_with_logits(seg, mask)
    tumour = (mask.sum(dim=(1, 2, 3)) >= 1).float()
    cls_loss = (F.cross_entropy(cls, labels, reduction='none') * tumour).sum() / tumour.sum().clamp_min(1e-8)
    return seg_loss, cls_loss


def main():
    args = parse_args(__doc__.splitlines()[0])
    torch.manual_seed(1)
    batch, size = 4, 128
    model = MultiTaskModel(size=size)
    params = sum(p.numel() for p in model.parameters())
    assert params == EXPECTED_PARAMS, f'the twin has {params} parameters, the TypeScript model {EXPECTED_PARAMS}'
    log_variance = nn.Parameter(torch.zeros(2))
    scale = torch.tensor([0.5, 1.0])
    x = torch.randn(batch, 1, size, size)
    mask = (F.avg_pool2d(x, 9, stride=1, padding=4, count_include_pad=False) > 0.15).float()
    labels = torch.arange(batch) % 2
    optimizer = torch.optim.Adam([*model.parameters(), log_variance], lr=1e-3, eps=1e-7)

    def train_step():
        model.train()
        optimizer.zero_grad(set_to_none=True)
        seg, cls = model(x)
        losses = torch.stack(task_losses(seg, cls, mask, labels))
        total = (torch.exp(-log_variance) * scale * losses + log_variance / 2).sum()
        total.backward()
        optimizer.step()
        total.item()

    def forward_step():
        model.eval()
        with torch.no_grad():
            seg, cls = model(x)
            seg.sum().item()
            cls.sum().item()

    report('mtl_b4_128', train_step, forward_step, args, {'mtl_params': params})


if __name__ == '__main__':
    main()
