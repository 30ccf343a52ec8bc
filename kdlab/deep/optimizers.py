"""Optimizers from scratch (SGD, momentum, Nesterov, AdaGrad, RMSprop, Adam, AdamW) racing on loss surfaces and digits.

Every optimizer turns the gradient g_t at the current weights w_t into a step. Written out in
numpy, each exactly as torch.optim computes it (tests/test_optimizers.py checks the iterates
against torch.optim step for step, to 1e-6):

    SGD        w ← w − η g
    momentum   b ← μ b + g                      w ← w − η b               (b₁ = g₁)
    Nesterov   b ← μ b + g                      w ← w − η (g + μ b)       (the look-ahead, rewritten)
    AdaGrad    s ← s + g²                       w ← w − η g / (√s + ε)
    RMSprop    v ← α v + (1 − α) g²             w ← w − η g / (√v + ε)
    Adam       m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²
               w ← w − η m̂ / (√v̂ + ε),  m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
    AdamW      w ← w (1 − η λ), then the Adam step   (decay decoupled from the gradient)

The race: the same start on four 2-D surfaces (an ill-conditioned quadratic, Rosenbrock's
valley, a saddle, Beale's function). A learning rate that suits SGD is far too small for
Adam (whose step is about η in every coordinate whatever the gradient's size), so by default
each optimizer races at its own best learning rate from the same grid (the one with the lowest
final loss); `lr_mode=shared` gives them all one. The same optimizers then train one small MLP
on the 8x8 digits (the playground's numpy network), and a learning-rate range test raises the
learning rate step by step until the training loss blows up.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from kdlab.core import budget
from kdlab.core.params import Param, validate
from kdlab.deep import playground

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")
SURFACES = ("quadratic", "rosenbrock", "saddle", "beale")

PARAMS: tuple[Param, ...] = (
    Param("surface", "rosenbrock", choices=SURFACES, help="the 2-D loss surface of the race"),
    Param("steps", 300, 10, 2000, help="steps of every optimizer on the surface"),
    Param("lr_mode", "tuned", choices=("tuned", "shared"), help="tuned: each at its best lr from a grid; shared: all at lr"),
    Param("lr", 0.001, 1e-5, 1.0, help="the one learning rate for lr_mode=shared"),
    Param("momentum", 0.9, 0.0, 0.99, help="μ of momentum and Nesterov, β₁ of Adam and AdamW"),
    Param("weight_decay", 0.01, 0.0, 0.5, help="AdamW's decoupled weight decay λ"),
    Param("epochs", 5, 1, 40, help="epochs of every optimizer on the digits network"),
    Param("digits_lr", "range", choices=("range", "default"),
          help="digits lr: range = the range test's lowest-loss lr / 10; default = common defaults"),
    Param("seed", 0, 0, 10_000, help="digits split, initial weights and batch order"),
)

# A small run of the same code path, for the common test of every experiment (tests/test_registry.py).
QUICK = {"steps": 20, "epochs": 1}

HYPER = {"alpha": 0.99, "beta2": 0.999, "eps_adagrad": 1e-10, "eps": 1e-8}  # torch.optim's defaults


# --- the method: one update per optimizer ---------------------------------------------------


def step(name: str, w: np.ndarray, g: np.ndarray, state: dict, lr: float, momentum: float = 0.9,
         weight_decay: float = 0.01) -> np.ndarray:  # fmt: skip
    """The weights after one step of optimizer `name`; `state` (its buffers, {} at first) is updated in place."""
    t = state["t"] = state.get("t", 0) + 1
    if name == "sgd":
        return w - lr * g
    if name in ("momentum", "nesterov"):
        b = state["b"] = g.copy() if t == 1 else momentum * state["b"] + g
        return w - lr * (g + momentum * b if name == "nesterov" else b)
    if name == "adagrad":
        s = state["s"] = state.get("s", 0.0) + g * g
        return w - lr * g / (np.sqrt(s) + HYPER["eps_adagrad"])
    if name == "rmsprop":
        a = HYPER["alpha"]
        v = state["v"] = a * state.get("v", 0.0) + (1 - a) * g * g
        return w - lr * g / (np.sqrt(v) + HYPER["eps"])
    if name in ("adam", "adamw"):
        b1, b2 = momentum, HYPER["beta2"]
        if name == "adamw":
            w = w * (1 - lr * weight_decay)  # decoupled: not added to g, so not rescaled by √v̂
        m = state["m"] = b1 * state.get("m", 0.0) + (1 - b1) * g
        v = state["v"] = b2 * state.get("v", 0.0) + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        return w - lr * m_hat / (np.sqrt(v_hat) + HYPER["eps"])
    raise ValueError(f"unknown optimizer {name!r}")


# --- the surfaces ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Surface:
    name: str
    start: tuple[float, float]
    minimum: tuple[float, float]  # where the lowest value in view is
    box: tuple[float, float, float, float]  # x0, x1, y0, y1 of the contour plot
    log_levels: bool  # contours of log(f - f_min): values span decades


SURFACE_INFO = {
    "quadratic": Surface("quadratic", (-4.0, 1.0), (0.0, 0.0), (-4.5, 4.5, -2.0, 2.0), True),
    "rosenbrock": Surface("rosenbrock", (-1.5, 2.0), (1.0, 1.0), (-2.0, 2.0, -1.0, 3.0), True),
    "saddle": Surface("saddle", (-1.5, 1e-3), (0.0, 1.0), (-2.0, 2.0, -1.5, 1.5), False),
    "beale": Surface("beale", (1.0, 1.5), (3.0, 0.5), (-0.5, 4.0, -1.5, 2.0), True),
}


def surface_value(name: str, x, y):
    """f(x, y); works on numbers, numpy arrays and torch tensors alike (the tests' autograd)."""
    if name == "quadratic":  # curvature 1 along x, 20 along y: condition number 20
        return 0.5 * (x**2 + 20 * y**2)
    if name == "rosenbrock":
        return (1 - x) ** 2 + 100 * (y - x**2) ** 2
    if name == "saddle":  # a saddle at the origin, minima at (0, ±1) with f = -1/4
        return 0.5 * x**2 - 0.5 * y**2 + 0.25 * y**4
    if name == "beale":
        return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2
    raise ValueError(f"unknown surface {name!r}")


def surface_grad(name: str, w: np.ndarray) -> np.ndarray:
    x, y = w
    if name == "quadratic":
        return np.array([x, 20 * y])
    if name == "rosenbrock":
        return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])
    if name == "saddle":
        return np.array([x, -y + y**3])
    if name == "beale":
        r = (1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3)
        dx = 2 * (r[0] * (y - 1) + r[1] * (y**2 - 1) + r[2] * (y**3 - 1))
        dy = 2 * (r[0] * x + r[1] * 2 * x * y + r[2] * 3 * x * y**2)
        return np.array([dx, dy])
    raise ValueError(f"unknown surface {name!r}")


def descend(surface: str, name: str, lr: float, steps: int, momentum: float = 0.9,
            weight_decay: float = 0.01) -> np.ndarray:  # fmt: skip
    """The path (steps + 1, 2) of one optimizer from the surface's start; stops once it leaves for infinity."""
    w, state = np.array(SURFACE_INFO[surface].start, dtype=float), {}
    path = [w]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            w = step(name, w, surface_grad(surface, w), state, lr, momentum, weight_decay)
            path.append(w)
            if not np.all(np.isfinite(w)) or np.abs(w).max() > 1e6:
                break
    return np.array(path)


LR_GRID = (*(m * 10.0**e for e in range(-4, 0) for m in (1, 2, 5)), 1.0)  # 1e-4, 2e-4, 5e-4, ..., 1


def best_lr(surface: str, name: str, steps: int, momentum: float, weight_decay: float) -> float:
    """The grid's learning rate with the lowest final value (a diverged run counts as +inf)."""

    def final(lr: float) -> float:
        end = descend(surface, name, lr, steps, momentum, weight_decay)[-1]
        value = surface_value(surface, *end) if np.all(np.isfinite(end)) and np.abs(end).max() <= 1e6 else np.inf
        return float(value) if np.isfinite(value) else np.inf

    return min(LR_GRID, key=final)


# --- digits: the same small network, every optimizer -----------------------------------------

DIGITS_LR = {"sgd": 0.1, "momentum": 0.01, "nesterov": 0.01, "adagrad": 0.05, "rmsprop": 0.001,
             "adam": 0.001, "adamw": 0.001}  # fmt: skip  # common starting points, not tuned here
HIDDEN = 32


def _digits(seed: int):
    d = load_digits()
    return train_test_split(d.data / 16.0, d.target, test_size=0.25, stratify=d.target, random_state=seed)


def _flat(net: playground.Params) -> np.ndarray:
    return np.concatenate([a.ravel() for W, b in net for a in (W, b)])


def _unflat(theta: np.ndarray, sizes: list[int]) -> playground.Params:
    net, k = [], 0
    for m, n in pairwise(sizes):
        W = theta[k : k + m * n].reshape(m, n)
        k += m * n
        net.append((W, theta[k : k + n]))
        k += n
    return net


def train_digits(name: str, lr: float, epochs: int, seed: int, data, momentum: float = 0.9,
                 weight_decay: float = 0.01, batch_size: int = 32) -> tuple[list[float], float]:  # fmt: skip
    """Train the 64-32-10 ReLU MLP with optimizer `name`: (train loss after each epoch, test accuracy)."""
    X_tr, X_te, y_tr, y_te = data
    sizes = [64, HIDDEN, 10]
    rng = np.random.default_rng(seed)
    theta = _flat(playground.init_params(sizes, "relu", rng))
    state: dict = {}
    losses = []
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(epochs):
            budget.check()
            order = rng.permutation(len(y_tr))
            for k in range(0, len(order), batch_size):
                rows = order[k : k + batch_size]
                _, grads = playground.loss_and_grads(_unflat(theta, sizes), X_tr[rows], y_tr[rows], "relu")
                theta = step(name, theta, _flat(grads), state, lr, momentum, weight_decay)
            losses.append(playground.loss_and_grads(_unflat(theta, sizes), X_tr, y_tr, "relu")[0])
    pred = playground.predict_proba(_unflat(theta, sizes), X_te, "relu").argmax(1)
    return losses, float((pred == y_te).mean())


def lr_range_test(name: str, data, seed: int, lr_min: float = 1e-4, lr_max: float = 10.0, n_steps: int = 250,
                  momentum: float = 0.9, weight_decay: float = 0.01) -> tuple[np.ndarray, np.ndarray, float | None]:  # fmt: skip
    """Smith's range test: one run, the learning rate multiplied by a constant each mini-batch from lr_min to
    lr_max, the (smoothed) training loss recorded. Stops once the loss, having fallen, climbs back above
    where it started (ln 10 for 10 classes: guessing) or above 4x its lowest: the learning rate there is where
    training diverges. Returns (lrs, smoothed losses, diverging lr or None)."""
    X_tr, _, y_tr, _ = data
    sizes = [64, HIDDEN, 10]
    rng = np.random.default_rng(seed)
    theta = _flat(playground.init_params(sizes, "relu", rng))
    lrs = np.geomspace(lr_min, lr_max, n_steps)
    state: dict = {}
    smooth, out = 0.0, []
    with np.errstate(over="ignore", invalid="ignore"):
        for i, lr in enumerate(lrs):
            rows = rng.choice(len(y_tr), 32, replace=False)
            loss, grads = playground.loss_and_grads(_unflat(theta, sizes), X_tr[rows], y_tr[rows], "relu")
            smooth = 0.9 * smooth + 0.1 * loss
            value = smooth / (1 - 0.9 ** (i + 1))  # moving average, bias-corrected as Adam's m̂
            out.append(value)
            if not np.isfinite(value) or (value > min(4 * min(out), out[0]) and min(out) < 0.9 * out[0]):
                return lrs[: i + 1], np.array(out), float(lr)
            theta = step(name, theta, _flat(grads), state, float(lr), momentum, weight_decay)
    return lrs, np.array(out), None


# --- one run: the race, digits, the range test --------------------------------------------


@dataclass
class Racer:
    name: str
    lr: float
    path: np.ndarray  # (k, 2)
    values: np.ndarray  # f along the path
    final: float  # f at the end (inf if it diverged)
    diverged: bool
    steps_to_near: int | None  # first step within 1e-3 of the lowest value in view; None if never


@dataclass
class DigitsRun:
    name: str
    lr: float
    train_loss: list[float]  # after each epoch
    test_acc: float


@dataclass
class RangeTest:
    name: str
    lrs: np.ndarray
    losses: np.ndarray
    diverges_at: float | None

    @property
    def suggested(self) -> float:
        """The usual rule: a tenth of the learning rate with the lowest loss."""
        return float(self.lrs[np.argmin(self.losses)] / 10)


@dataclass
class OptimizersResult:
    params: dict
    surface: Surface
    contour_x: np.ndarray
    contour_y: np.ndarray
    contour_f: np.ndarray  # (len(y), len(x))
    f_min: float  # the lowest value on the surface in view
    racers: list[Racer]
    digits: list[DigitsRun]
    range_tests: list[RangeTest]
    seconds: float = 0.0
    data: tuple = field(default=(), repr=False, metadata={"json": False})


F_MIN = {"quadratic": 0.0, "rosenbrock": 0.0, "saddle": -0.25, "beale": 0.0}


def run(**params) -> OptimizersResult:
    from threadpoolctl import threadpool_limits

    p = validate(PARAMS, params)
    with threadpool_limits(limits=1):  # tiny matrices: one BLAS thread is faster, and the cores are shared
        return _run(p)


def _run(p: dict) -> OptimizersResult:
    start = time.perf_counter()
    surf, info = p["surface"], SURFACE_INFO[p["surface"]]
    hyper = dict(momentum=p["momentum"], weight_decay=p["weight_decay"])
    racers = []
    for name in OPTIMIZERS:
        lr = p["lr"] if p["lr_mode"] == "shared" else best_lr(surf, name, p["steps"], **hyper)
        path = descend(surf, name, lr, p["steps"], **hyper)
        with np.errstate(over="ignore", invalid="ignore"):
            values = np.array([surface_value(surf, *w) for w in path], dtype=float)
        diverged = not np.isfinite(values[-1]) or np.abs(path[-1]).max() > 1e6
        near = np.flatnonzero(values - F_MIN[surf] < 1e-3)
        racers.append(Racer(name, lr, path, values, float(values[-1]) if not diverged else float("inf"), diverged,
                            int(near[0]) if len(near) else None))  # fmt: skip

    x0, x1, y0, y1 = info.box
    cx, cy = np.linspace(x0, x1, 120), np.linspace(y0, y1, 100)
    f = surface_value(surf, *np.meshgrid(cx, cy))

    data = _digits(p["seed"])
    range_tests = [RangeTest(name, *lr_range_test(name, data, p["seed"], **hyper)) for name in OPTIMIZERS]
    digits = []
    for name, rt in zip(OPTIMIZERS, range_tests, strict=True):
        lr = rt.suggested if p["digits_lr"] == "range" else DIGITS_LR[name]
        losses, acc = train_digits(name, lr, p["epochs"], p["seed"], data, **hyper)
        digits.append(DigitsRun(name, lr, losses, acc))
    return OptimizersResult(p, info, cx, cy, f, F_MIN[surf], racers, digits, range_tests,
                            time.perf_counter() - start, data)  # fmt: skip


def summarize(r: OptimizersResult) -> str:
    p = r.params
    mode = "each at its best lr from the grid" if p["lr_mode"] == "tuned" else f"all at lr {p['lr']:g}"
    lines = [f"optimizers on {p['surface']} from {r.surface.start}, {p['steps']} steps, {mode}:"]
    for c in r.racers:
        reach = f"within 1e-3 of the minimum at step {c.steps_to_near}" if c.steps_to_near is not None else "not within 1e-3"
        end = "DIVERGED" if c.diverged else f"f = {c.final:.3g}"
        lines.append(f"  {c.name:<9} lr {c.lr:<8g} {end:<14} {reach}")
    how = "lr = range test's lowest-loss lr / 10" if p["digits_lr"] == "range" else "common default lrs"
    lines.append(f"digits, 64-{HIDDEN}-10 MLP, {p['epochs']} epochs, batch 32 ({how}):")
    for d, rt in zip(r.digits, r.range_tests, strict=True):
        div = f"diverges from lr ≈ {rt.diverges_at:.2g}" if rt.diverges_at else "no divergence up to lr 10"
        lines.append(f"  {d.name:<9} lr {d.lr:<8.2g} train loss {d.train_loss[-1]:.3f}  test acc {d.test_acc:.1%}  "
                     f"range test: {div}")  # fmt: skip
    lines.append(f"in {r.seconds:.2f} s")
    return "\n".join(lines)
