"""What the PyTorch twins of the bench (unet.py, mtl.py) share: their command line, the timing protocol of the
TypeScript bench (median of `steps` timed calls after `warmup` untimed ones, wall and process CPU time), the JSON line
they print, and the conv - batch norm - ReLU unit both networks are built from.

A performance reference only (Debian: apt-get install -y python3-torch), never a dependency of the library.
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def parse_args(description):
    """--threads (default 2, the machine's cores), --warmup and --steps (defaults 2 and 5, as the TypeScript bench)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--steps', type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    return args


class ConvNormAct(nn.Module):
    """conv k x k (no bias) - batch norm (batch statistics in training, eps 1e-5, tfjs's moving-average momentum 0.9)
    - ReLU, with TensorFlow's 'same' padding: at stride 2 on an even size the extra row and column go at the bottom
    and right, where PyTorch's symmetric padding would shift the grid."""

    def __init__(self, cin, cout, kernel=3, stride=1):
        super().__init__()
        # At stride 1 an odd kernel's 'same' padding is symmetric: the convolution pads without an extra copy.
        self.explicit_pad = (kernel, stride) if stride > 1 else None
        self.conv = nn.Conv2d(cin, cout, kernel, stride=stride, padding=0 if stride > 1 else kernel // 2, bias=False)
        self.norm = nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1)
        self.act = nn.ReLU(inplace=True)

    def forward(self, x):
        if self.explicit_pad:
            x = same_pad(x, *self.explicit_pad)
        return self.act(self.norm(self.conv(x)))


def same_pad(x, kernel, stride):
    """Pads an NCHW map as TensorFlow's 'same' padding does (more at the bottom and right when the total is odd)."""
    pads = []
    for size in (x.shape[3], x.shape[2]):
        out = -(-size // stride)
        total = max((out - 1) * stride + kernel - size, 0)
        pads += [total // 2, total - total // 2]
    return F.pad(x, pads) if any(pads) else x


def time_calls(fn, warmup, steps):
    """Medians of wall and process CPU milliseconds of `fn` over `steps` calls after `warmup` untimed ones."""
    wall, cpu = [], []
    for i in range(warmup + steps):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        if i >= warmup:
            wall.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def report(prefix, train_step, forward_step, args, extra=None):
    """Times training steps, then forward passes, and prints the bench's JSON line: `<prefix>_train_ms`,
    `<prefix>_train_cpu_ms` (process CPU time of all threads: less distorted than wall time when other processes share
    the cores), `<prefix>_forward_ms`, peak RSS, torch version and threads, and `extra`."""
    train_ms, train_cpu_ms = time_calls(train_step, args.warmup, args.steps)
    forward_ms, _ = time_calls(forward_step, args.warmup, args.steps)
    print(json.dumps({
        'backend': 'pytorch',
        f'{prefix}_train_ms': round(train_ms, 1),
        f'{prefix}_train_cpu_ms': round(train_cpu_ms, 1),
        f'{prefix}_forward_ms': round(forward_ms, 1),
        **(extra or {}),
        'peak_rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        'torch_version': torch.__version__,
        'threads': torch.get_num_threads(),
    }))
