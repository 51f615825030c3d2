#!/usr/bin/python3
"""Reference fixtures for DeepTrain's optimizers and learning-rate schedules, made with PyTorch.

Run with Debian's interpreter, which owns python3-torch (PyTorch 1.13.1):

    /usr/bin/python3 tests/reference/make_optimizer_fixtures.py [output-folder]

The output folder defaults to tests/DeepTrain.Tests/Optimizers/Fixtures next to this script's repository.

Optimizers: one JSON file per configuration. Two float32 parameters (a vector of 7 and a 2x2 matrix) are
trained for 30 steps on a small nonconvex loss (sin, cos and product terms). The gradients are computed by
torch's autograd at each step and recorded, so the C# test does not have to replay the loss: it feeds each
recorded gradient to our optimizer and compares the parameters after the step with torch's.

NAdam: PyTorch 1.13's default (single-tensor) NAdam multiplies mu_t into the running product twice per step, a
bug fixed in 2.0; its foreach=True path is correct, so the NAdam fixtures are made with foreach=True.

Schedules: schedules.json holds the rates for steps 0..N-1 of each case. Where torch.optim.lr_scheduler has the
schedule (MultiStepLR, StepLR, ExponentialLR, CosineAnnealingLR, OneCycleLR, ReduceLROnPlateau) the rates are
read from torch's optimizer after each scheduler step. Torch has no power decay, no continuous exponential decay
over r > 1 steps and no cosine decay with linear warm-up: for those the reference formula is written here in
Python and evaluated through torch's LambdaLR (so the "reference" is the formula itself; these cases are marked
"formula": true).
"""
import json
import math
import os
import sys

import numpy as np
import torch

STEPS = 30
W0 = [0.5, -1.2, 0.8, 2.0, -0.3, 1.1, -0.7]
B0 = [[0.25, -0.6], [1.3, -0.9]]


def loss_fn(w, b):
    """A small nonconvex loss of a 7-vector and a 2x2 matrix."""
    ring = torch.sin(w) * torch.roll(w, 1)            # couples neighbours
    quartic = 0.05 * (w ** 2 - 1.0) ** 2              # a double well per coordinate
    mix = torch.cos(b).sum() * w[0] * w[3] + (b @ b).trace() * 0.3 + (b[0, 1] * w[5]) ** 2
    return ring.sum() + quartic.sum() + mix + 0.2 * torch.sin(w[1] * b[1, 0])


def f32(x):
    """float32 in its shortest round-trip decimal form."""
    return float(np.format_float_positional(np.float32(x), unique=True, trim='-'))


def flat(t):
    return [f32(v) for v in t.detach().reshape(-1).tolist()]


def optimizer_cases():
    O = torch.optim
    # name, our optimizer, its options (our names), torch constructor
    return [
        ("sgd", "sgd", {"lr": 0.1}, lambda p: O.SGD(p, lr=0.1)),
        ("sgd_momentum", "sgd", {"lr": 0.05, "momentum": 0.9}, lambda p: O.SGD(p, lr=0.05, momentum=0.9)),
        ("sgd_nesterov", "sgd", {"lr": 0.05, "momentum": 0.9, "nesterov": True},
         lambda p: O.SGD(p, lr=0.05, momentum=0.9, nesterov=True)),
        ("sgd_weight_decay", "sgd", {"lr": 0.1, "weight_decay": 0.05}, lambda p: O.SGD(p, lr=0.1, weight_decay=0.05)),
        ("sgd_momentum_weight_decay", "sgd", {"lr": 0.05, "momentum": 0.8, "weight_decay": 0.05},
         lambda p: O.SGD(p, lr=0.05, momentum=0.8, weight_decay=0.05)),
        ("adagrad", "adagrad", {"lr": 0.1}, lambda p: O.Adagrad(p, lr=0.1)),
        ("adagrad_options", "adagrad",
         {"lr": 0.1, "initial_accumulator_value": 0.1, "lr_decay": 0.01, "weight_decay": 0.01, "eps": 1e-6},
         lambda p: O.Adagrad(p, lr=0.1, initial_accumulator_value=0.1, lr_decay=0.01, weight_decay=0.01, eps=1e-6)),
        ("rmsprop", "rmsprop", {"lr": 0.01, "rho": 0.9}, lambda p: O.RMSprop(p, lr=0.01, alpha=0.9)),
        ("rmsprop_momentum", "rmsprop", {"lr": 0.01, "rho": 0.99, "momentum": 0.9},
         lambda p: O.RMSprop(p, lr=0.01, alpha=0.99, momentum=0.9)),
        ("rmsprop_centered", "rmsprop", {"lr": 0.01, "rho": 0.95, "centered": True},
         lambda p: O.RMSprop(p, lr=0.01, alpha=0.95, centered=True)),
        ("rmsprop_centered_momentum_weight_decay", "rmsprop",
         {"lr": 0.005, "rho": 0.9, "momentum": 0.5, "centered": True, "weight_decay": 0.02, "eps": 1e-6},
         lambda p: O.RMSprop(p, lr=0.005, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.02, eps=1e-6)),
        ("adam", "adam", {"lr": 0.05}, lambda p: O.Adam(p, lr=0.05)),
        ("adam_amsgrad", "adam", {"lr": 0.05, "amsgrad": True}, lambda p: O.Adam(p, lr=0.05, amsgrad=True)),
        ("adam_weight_decay", "adam", {"lr": 0.05, "weight_decay": 0.1, "beta1": 0.8, "beta2": 0.99},
         lambda p: O.Adam(p, lr=0.05, weight_decay=0.1, betas=(0.8, 0.99))),
        ("adamw", "adamw", {"lr": 0.05, "weight_decay": 0.1}, lambda p: O.AdamW(p, lr=0.05, weight_decay=0.1)),
        ("adamw_amsgrad", "adamw", {"lr": 0.05, "weight_decay": 0.01, "amsgrad": True, "eps": 1e-6},
         lambda p: O.AdamW(p, lr=0.05, weight_decay=0.01, amsgrad=True, eps=1e-6)),
        # foreach=True: 1.13's single-tensor NAdam counts mu_t twice in the running product (fixed in 2.0).
        ("nadam", "nadam", {"lr": 0.05}, lambda p: O.NAdam(p, lr=0.05, foreach=True)),
        ("nadam_weight_decay", "nadam", {"lr": 0.05, "weight_decay": 0.05, "momentum_decay": 0.01, "beta2": 0.99},
         lambda p: O.NAdam(p, lr=0.05, weight_decay=0.05, momentum_decay=0.01, betas=(0.9, 0.99), foreach=True)),
        ("adamax", "adamax", {"lr": 0.05}, lambda p: O.Adamax(p, lr=0.05)),
        ("adamax_weight_decay", "adamax", {"lr": 0.05, "weight_decay": 0.05, "beta1": 0.8, "beta2": 0.99},
         lambda p: O.Adamax(p, lr=0.05, weight_decay=0.05, betas=(0.8, 0.99))),
    ]


def trajectory(make):
    w = torch.tensor(W0, dtype=torch.float32, requires_grad=True)
    b = torch.tensor(B0, dtype=torch.float32, requires_grad=True)
    opt = make([w, b])
    initial = [flat(w), flat(b)]
    steps = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss_fn(w, b).backward()
        grads = [flat(w.grad), flat(b.grad)]
        opt.step()
        steps.append({"grads": grads, "after": [flat(w), flat(b)]})
    return initial, steps


def write_optimizer_fixtures(out):
    names = []
    for name, optimizer, options, make in optimizer_cases():
        initial, steps = trajectory(make)
        doc = {
            "name": name,
            "optimizer": optimizer,
            "options": options,
            "reference": f"torch {torch.__version__}",
            "params": [{"name": "w", "shape": [7], "initial": initial[0]},
                       {"name": "b", "shape": [2, 2], "initial": initial[1]}],
            "steps": steps,
        }
        with open(os.path.join(out, f"{name}.json"), "w") as f:
            f.write(dumps(doc))
        names.append(name)
    return names


def torch_rates(make_scheduler, steps, base_lr):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base_lr)
    sched = make_scheduler(opt)
    rates = []
    for _ in range(steps):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return rates


def lambda_rates(rate, steps, base_lr):
    S = torch.optim.lr_scheduler
    return torch_rates(lambda o: S.LambdaLR(o, lambda t: rate(t) / base_lr), steps, base_lr)


def schedule_cases():
    S = torch.optim.lr_scheduler
    cases = []

    def add(name, schedule, args, rates, formula=False):
        cases.append({"name": name, "schedule": schedule, "args": args, "formula": formula, "rates": rates})

    add("multistep", "piecewise_constant",
        {"boundaries": [10, 25, 40], "values": [0.1, 0.1 * 0.1, 0.1 * 0.1 ** 2, 0.1 * 0.1 ** 3]},
        torch_rates(lambda o: S.MultiStepLR(o, milestones=[10, 25, 40], gamma=0.1), 60, 0.1))
    add("steplr_piecewise", "piecewise_constant",
        {"boundaries": [7, 14, 21, 28], "values": [0.5 * 0.5 ** k for k in range(5)]},
        torch_rates(lambda o: S.StepLR(o, step_size=7, gamma=0.5), 35, 0.5))
    add("steplr_staircase", "exponential",
        {"initial": 0.5, "decay_steps": 7, "decay_rate": 0.5, "staircase": True},
        torch_rates(lambda o: S.StepLR(o, step_size=7, gamma=0.5), 50, 0.5))
    add("exponentiallr", "exponential",
        {"initial": 0.1, "decay_steps": 1, "decay_rate": 0.95, "staircase": False},
        torch_rates(lambda o: S.ExponentialLR(o, gamma=0.95), 60, 0.1))
    add("exponential_continuous_r10", "exponential",
        {"initial": 0.1, "decay_steps": 10, "decay_rate": 0.5, "staircase": False},
        lambda_rates(lambda t: 0.1 * 0.5 ** (t / 10), 60, 0.1), formula=True)
    add("power_c1", "power", {"initial": 0.1, "decay_steps": 20, "power": 1.0},
        lambda_rates(lambda t: 0.1 * (1 + t / 20) ** -1.0, 80, 0.1), formula=True)
    add("power_c05", "power", {"initial": 0.05, "decay_steps": 5, "power": 0.5},
        lambda_rates(lambda t: 0.05 * (1 + t / 5) ** -0.5, 80, 0.05), formula=True)
    add("cosine_annealing", "cosine", {"initial": 0.1, "total_steps": 50, "warmup_steps": 0, "min_rate": 0.001},
        torch_rates(lambda o: S.CosineAnnealingLR(o, T_max=50, eta_min=0.001), 51, 0.1))

    def warm_cosine(t, peak=0.1, total=50, warm=10, floor=0.001):
        if t < warm:
            return peak * t / warm
        if t >= total:
            return floor
        return floor + (peak - floor) * 0.5 * (1 + math.cos(math.pi * (t - warm) / (total - warm)))
    add("cosine_warmup", "cosine", {"initial": 0.1, "total_steps": 50, "warmup_steps": 10, "min_rate": 0.001},
        lambda_rates(warm_cosine, 60, 0.1), formula=True)
    add("onecycle_default", "one_cycle",
        {"max_rate": 0.1, "total_steps": 100, "pct_start": 0.3, "div_factor": 25.0, "final_div_factor": 1e4},
        torch_rates(lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=100, cycle_momentum=False), 100, 0.1))
    add("onecycle_custom", "one_cycle",
        {"max_rate": 1.0, "total_steps": 37, "pct_start": 0.25, "div_factor": 10.0, "final_div_factor": 100.0},
        torch_rates(lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=37, pct_start=0.25, div_factor=10.0,
                                           final_div_factor=100.0, cycle_momentum=False), 37, 1.0))
    return cases


def plateau_cases():
    S = torch.optim.lr_scheduler
    rng = np.random.default_rng(7)
    # A loss that falls, then wanders on a plateau, then falls a little again.
    falling = [2.0 * 0.9 ** k for k in range(12)]
    plateau = [falling[-1] * (1 + 0.01 * float(x)) for x in rng.standard_normal(25)]
    again = [plateau[-1] * 0.97 ** k for k in range(1, 10)] + [plateau[-1] * 0.8] * 14
    loss = [round(v, 6) for v in falling + plateau + again]
    acc = [round(v, 4) for v in np.clip(0.5 + 0.4 * (1 - np.exp(-np.arange(40) / 6.0))
                                        + 0.01 * rng.standard_normal(40), 0, 1)]
    configs = [
        ("plateau_min_rel_cooldown", loss,
         {"initial": 1.0, "mode": "min", "factor": 0.5, "patience": 2, "threshold": 1e-3, "threshold_mode": "rel",
          "cooldown": 1, "min_rate": 0.01}),
        ("plateau_default", loss,
         {"initial": 0.1, "mode": "min", "factor": 0.1, "patience": 10, "threshold": 1e-4, "threshold_mode": "rel",
          "cooldown": 0, "min_rate": 0.0}),
        ("plateau_max_abs", acc,
         {"initial": 0.5, "mode": "max", "factor": 0.2, "patience": 0, "threshold": 0.01, "threshold_mode": "abs",
          "cooldown": 2, "min_rate": 0.001}),
        ("plateau_max_rel_floor", acc,
         {"initial": 0.5, "mode": "max", "factor": 0.3, "patience": 1, "threshold": 1e-3, "threshold_mode": "rel",
          "cooldown": 0, "min_rate": 0.03}),
    ]
    cases = []
    for name, metrics, a in configs:
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=a["initial"])
        sched = S.ReduceLROnPlateau(opt, mode=a["mode"], factor=a["factor"], patience=a["patience"],
                                    threshold=a["threshold"], threshold_mode=a["threshold_mode"],
                                    cooldown=a["cooldown"], min_lr=a["min_rate"])
        rates = []
        for m in metrics:
            sched.step(m)
            rates.append(opt.param_groups[0]["lr"])
        cases.append({"name": name, "args": a, "metrics": metrics, "rates": rates})
    return cases


def dumps(obj, indent=0):
    """JSON with one short line per number list, so the fixtures stay readable and diffable."""
    pad = "  " * indent
    if isinstance(obj, dict):
        items = [f'{pad}  {json.dumps(k)}: {dumps(v, indent + 1).lstrip()}' for k, v in obj.items()]
        return pad + "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in obj):
        return pad + "[" + ", ".join(repr(v) for v in obj) + "]"
    if isinstance(obj, list):
        return pad + "[\n" + ",\n".join(dumps(v, indent + 1) for v in obj) + "\n" + pad + "]"
    return pad + json.dumps(obj)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "DeepTrain.Tests", "Optimizers", "Fixtures")
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    names = write_optimizer_fixtures(out)
    with open(os.path.join(out, "schedules.json"), "w") as f:
        f.write(dumps({"reference": f"torch {torch.__version__}", "schedules": schedule_cases(),
                       "plateau": plateau_cases()}))
    print(f"wrote {len(names)} optimizer fixtures and schedules.json to {os.path.normpath(out)}")


if __name__ == "__main__":
    main()
