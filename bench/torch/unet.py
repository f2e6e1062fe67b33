#!/usr/bin/env python3
"""PyTorch twin of the bench's reference U-Net (bench/reference-unet.ts), printing the same JSON keys.

Input [4, 1, 128, 128] (NCHW, PyTorch's native layout); three levels of 16/32/64 channels at 128/64/32 px; two
conv3x3 (no bias) + batch norm (batch statistics, eps 1e-5) + ReLU per level in encoder and decoder; maxPool 2x2
down; transposed conv 2x2/s2 (no bias) up; skip concatenation; 1x1 head (with bias) to 2 classes; softmax
cross-entropy (mean over pixels); Adam lr 1e-3. Median of 5 steps after 2 warm-up steps, as the TypeScript bench.

A performance reference only (Debian: apt-get install -y python3-torch), never a dependency of the library.
Run: /usr/bin/python3 bench/torch/unet.py [--threads N] [--steps N]
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn(cin, cout):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout, eps=1e-5), nn.ReLU(inplace=True))


class ReferenceUnet(nn.Module):
    def __init__(self, channels=(16, 32, 64), classes=2):
        super().__init__()
        self.enc = nn.ModuleList()
        cin = 1
        for c in channels:
            self.enc.append(nn.Sequential(conv_bn(cin, c), conv_bn(c, c)))
            cin = c
        self.ups = nn.ModuleList()
        self.dec = nn.ModuleList()
        for level in range(len(channels) - 2, -1, -1):
            c = channels[level]
            self.ups.append(nn.ConvTranspose2d(channels[level + 1], c, 2, stride=2, bias=False))
            self.dec.append(nn.Sequential(conv_bn(2 * c, c), conv_bn(c, c)))
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--steps', type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    batch, size = 4, 128
    model = ReferenceUnet()
    model.train()
    x = torch.randn(batch, 1, size, size)
    labels = (x[:, 0] > 0.5).long()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def train_step():
        t0, c0 = time.perf_counter(), time.process_time()
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), labels)
        loss.backward()
        optimizer.step()
        loss.item()
        return (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000

    def forward_step():
        t0 = time.perf_counter()
        with torch.no_grad():
            model(x).sum().item()
        return (time.perf_counter() - t0) * 1000

    timed = [train_step() for _ in range(args.warmup + args.steps)][args.warmup:]
    forward = [forward_step() for _ in range(args.warmup + args.steps)][args.warmup:]
    print(json.dumps({
        'backend': 'pytorch',
        'unet_b4_128_train_ms': round(statistics.median(t for t, _ in timed), 1),
        # Process CPU time (all threads): less distorted than wall time when other processes share the cores.
        'unet_b4_128_train_cpu_ms': round(statistics.median(c for _, c in timed), 1),
        'unet_b4_128_forward_ms': round(statistics.median(forward), 1),
        'peak_rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        'torch_version': torch.__version__,
        'threads': torch.get_num_threads(),
    }))


if __name__ == '__main__':
    main()
