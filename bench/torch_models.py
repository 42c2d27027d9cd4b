"""The document's two models in PyTorch, timed as bench/bench.c times tapegrad's.

    torch_models.py --model timeseries|images --phase train|infer
                    --real float|double --threads N [--steps N] [--rounds N]
                    [--json FILE]
    torch_models.py --epoch DIR --threads N      one Fashion-MNIST epoch, float

One row per process, as bench/bench.c runs each row in a child process of
its own: ru_maxrss only grows, so rows sharing a process would each report
the largest peak so far (an infer row its train row's, a model the one
before it). bench/compare starts this once per row, from the shell: a child
starts with its parent's peak RSS (Linux carries it across fork and exec),
so the parent must not be a Python that has imported torch.

Same shapes, batch 32, Adam(1e-3, eps=1e-7), same losses. Differences that
do not matter for timing, and one that slightly favours PyTorch:
  - PyTorch is channels-first, so the inputs are made (N, C, T) and
    (N, 1, 28, 28) and the conv outputs are permuted before the LSTM, as a
    PyTorch user would write it;
  - nn.LSTM has no peepholes (tapegrad runs the document's diagonal peepholes
    W_ci W_cf W_cc W_co, a little more work per step) and two bias vectors
    (b_ih + b_hh) where tapegrad has one: 4 x 64 parameters each way, so the
    counts agree: timeseries 416 + 25088 + 2080 + 33 = 27617, images
    320 + 123392 + 2080 + 330 = 126122.
"""
import argparse
import gzip
import json
import os
import resource
import statistics
import sys
import time

import torch
from torch import nn

BATCH = 32


class TimeSeries(nn.Module):
    """(64, 4) -> Conv1D(32, 3, relu) -> MaxPool1D(2) -> LSTM(64, sequences)
    -> Dense(32, relu) -> Dense(1, sigmoid)"""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(4, 32, 3)
        self.pool = nn.MaxPool1d(2)
        self.lstm = nn.LSTM(32, 64, batch_first=True)
        self.dense1 = nn.Linear(64, 32)
        self.dense2 = nn.Linear(32, 1)

    def forward(self, x):  # x: (N, 4, 64)
        y = self.pool(torch.relu(self.conv(x)))  # (N, 32, 31)
        h, _ = self.lstm(y.transpose(1, 2))  # (N, 31, 64)
        return torch.sigmoid(self.dense2(torch.relu(self.dense1(h))))  # (N, 31, 1)


class Images(nn.Module):
    """(28, 28, 1) -> Conv2D(32, 3x3, relu) -> MaxPool2D(2) -> rows as steps
    -> LSTM(64) -> Dense(32, relu) -> Dense(10, softmax)"""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 32, 3)
        self.pool = nn.MaxPool2d(2)
        self.lstm = nn.LSTM(13 * 32, 64, batch_first=True)
        self.dense1 = nn.Linear(64, 32)
        self.dense2 = nn.Linear(32, 10)

    def forward(self, x):  # x: (N, 1, 28, 28)
        y = self.pool(torch.relu(self.conv(x)))  # (N, 32, 13, 13)
        rows = y.permute(0, 2, 3, 1).reshape(x.shape[0], 13, 13 * 32)
        _, (h, _) = self.lstm(rows)  # h: (1, N, 64)
        return torch.softmax(self.dense2(torch.relu(self.dense1(h[0]))), dim=1)


def bce(p, y):
    return nn.functional.binary_cross_entropy(p, y)


def cce(p, y):
    """Categorical cross-entropy on probabilities, clipped as Keras does."""
    return -(y * torch.log(p.clamp(1e-7, 1 - 1e-7))).sum(dim=1).mean()


def make(name, dtype):
    torch.manual_seed(42)
    g = torch.Generator().manual_seed(7)
    if name == "timeseries":
        model = TimeSeries().to(dtype)
        x = torch.rand(BATCH, 4, 64, generator=g, dtype=dtype)
        y = (torch.rand(BATCH, 31, 1, generator=g) < 0.5).to(dtype)
        loss = bce
    else:
        model = Images().to(dtype)
        x = torch.rand(BATCH, 1, 28, 28, generator=g, dtype=dtype)
        labels = torch.randint(0, 10, (BATCH,), generator=g)
        y = nn.functional.one_hot(labels, 10).to(dtype)
        loss = cce
    return model, x, y, loss


def blas():
    """The BLAS library this process loaded (libblas.so.3 is whichever
    Debian's alternatives point to: the reference BLAS, OpenBLAS, ...)."""
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if "blas" in line or "mkl" in line}
    found = {os.path.realpath(p) for p in paths if p.startswith("/") and "lapack" not in p}
    return ", ".join(sorted("/".join(p.split("/")[-2:]) for p in found)) or "none"


def time_row(name, train, threads, dtype, steps, rounds, warmup):
    torch.set_num_threads(threads)
    model, x, y, loss_fn = make(name, dtype)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)

    def train_step():
        opt.zero_grad(set_to_none=False)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    def infer_step():
        with torch.no_grad():
            model(x)

    step = train_step if train else infer_step
    model.train(train)
    per_step = []
    for r in range(-1, rounds):
        n = warmup if r < 0 else steps
        t0 = time.perf_counter()
        for _ in range(n):
            step()
        if r >= 0:
            per_step.append((time.perf_counter() - t0) * 1e3 / n)
    return {
        "model": name,
        "phase": "train" if train else "infer",
        "real": "float" if dtype == torch.float32 else "double",
        "threads": threads,
        "median_ms": statistics.median(per_step),
        "min_ms": min(per_step),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "torch": torch.__version__,
        "blas": blas(),
    }


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8).reshape(dims)


def epoch(data_dir, threads):
    """One epoch of the images model over the 60000 training images, batch
    32, shuffled, bytes converted to [0, 1] floats one batch at a time (as
    tapegrad does). Prints the seconds of the epoch alone (no loading)."""
    torch.set_num_threads(threads)
    images = read_idx(os.path.join(data_dir, "train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data_dir, "train-labels-idx1-ubyte.gz")).long()
    model, _, _, loss_fn = make("images", torch.float32)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    order = torch.randperm(images.shape[0], generator=torch.Generator().manual_seed(42))
    t0 = time.perf_counter()
    for start in range(0, images.shape[0], BATCH):
        idx = order[start:start + BATCH]
        x = images[idx].to(torch.float32).div_(255).unsqueeze(1)
        y = nn.functional.one_hot(labels[idx], 10).to(torch.float32)
        opt.zero_grad(set_to_none=False)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    seconds = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"epoch_s": seconds, "loss": float(loss), "peak_rss_mb": rss}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["timeseries", "images"])
    ap.add_argument("--phase", choices=["train", "infer"])
    ap.add_argument("--real", choices=["float", "double"], default="float")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--json")
    ap.add_argument("--epoch", metavar="DIR")
    a = ap.parse_args()
    if a.epoch:
        epoch(a.epoch, a.threads)
        return
    if not (a.model and a.phase):
        ap.error("--model and --phase are required (one row per process), or --epoch")
    dtype = torch.float32 if a.real == "float" else torch.float64
    row = time_row(a.model, a.phase == "train", a.threads, dtype, a.steps, a.rounds, a.warmup)
    print("%-10s %-5s %-6s %3d %10.3f %10.3f %8.1f" % (
        row["model"], row["phase"], row["real"], row["threads"],
        row["median_ms"], row["min_ms"], row["peak_rss_mb"]), file=sys.stderr)
    if a.json:
        with open(a.json, "w") as f:
            json.dump([row], f, indent=1)


if __name__ == "__main__":
    main()
