"""Logistic regression by gradient descent (batch or mini-batch, L2), on 2-D data, checked against Newton and scikit-learn.

The model is p(y=1 | x) = σ(wᵀφ(x) + b), σ(z) = 1 / (1 + e^-z), where φ(x) are the two
coordinates or, with `degree` > 1, every monomial x1^i·x2^j with 1 <= i + j <= degree,
standardised with the training mean and std. Every function here minimises, and every
history records, the same objective over the n training rows:

    L(w, b) = (1/n) Σ_i [log(1 + e^{z_i}) - y_i z_i] + (l2/2) ||w||²,   z_i = wᵀφ(x_i) + b

(the mean log-loss, i.e. binary cross-entropy, plus L2 on w; the intercept b is not penalised).
Its gradient is ∇_w L = (1/n) Φᵀ(p - y) + l2·w and ∂L/∂b = mean(p - y): the σ' = p(1 - p)
factor of the chain rule cancels against the log-loss's 1 / (p(1 - p)).

scikit-learn's LogisticRegression minimises C Σ_i ℓ_i + ½||w||² (lbfgs leaves the intercept
unpenalised too). Dividing ours by l2·n gives the same problem, so

    C = 1 / (n · l2)        and l2 = 0 is C = inf (no penalty).

On separable data with l2 = 0 no finite minimiser exists: scaling w up always lowers the loss,
so ||w|| grows for as long as gradient descent runs. Numpy only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from kdlab.core.params import Param, validate
from kdlab.data import planar

METHODS = ("batch", "minibatch")

PARAMS: tuple[Param, ...] = (
    Param("dataset", "moons", choices=planar.DATASETS, help="2-D data set"),
    Param("degree", 3, 1, 6, help="polynomial features up to this total degree (1: the two coordinates)"),
    Param("method", "batch", choices=METHODS, help="batch: all rows per step; minibatch: batch_size rows"),
    Param("lr", 2.0, 1e-3, 10.0, help="learning rate (step size)"),
    Param("n_iter", 2500, 1, 5000, help="number of parameter updates (steps, not epochs)"),
    Param("batch_size", 16, 1, 256, help="rows per step for method=minibatch"),
    Param("l2", 0.001, 0.0, 0.1, help="L2 penalty on w; sklearn C = 1 / (n_train * l2)"),
    Param("n_samples", 200, 20, 1000, help="points generated (train + test)"),
    Param("noise", 0.2, 0.0, 1.0, help="Gaussian jitter of the points"),
    Param("seed", 0, 0, 10_000, help="seed for the data and the mini-batch shuffles"),
)

QUICK = {"n_iter": 20, "n_samples": 60}

DIVERGE_FACTOR = 100  # an objective this many times its start (log 2) is declared divergence
MAX_FRAMES = 30  # probability-surface snapshots for the animation
GRID = 60  # the surface is GRID x GRID


def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-z), written with e^-|z| <= 1 so that no exp overflows for large |z|."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def log_loss(z: np.ndarray, y: np.ndarray) -> float:
    """Mean of -[y log σ(z) + (1 - y) log(1 - σ(z))] = log(1 + e^z) - y z, computed from the logits z."""
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def objective(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, l2: float = 0.0) -> float:
    """L(w, b): mean log-loss plus (l2/2) ||w||²."""
    return log_loss(X @ w + b, y) + l2 / 2 * float(w @ w)


def gradient(
    X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, l2: float = 0.0
) -> tuple[np.ndarray, float]:
    """(∇_w L, ∂L/∂b) on the rows given: (1/n) Xᵀ(p - y) + l2·w and mean(p - y)."""
    error = sigmoid(X @ w + b) - y  # p - y
    return X.T @ error / len(y) + l2 * w, float(error.mean())


@dataclass
class Descent:
    """What gradient_descent did: row t of ws/bs is after t steps (row 0: the start, w = 0, b = 0)."""

    w: np.ndarray
    b: float
    ws: np.ndarray
    bs: np.ndarray
    diverged_at: int | None  # the step whose objective blew up; None if it never did


def gradient_descent(
    X: np.ndarray,
    y: np.ndarray,
    *,
    lr: float = 1.0,
    n_iter: int = 500,
    batch_size: int | None = None,
    l2: float = 0.0,
    seed: int = 0,
) -> Descent:
    """Minimise L(w, b) from zero with n_iter steps of size lr.

    batch_size None (or >= n) is batch GD; smaller is mini-batch GD: each epoch reshuffles
    the rows and visits every row once, and each step's gradient is the mean over its
    batch (an unbiased estimate of the full gradient, L2 term included). Stops early if the
    objective exceeds DIVERGE_FACTOR x its starting value log 2 (lr too large for the curvature).
    """
    n, d = X.shape
    m = n if batch_size is None else min(batch_size, n)
    steps_per_epoch = -(-n // m)
    rng = np.random.default_rng(seed)
    order = np.arange(n)

    w, b = np.zeros(d), 0.0
    ws, bs = [w], [b]
    diverged_at = None
    for t in range(n_iter):
        k = t % steps_per_epoch
        if k == 0 and m < n:
            order = rng.permutation(n)
        rows = order[k * m : (k + 1) * m]
        grad_w, grad_b = gradient(X[rows], y[rows], w, b, l2)
        w, b = w - lr * grad_w, b - lr * grad_b
        ws.append(w)
        bs.append(b)
        if objective(X, y, w, b, l2) > DIVERGE_FACTOR * np.log(2):
            diverged_at = t + 1
            break
    return Descent(w, float(b), np.array(ws), np.array(bs), diverged_at)


def newton(X: np.ndarray, y: np.ndarray, l2: float, max_iter: int = 100) -> tuple[np.ndarray, float] | None:
    """The exact minimiser by Newton's method with a backtracking line search, or None if it has
    no finite one.

    Hessian H = (1/n) [X 1]ᵀ diag(p(1 - p)) [X 1] + l2 on the w block. The objective is convex, so
    the damped Newton step converges whenever a minimiser exists (l2 > 0 always; l2 = 0 unless the
    classes are separable). On separable data with l2 = 0 the weights run off to infinity while
    every row ends up on its side of the boundary: that is returned as None.
    """
    n, d = X.shape
    A = np.column_stack([X, np.ones(n)])
    penalty = l2 * np.diag(np.r_[np.ones(d), 0.0])

    def f(theta):
        return log_loss(A @ theta, y) + theta @ penalty @ theta / 2

    theta = np.zeros(d + 1)
    for _ in range(max_iter):
        p = sigmoid(A @ theta)
        g = A.T @ (p - y) / n + penalty @ theta
        if np.max(np.abs(g)) < 1e-10:
            if l2 == 0 and np.all((A @ theta > 0) == (y == 1)):
                return None  # every row on its side: the gradient only vanished because ||w|| is huge
            return theta[:d], float(theta[d])
        H = (A * (p * (1 - p))[:, None]).T @ A / n + penalty
        step = np.linalg.lstsq(H, g, rcond=None)[0]
        s, f0 = 1.0, f(theta)
        while f(theta - s * step) > f0 - 1e-4 * s * (g @ step) and s > 1e-10:
            s /= 2  # halve until the objective falls enough (Armijo)
        theta = theta - s * step
        if np.max(np.abs(theta)) > 1e6:
            return None
    return None


def polynomial_features(X: np.ndarray, degree: int) -> tuple[np.ndarray, tuple[str, ...]]:
    """Every monomial x1^i x2^j with 1 <= i + j <= degree, in scikit-learn's PolynomialFeatures
    order (by degree, then by falling power of x1), and their names."""
    columns, names = [], []
    for k in range(1, degree + 1):
        for i in range(k, -1, -1):
            j = k - i
            columns.append(X[:, 0] ** i * X[:, 1] ** j)
            names.append("·".join(n for n in (_power("x1", i), _power("x2", j)) if n))
    return np.column_stack(columns), tuple(names)


def _power(name: str, k: int) -> str:
    return "" if k == 0 else name if k == 1 else f"{name}^{k}"


# ---- bookkeeping for the page: features, snapshots, curves -----------------------------------


@dataclass
class Features:
    """φ(x): polynomial features standardised with the training rows' mean and (population) std."""

    degree: int
    mean: np.ndarray
    std: np.ndarray

    def __call__(self, X: np.ndarray) -> np.ndarray:
        return (polynomial_features(X, self.degree)[0] - self.mean) / self.std

    @classmethod
    def fit(cls, X: np.ndarray, degree: int) -> Features:
        F = polynomial_features(X, degree)[0]
        std = F.std(axis=0)
        std[std == 0] = 1.0
        return cls(degree, F.mean(axis=0), std)


@dataclass
class LogisticResult:
    params: dict
    feature_names: tuple[str, ...]  # the columns of φ, standardised
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    w: np.ndarray  # gradient descent's final coefficients on the standardised features
    b: float
    w_opt: np.ndarray | None  # the exact minimiser (Newton); None when there is none (l2 = 0, separable)
    b_opt: float | None
    coef_gap: float | None  # max |GD - optimum| over (w, b)
    sklearn_C: float  # LogisticRegression's C for the same objective: 1 / (n_train * l2), inf for l2 = 0
    lr_stable_below: float  # batch GD is guaranteed to descend for lr < 2 / (largest curvature bound)
    objective_history: np.ndarray  # L (with the penalty) after each step, entry 0 = at the start
    train_loss: np.ndarray  # mean log-loss on the training rows after each step (no penalty)
    test_loss: np.ndarray  # the same on the held-out rows
    weight_norm: np.ndarray  # ||w|| after each step
    train_accuracy: float
    test_accuracy: float
    grid_x: np.ndarray  # the surface's axes (original coordinates)
    grid_y: np.ndarray
    frame_steps: np.ndarray  # <= MAX_FRAMES step numbers, log-spaced, the last = n_iter
    frame_proba: np.ndarray  # (frames, len(grid_y), len(grid_x)): p(y=1) at each snapshot
    diverged_at: int | None  # the step at which the objective blew up (lr too large); None: it did not
    bouncing: (
        bool  # batch GD's objective still rises in the last steps: lr too large, it jumps across the minimum
    )
    seconds: float = 0.0


def run(**params) -> LogisticResult:
    p = validate(PARAMS, params)
    return run_on(planar.load(p["dataset"], p["n_samples"], p["noise"], p["seed"]), **p)


def run_on(data: planar.Planar, **params) -> LogisticResult:
    """The same run on given train/test rows (a learner's upload); dataset, n_samples and noise are unused."""
    start = time.perf_counter()
    p = validate(PARAMS, params)
    phi = Features.fit(data.X_train, p["degree"])
    Z, Z_test = phi(data.X_train), phi(data.X_test)
    y, y_test = data.y_train.astype(float), data.y_test.astype(float)
    n = len(y)

    batch_size = None if p["method"] == "batch" else p["batch_size"]
    gd = gradient_descent(
        Z, y, lr=p["lr"], n_iter=p["n_iter"], batch_size=batch_size, l2=p["l2"], seed=p["seed"]
    )
    opt = newton(Z, y, p["l2"])
    w_opt, b_opt = opt if opt is not None else (None, None)

    logits = gd.ws @ Z.T + gd.bs[:, None]  # (steps + 1, n)
    logits_test = gd.ws @ Z_test.T + gd.bs[:, None]
    train_loss = np.mean(np.logaddexp(0.0, logits) - y * logits, axis=1)
    test_loss = np.mean(np.logaddexp(0.0, logits_test) - y_test * logits_test, axis=1)
    norms = np.linalg.norm(gd.ws, axis=1)

    gx, gy = planar.grid(np.vstack([data.X_train, data.X_test]), GRID)
    G = phi(
        np.column_stack([np.repeat(gx[None, :], GRID, 0).ravel(), np.repeat(gy[:, None], GRID, 1).ravel()])
    )
    frames = _spaced_steps(len(gd.ws) - 1, MAX_FRAMES)
    proba = sigmoid(gd.ws[frames] @ G.T + gd.bs[frames, None]).reshape(len(frames), GRID, GRID)

    # L's Hessian is at most (1/4n)[Z 1]ᵀ[Z 1] + l2 (σ' <= 1/4), so lr < 2 / that bound always descends.
    A = np.column_stack([Z, np.ones(n)])
    curvature = np.linalg.eigvalsh(A.T @ A / (4 * n))[-1] + p["l2"]
    gap = None if w_opt is None else float(np.max(np.abs(np.r_[gd.w - w_opt, gd.b - b_opt])))
    return LogisticResult(
        params=p,
        feature_names=polynomial_features(data.X_train[:1], p["degree"])[1],
        X_train=data.X_train,
        y_train=data.y_train,
        X_test=data.X_test,
        y_test=data.y_test,
        w=gd.w,
        b=gd.b,
        w_opt=w_opt,
        b_opt=b_opt,
        coef_gap=gap,
        sklearn_C=float("inf") if p["l2"] == 0 else 1.0 / (n * p["l2"]),
        lr_stable_below=float(2 / curvature),
        objective_history=train_loss + p["l2"] / 2 * norms**2,
        train_loss=train_loss,
        test_loss=test_loss,
        weight_norm=norms,
        train_accuracy=float(np.mean((logits[-1] > 0) == (y == 1))),
        test_accuracy=float(np.mean((logits_test[-1] > 0) == (y_test == 1))),
        grid_x=gx,
        grid_y=gy,
        frame_steps=frames,
        frame_proba=proba,
        diverged_at=gd.diverged_at,
        bouncing=bool(
            p["method"] == "batch"
            and np.any(np.diff(train_loss[-50:] + p["l2"] / 2 * norms[-50:] ** 2) > 1e-12)
        ),
        seconds=time.perf_counter() - start,
    )


def _spaced_steps(last: int, k: int) -> np.ndarray:
    """Up to k step numbers from 0 to last, log-spaced: early steps change the most."""
    if last <= k:
        return np.arange(last + 1)
    return np.unique(np.r_[0, np.geomspace(1, last, k - 1).round().astype(int)])


def summarize(r: LogisticResult) -> str:
    p = r.params
    method = "batch GD" if p["method"] == "batch" else f"mini-batch GD (batch {p['batch_size']})"
    C = "inf (no penalty)" if r.sklearn_C == float("inf") else f"{r.sklearn_C:.4g}"
    head = (
        f"logistic · {p['dataset']} ({len(r.y_train)} train, {len(r.y_test)} test) · degree {p['degree']} "
        f"({len(r.w)} features) · {method} · lr {p['lr']:g} · {p['n_iter']} steps · l2 {p['l2']:g} (sklearn C {C})"
    )
    if r.diverged_at is not None:
        return (
            f"{head}\nDIVERGED at step {r.diverged_at}: the objective grew past {DIVERGE_FACTOR} x log 2 and the run "
            f"was stopped. Lower lr: batch GD surely descends for lr below {r.lr_stable_below:.3g}."
        )
    lines = [
        head,
        f"objective L: {r.objective_history[0]:.4f} at the start -> {r.objective_history[-1]:.4f}",
        f"log-loss: train {r.train_loss[-1]:.4f}, test {r.test_loss[-1]:.4f}; "
        f"accuracy: train {r.train_accuracy:.1%}, test {r.test_accuracy:.1%}",
        "coefficients (standardised features): b = "
        + f"{r.b:.4g}, "
        + ", ".join(f"{name} {wj:+.4g}" for name, wj in zip(r.feature_names, r.w, strict=True)),
    ]
    if r.w_opt is None:
        lines.append(
            f"no finite optimum: with l2 = 0 these features separate the training classes, so ||w|| keeps "
            f"growing ({r.weight_norm[-1]:.3g} now) as long as GD runs."
        )
    else:
        lines.append(f"max |GD - exact optimum (Newton)| = {r.coef_gap:.2g}")
        if r.coef_gap > 1e-3:
            why = (
                "mini-batch GD with a constant lr wanders near the optimum"
                if p["method"] == "minibatch"
                else f"lr is too large: the steps bounce across the minimum (batch GD surely descends below "
                f"lr {r.lr_stable_below:.3g})"
                if r.bouncing
                else "more steps or a larger lr"
            )
            lines.append(f"not converged yet: {why}")
    return "\n".join(lines)
