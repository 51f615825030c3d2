#!/usr/bin/python3
"""Reference values for DeepTrain's BatchNorm and activations, computed by PyTorch.

Run with Debian's interpreter (apt-get install python3-torch):
    /usr/bin/python3 tests/reference/make_layer_fixtures.py
It writes tests/DeepTrain.Tests/Layers/Fixtures/{batchnorm,activations}.json. The tests only read those files.
"""
import json, os
import torch
import torch.nn.functional as F

torch.manual_seed(1234)
out_dir = os.path.join(os.path.dirname(__file__), "..", "DeepTrain.Tests", "Layers", "Fixtures")
os.makedirs(out_dir, exist_ok=True)

def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]

# ---- BatchNorm: two training batches, then one inference batch ----
N, C = 6, 5
momentum_keras = 0.9          # DeepTrain/Keras: v <- v*m + batch*(1-m)
eps = 1e-3
bn = torch.nn.BatchNorm1d(C, eps=eps, momentum=1 - momentum_keras)
with torch.no_grad():
    bn.weight.copy_(torch.randn(C))
    bn.bias.copy_(torch.randn(C))
gamma0, beta0 = flat(bn.weight), flat(bn.bias)
steps = []
for step in range(2):
    x = (torch.randn(N, C) * 2 + 0.5).requires_grad_(True)
    dy = torch.randn(N, C)
    bn.train()
    bn.zero_grad()
    y = bn(x)
    y.backward(dy)
    steps.append({
        "x": flat(x), "dy": flat(dy), "y": flat(y), "dx": flat(x.grad),
        "dgamma": flat(bn.weight.grad), "dbeta": flat(bn.bias.grad),
        "running_mean": flat(bn.running_mean), "running_var": flat(bn.running_var),
    })
bn.eval()
x = (torch.randn(N, C) * 2 + 0.5).requires_grad_(True)
dy = torch.randn(N, C)
y = bn(x)
y.backward(dy)
fixture = {
    "n": N, "c": C, "momentum": momentum_keras, "epsilon": eps, "gamma": gamma0, "beta": beta0,
    "train_steps": steps,
    "eval": {"x": flat(x), "dy": flat(dy), "y": flat(y), "dx": flat(x.grad)},
    "source": f"torch {torch.__version__} BatchNorm1d(momentum={1 - momentum_keras}, eps={eps})",
}
with open(os.path.join(out_dir, "batchnorm.json"), "w") as f:
    json.dump(fixture, f, indent=1)

# ---- activations: values and gradients at fixed points (kinks avoided) ----
z = torch.tensor([-30.0, -5.0, -2.5, -1.0, -0.3, -0.01, 0.02, 0.4, 1.0, 2.0, 7.5, 30.0])
cases = {
    "sigmoid": lambda t: torch.sigmoid(t),
    "tanh": lambda t: torch.tanh(t),
    "relu": lambda t: F.relu(t),
    "leaky_relu:0.01": lambda t: F.leaky_relu(t, 0.01),
    "leaky_relu:0.2": lambda t: F.leaky_relu(t, 0.2),
    "elu": lambda t: F.elu(t, 1.0),
    "elu:0.5": lambda t: F.elu(t, 0.5),
    "selu": lambda t: F.selu(t),
    "softplus": lambda t: F.softplus(t),
    "rrelu": lambda t: F.rrelu(t, 1 / 8, 1 / 3, training=False),
}
acts = {"z": flat(z), "cases": {}, "source": f"torch {torch.__version__}"}
for name, fn in cases.items():
    t = z.clone().requires_grad_(True)
    y = fn(t)
    y.sum().backward()
    acts["cases"][name] = {"y": flat(y), "dy_dz": flat(t.grad)}
# PReLU with one slope per unit on a 3x4 batch
x = torch.randn(3, 4).requires_grad_(True)
a = torch.tensor([0.25, 0.1, -0.2, 0.5], requires_grad=True)
y = F.prelu(x, a)
dy = torch.randn(3, 4)
y.backward(dy)
acts["prelu"] = {"x": flat(x), "alpha": flat(a), "dy": flat(dy), "y": flat(y), "dx": flat(x.grad), "dalpha": flat(a.grad)}
with open(os.path.join(out_dir, "activations.json"), "w") as f:
    json.dump(acts, f, indent=1)
print("wrote", out_dir)
