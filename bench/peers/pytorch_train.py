#!/usr/bin/python3
"""The PyTorch peer of `dotnet run -c Release --project bench/DeepTrain.Bench -- train`.

Trains the seed network on Fashion-MNIST the way a PyTorch user would write it: 784-300-100-10 with ELU (form
"plain"), or with BatchNorm1d before each hidden activation and bias-free Linear layers below it (form "bn"),
He-normal hidden weights, Glorot-uniform output weights, zero biases, Adam(lr=0.001), shuffled mini-batches of the
first 55,000 training images, a fixed number of epochs, then the test accuracy in eval mode. The IDX .gz files are
read directly. Prints one machine-readable line:

    RESULT framework=pytorch form=bn batch=64 ... samples_per_s=... test_acc=... rss_mb=...

samples_per_s is the median over the epochs after the first; rss_mb is the peak resident set (ru_maxrss).
Run it with Debian's interpreter, /usr/bin/python3 (python3-torch), ideally with libopenblas0-openmp installed:
the default pthreads OpenBLAS fights PyTorch's OpenMP threads for the cores.
"""
import argparse
import gzip
import os
import resource
import statistics
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path, limit=None):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    count = shape[0] if limit is None else min(limit, shape[0])
    item = int(np.prod(shape[1:])) if dims > 1 else 1
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims, count=count * item)
    return arr.reshape(count, item) if dims > 1 else arr


def build(form, hidden):
    layers = []
    fin = 784
    for i, width in enumerate(hidden):
        bn = form == "bn"
        lin = nn.Linear(fin, width, bias=not bn)
        nn.init.kaiming_normal_(lin.weight, mode="fan_in", nonlinearity="relu")
        if lin.bias is not None:
            nn.init.zeros_(lin.bias)
        layers.append(lin)
        if bn:
            layers.append(nn.BatchNorm1d(width, eps=1e-3, momentum=0.01))
        layers.append(nn.ELU())
        fin = width
    out = nn.Linear(fin, 10)
    nn.init.xavier_uniform_(out.weight)
    nn.init.zeros_(out.bias)
    layers.append(out)
    return nn.Sequential(*layers)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--form", choices=["plain", "bn"], default="bn")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--train", type=int, default=55000)
    p.add_argument("--hidden", default="300,100")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--foreach", choices=["auto", "true", "false"], default="auto")
    a = p.parse_args()
    hidden = [int(h) for h in a.hidden.split(",")]

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x_train = torch.from_numpy(read_idx(os.path.join(a.data, "train-images-idx3-ubyte.gz"), a.train).copy())
    y_train = torch.from_numpy(read_idx(os.path.join(a.data, "train-labels-idx1-ubyte.gz"), a.train).astype(np.int64))
    x_test = torch.from_numpy(read_idx(os.path.join(a.data, "t10k-images-idx3-ubyte.gz")).copy())
    y_test = torch.from_numpy(read_idx(os.path.join(a.data, "t10k-labels-idx1-ubyte.gz")).astype(np.int64))
    n = x_train.shape[0]

    model = build(a.form, hidden)
    # Adam's implementation, whichever is faster for the model's size (measured on the 2-core dev machine with
    # torch 1.13.1): foreach=True (multi-tensor ops) is ~25% faster on the 266k-parameter seed network, the plain
    # per-parameter loop ~3x faster on the 1.9M-parameter wide network (the foreach path's large temporaries).
    n_params = sum(p.numel() for p in model.parameters())
    foreach = {"auto": n_params < 1_000_000, "true": True, "false": False}[a.foreach]
    opt = torch.optim.Adam(model.parameters(), lr=0.001, foreach=foreach)

    epoch_s = []
    for _ in range(a.epochs):
        model.train()
        t0 = time.perf_counter()
        perm = torch.randperm(n)
        for start in range(0, n, a.batch):
            idx = perm[start:start + a.batch]
            x = x_train[idx].float().div_(255.0)
            y = y_train[idx]
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
        epoch_s.append(time.perf_counter() - t0)

    model.eval()
    correct = 0
    with torch.inference_mode():
        for start in range(0, x_test.shape[0], 1000):
            x = x_test[start:start + 1000].float().div_(255.0)
            correct += (model(x).argmax(1) == y_test[start:start + 1000]).sum().item()
    acc = correct / x_test.shape[0]
    steady = epoch_s[1:] if len(epoch_s) > 1 else epoch_s
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"RESULT framework=pytorch form={a.form} batch={a.batch} threads={a.threads} hidden={a.hidden} "
          f"epochs={a.epochs} samples_per_s={n / statistics.median(steady):.0f} "
          f"epoch_s={','.join(f'{s:.3f}' for s in epoch_s)} test_acc={acc:.4f} rss_mb={rss_mb:.0f} "
          f"foreach={foreach} version=torch-{torch.__version__}", flush=True)


if __name__ == "__main__":
    main()
