"""Neural-network playground: a small MLP on 2-D points, forward and backward pass in numpy.

The network, for C classes and layers l = 1..L (the last one linear):

    z_l = h_{l-1} W_l + b_l,    h_l = act(z_l),    h_0 = x,    logits = z_L
    p = softmax(logits),        L = -(1/n) Σ_i log p[i, y_i] + (l2/2) Σ_l ||W_l||²

Backpropagation is the chain rule from the output down (micrograd does it per scalar; here a
whole layer at a time):

    δ_L = ∂L/∂z_L = (p - Y) / n                          (softmax and cross-entropy together)
    ∂L/∂W_l = h_{l-1}ᵀ δ_l + l2 W_l,    ∂L/∂b_l = Σ_rows δ_l
    δ_{l-1} = (δ_l W_lᵀ) ⊙ act'(z_{l-1})

Trained with mini-batch SGD. The playground snapshots the decision boundary (the probability of
class 1 over the plane) as training runs, records train and test loss, and draws what each hidden
unit responds to: its activation h over the same plane, as TensorFlow Playground does.
tests/test_playground.py checks every gradient against torch.autograd.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from kdlab.core import budget
from kdlab.core.params import Param, validate

DATASETS = ("circle", "xor", "gaussians", "spiral", "moons")
ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")

PARAMS: tuple[Param, ...] = (
    Param("dataset", "circle", choices=DATASETS, help="the 2-D data set (two classes)"),
    Param("noise", 0.1, 0.0, 0.5, help="standard deviation of the noise added to each point"),
    Param("n_points", 400, 50, 1000, help="number of points, train and test together"),
    Param("test_fraction", 0.5, 0.1, 0.9, help="share of the points held out for the test loss"),
    Param("layers", 2, 0, 3, help="hidden layers (0: logistic regression on x1, x2)"),
    Param("units", 4, 1, 8, help="units in each hidden layer"),
    Param("activation", "tanh", choices=ACTIVATIONS, help="non-linearity of the hidden units"),
    Param("lr", 0.1, 1e-3, 3.0, help="SGD learning rate"),
    Param("l2", 0.0, 0.0, 0.1, help="L2 penalty on the weights (not the biases)"),
    Param("batch_size", 10, 1, 128, help="points per SGD step"),
    Param("epochs", 150, 1, 1000, help="passes over the training points"),
    Param("seed", 0, 0, 10_000, help="data, initial weights and batch order"),
)

# A small run of the same code path, for the common test of every experiment (tests/test_registry.py).
QUICK = {"n_points": 60, "epochs": 3}

EXTENT = 1.6  # the plane drawn is [-EXTENT, EXTENT]²
GRID = 41  # decision boundary and unit pictures are GRID x GRID
MAX_SNAPSHOTS = 25  # decision boundaries kept over training (the page's animation)


# --- the method: forward, backward, a step --------------------------------------------------

ACT = {
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "linear": lambda z: z,
}
# act'(z), written with z (pre-activation) and h = act(z) where that is shorter
ACT_GRAD = {
    "tanh": lambda z, h: 1.0 - h**2,
    "relu": lambda z, h: (z > 0).astype(z.dtype),
    "sigmoid": lambda z, h: h * (1.0 - h),
    "linear": lambda z, h: np.ones_like(z),
}

Params = list[tuple[np.ndarray, np.ndarray]]  # [(W_1, b_1), ..., (W_L, b_L)]


def init_params(sizes: list[int], activation: str, rng: np.random.Generator) -> Params:
    """Random weights with variance gain / fan-in (gain 2 for ReLU: He; 1 otherwise: Xavier-like),
    zero biases. Random, because all-equal weights would keep every unit of a layer identical."""
    gain = 2.0 if activation == "relu" else 1.0
    return [(rng.normal(0.0, np.sqrt(gain / m), (m, k)), np.zeros(k)) for m, k in pairwise(sizes)]


def forward(params: Params, X: np.ndarray, activation: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Pre-activations zs = [z_1..z_L] and activations hs = [h_0 = X, h_1..h_{L-1}, logits]."""
    zs, hs = [], [X]
    for i, (W, b) in enumerate(params):
        z = hs[-1] @ W + b
        zs.append(z)
        hs.append(z if i == len(params) - 1 else ACT[activation](z))  # the last layer stays linear
    return zs, hs


def softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max(axis=1, keepdims=True))  # minus the row max: exp never overflows
    return e / e.sum(axis=1, keepdims=True)


def loss_and_grads(
    params: Params, X: np.ndarray, y: np.ndarray, activation: str, l2: float = 0.0
) -> tuple[float, Params]:
    """The objective L on (X, y) and its gradient for every (W, b), by backpropagation."""
    n = len(y)
    zs, hs = forward(params, X, activation)
    p = softmax(zs[-1])
    loss = -np.log(p[np.arange(n), y] + 1e-300).mean() + l2 / 2 * sum((W**2).sum() for W, _ in params)

    delta = p.copy()
    delta[np.arange(n), y] -= 1.0
    delta /= n  # δ_L = (p - Y) / n
    grads: Params = [None] * len(params)  # type: ignore[list-item]
    for i in reversed(range(len(params))):
        W, _ = params[i]
        grads[i] = (hs[i].T @ delta + l2 * W, delta.sum(axis=0))  # ∂L/∂W_l, ∂L/∂b_l
        if i > 0:
            delta = (delta @ W.T) * ACT_GRAD[activation](zs[i - 1], hs[i])  # δ_{l-1}
    return float(loss), grads


def sgd_step(params: Params, grads: Params, lr: float) -> Params:
    return [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads, strict=True)]


def predict_proba(params: Params, X: np.ndarray, activation: str) -> np.ndarray:
    return softmax(forward(params, X, activation)[1][-1])


# --- the data sets --------------------------------------------------------------------------


def make_data(name: str, n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n points in about [-1, 1]² with labels 0 / 1; noise is Gaussian, added to each coordinate."""
    half = n // 2
    y = np.r_[np.zeros(half, int), np.ones(n - half, int)]
    if name == "circle":  # class 0 inside radius 0.5, class 1 on a ring from 0.7 to 1
        r = np.where(y == 0, rng.uniform(0, 0.5, n), rng.uniform(0.7, 1.0, n))
        angle = rng.uniform(0, 2 * np.pi, n)
        X = np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    elif name == "xor":  # the label is the sign of x1 * x2; points kept off the axes
        X = rng.uniform(0.05, 1.0, (n, 2)) * rng.choice([-1, 1], (n, 2))
        y = (X[:, 0] * X[:, 1] < 0).astype(int)
    elif name == "gaussians":  # two blobs
        centres = np.array([[-0.5, -0.5], [0.5, 0.5]])
        X = centres[y] + rng.normal(0, 0.25, (n, 2))
    elif name == "spiral":  # two interleaved arms, 1.75 turns each
        t = rng.uniform(0, 1, n)
        angle = 1.75 * 2 * np.pi * t + np.pi * y
        X = 0.95 * t[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    elif name == "moons":  # scikit-learn's two moons, centred and scaled into the square
        angle = rng.uniform(0, np.pi, n)
        X = np.where(
            y[:, None] == 0,
            np.column_stack([np.cos(angle), np.sin(angle)]),
            np.column_stack([1 - np.cos(angle), 0.5 - np.sin(angle)]),
        )
        X = (X - [0.5, 0.25]) * 0.65
    else:
        raise ValueError(f"unknown data set {name!r}")
    X = X + rng.normal(0, noise, X.shape)
    order = rng.permutation(n)
    return X[order], y[order]


# --- a training run and what the page draws -----------------------------------------------


@dataclass
class Snapshot:
    epoch: int
    train_loss: float  # cross-entropy (no penalty) on the training points
    test_loss: float
    boundary: np.ndarray  # (GRID, GRID): P(class 1) at grid[j], grid[i] is boundary[j, i]


@dataclass
class PlaygroundResult:
    params: dict
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    sizes: list[int]  # layer widths, input and output included
    n_weights: int
    grid: np.ndarray  # the GRID coordinates along each axis
    epochs: np.ndarray  # 0..epochs
    train_loss: np.ndarray  # cross-entropy per epoch (entry 0: at the start)
    test_loss: np.ndarray
    objective: np.ndarray  # what SGD minimised: train cross-entropy + (l2/2) Σ ||W||²
    snapshots: list[Snapshot]
    units: list[np.ndarray]  # per hidden layer, (units, GRID, GRID): each unit's activation over the plane
    train_acc: float
    test_acc: float
    diverged: bool  # the loss stopped being finite
    seconds: float = 0.0


def _spaced(last: int, k: int) -> set[int]:
    """About k epochs from 0 to last, denser early (the boundary moves most at the start)."""
    if last <= k:
        return set(range(last + 1))
    return {0, last} | set(np.geomspace(1, last, k - 1).round().astype(int).tolist())


def _cross_entropy(params: Params, X: np.ndarray, y: np.ndarray, activation: str) -> float:
    p = predict_proba(params, X, activation)
    return float(-np.log(np.clip(p[np.arange(len(y)), y], 1e-300, None)).mean())


def run(on_snapshot: Callable[[Snapshot], None] | None = None, **params) -> PlaygroundResult:
    """Train one network. `on_snapshot` sees each decision boundary as it is taken (a live page)."""
    from threadpoolctl import threadpool_limits

    p = validate(PARAMS, params)
    with threadpool_limits(limits=1):  # tiny matrices: one BLAS thread is faster, and the cores are shared
        return _run(p, on_snapshot)


def _run(p: dict, on_snapshot: Callable[[Snapshot], None] | None) -> PlaygroundResult:
    start = time.perf_counter()
    rng = np.random.default_rng(p["seed"])
    X, y = make_data(p["dataset"], p["n_points"], p["noise"], rng)
    n_test = min(max(1, round(p["test_fraction"] * len(y))), len(y) - 1)
    X_test, y_test, X_train, y_train = X[:n_test], y[:n_test], X[n_test:], y[n_test:]

    act = p["activation"]
    sizes = [2] + [p["units"]] * p["layers"] + [2]
    net = init_params(sizes, act, rng)
    grid = np.linspace(-EXTENT, EXTENT, GRID)
    plane = np.stack(np.meshgrid(grid, grid), axis=-1).reshape(-1, 2)  # row j*GRID + i is (grid[i], grid[j])

    def snapshot(epoch: int) -> Snapshot:
        boundary = predict_proba(net, plane, act)[:, 1].reshape(GRID, GRID)
        return Snapshot(epoch, train_loss[-1], test_loss[-1], boundary)

    train_loss = [_cross_entropy(net, X_train, y_train, act)]
    test_loss = [_cross_entropy(net, X_test, y_test, act)]
    objective = [loss_and_grads(net, X_train, y_train, act, p["l2"])[0]]
    keep = _spaced(p["epochs"], MAX_SNAPSHOTS)
    snapshots = [snapshot(0)]
    if on_snapshot is not None:
        on_snapshot(snapshots[-1])
    diverged = False
    m = p["batch_size"]
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(1, p["epochs"] + 1):
            budget.check()
            order = rng.permutation(len(y_train))
            for k in range(0, len(order), m):
                rows = order[k : k + m]
                _, grads = loss_and_grads(net, X_train[rows], y_train[rows], act, p["l2"])
                net = sgd_step(net, grads, p["lr"])
            objective.append(loss_and_grads(net, X_train, y_train, act, p["l2"])[0])
            train_loss.append(_cross_entropy(net, X_train, y_train, act))
            test_loss.append(_cross_entropy(net, X_test, y_test, act))
            if not np.isfinite(objective[-1]):
                diverged = True
            if epoch in keep or diverged:
                snapshots.append(snapshot(epoch))
                if on_snapshot is not None:
                    on_snapshot(snapshots[-1])
            if diverged:
                break
        _, hs = forward(net, plane, act)
    units = [h.T.reshape(-1, GRID, GRID) for h in hs[1:-1]]

    def accuracy(X_, y_):
        return float((predict_proba(net, X_, act).argmax(1) == y_).mean())

    return PlaygroundResult(
        params=p,
        X_train=X_train,
        y_train=y_train,
        X_test=X_test,
        y_test=y_test,
        sizes=sizes,
        n_weights=sum(W.size + b.size for W, b in net),
        grid=grid,
        epochs=np.arange(len(train_loss)),
        train_loss=np.array(train_loss),
        test_loss=np.array(test_loss),
        objective=np.array(objective),
        snapshots=snapshots,
        units=units,
        train_acc=accuracy(X_train, y_train),
        test_acc=accuracy(X_test, y_test),
        diverged=diverged,
        seconds=time.perf_counter() - start,
    )


def summarize(r: PlaygroundResult) -> str:
    p = r.params
    shape = " -> ".join(map(str, r.sizes))
    lines = [
        f"playground · {p['dataset']} (noise {p['noise']:g}) · {len(r.y_train)} train / {len(r.y_test)} test points",
        f"network {shape} ({p['activation']}, {r.n_weights} weights) · SGD lr {p['lr']:g}, batch "
        f"{p['batch_size']}, l2 {p['l2']:g}, {r.epochs[-1]} epochs in {r.seconds:.2f} s",
    ]
    if r.diverged:
        lines.append(f"DIVERGED at epoch {r.epochs[-1]}: the loss is no longer finite; lower the learning rate.")
        return "\n".join(lines)
    lines += [
        f"cross-entropy: train {r.train_loss[0]:.3f} -> {r.train_loss[-1]:.3f}, "
        f"test {r.test_loss[0]:.3f} -> {r.test_loss[-1]:.3f}",
        f"accuracy: train {r.train_acc:.1%}, test {r.test_acc:.1%}",
    ]
    return "\n".join(lines)
