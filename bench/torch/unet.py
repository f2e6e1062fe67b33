#!/usr/bin/env python3
"""PyTorch twin of the bench's reference U-Net (bench/reference-unet.ts), printing the same JSON keys.

Input [4, 1, 128, 128] (NCHW, PyTorch's native layout); three levels of 16/32/64 channels at 128/64/32 px; two
conv3x3 (no bias) + batch norm (batch statistics, eps 1e-5) + ReLU per level in encoder and decoder; maxPool 2x2
down; transposed conv 2x2/s2 (no bias) up; skip concatenation; 1x1 head (with bias) to 2 classes; softmax
cross-entropy (mean over pixels); Adam lr 1e-3. Median of 5 steps after 2 warm-up steps, as the TypeScript bench
(twin.py).

A performance reference only (Debian: apt-get install -y python3-torch), never a dependency of the library.
Run: /usr/bin/python3 bench/torch/unet.py [--threads N] [--warmup N] [--steps N]
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from twin import ConvNormAct, parse_args, report


class ReferenceUnet(nn.Module):
    def __init__(self, channels=(16, 32, 64), classes=2):
        super().__init__()
        self.enc = nn.ModuleList()
        cin = 1
        for c in channels:
            self.enc.append(nn.Sequential(ConvNormAct(cin, c), ConvNormAct(c, c)))
            cin = c
        self.ups = nn.ModuleList()
        self.dec = nn.ModuleList()
        for level in range(len(channels) - 2, -1, -1):
            c = channels[level]
            self.ups.append(nn.ConvTranspose2d(channels[level + 1], c, 2, stride=2, bias=False))
            self.dec.append(nn.Sequential(ConvNormAct(2 * c, c), ConvNormAct(c, c)))
        self.head = nn.Conv2d(channels[0], classes, 1)

    def forward(self, x):
        skips = []
        h = x
        for level, block in enumerate(self.enc):
            if level > 0:
                h = F.max_pool2d(h, 2)
            h = block(h)
            skips.append(h)
        for i, (up, block) in enumerate(zip(self.ups, self.dec)):
            skip = skips[len(skips) - 2 - i]
            h = block(torch.cat([up(h), skip], dim=1))
        return self.head(h)


def main():
    args = parse_args(__doc__.splitlines()[0])
    torch.manual_seed(1)
    batch, size = 4, 128
    model = ReferenceUnet()
    model.train()
    x = torch.randn(batch, 1, size, size)
    labels = (x[:, 0] > 0.5).long()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def train_step():
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), labels)
        loss.backward()
        optimizer.step()
        loss.item()

    def forward_step():
        # Batch statistics, as the TypeScript reference U-Net's forward pass.
        with torch.no_grad():
            model(x).sum().item()

    report('unet_b4_128', train_step, forward_step, args,
           {'params': sum(p.numel() for p in model.parameters())})


if __name__ == '__main__':
    main()
