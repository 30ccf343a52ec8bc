"""Linear regression by gradient descent (batch, mini-batch, SGD), checked against the closed form.

Every function here minimises, and every loss history records, the same objective
over the n training rows:

    L(w, b) = (1/2n) ||X w + b - y||² + (l2/2) ||w||²        (the bias b is not penalised)

Multiplied by 2n it is scikit-learn's Ridge objective ||y - Xw - b||² + alpha ||w||², so

    alpha = n * l2        and l2 = 0 is ordinary least squares (LinearRegression).

With `scale` on, gradient descent runs on standardised features z = (x - mean) / std
(training mean, population std: exactly StandardScaler), so the penalty acts on the
standardised coefficients: the sklearn twin is make_pipeline(StandardScaler(), Ridge(alpha=n*l2)).
Coefficients are always reported in original units, w = v / std and b = c - Σ v·mean / std,
while the contour plot and GD path stay in the coordinates GD actually ran in.

Mini-batch and stochastic GD use a constant learning rate, so they do not settle on the
optimum: they wander in a noise ball around it that shrinks with lr and grows as the
batch gets smaller. Numpy only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from kdlab.core.params import Param, validate
from kdlab.data import tabular as tabular_data

METHODS = ("batch", "minibatch", "sgd")

PARAMS: tuple[Param, ...] = (
    Param("dataset", "ad_spend", choices=tabular_data.DATASETS, help="data set"),
    Param("method", "batch", choices=METHODS, help="batch: all rows per step; sgd: one row per step"),
    Param("lr", 0.1, 1e-4, 2.0, help="learning rate (step size)"),
    Param("n_iter", 200, 1, 5000, help="number of parameter updates (steps, not epochs)"),
    Param("batch_size", 16, 1, 256, help="rows per step for method=minibatch"),
    Param("scale", True, help="standardise features before descending"),
    Param("l2", 0.0, 0.0, 10.0, help="L2 penalty; sklearn Ridge alpha = n_train * l2"),
    Param("seed", 0, 0, 10_000, help="seed for the generated data and the batch shuffles"),
)

# A small run of the same code path, for the common test of every experiment (tests/test_registry.py).
QUICK = {"n_iter": 20}


DIVERGE_FACTOR = 1e6  # a loss this many times the starting loss is declared divergence
MAX_FRAMES = 60  # (w, b) snapshots for the animated fit
MAX_PATH = 400  # points of the GD path on the contour plot
GRID = 61  # contour grid is GRID x GRID


def objective(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, l2: float = 0.0) -> float:
    """L(w, b) = (1/2n) ||Xw + b - y||² + (l2/2) ||w||²."""
    residual = X @ w + b - y
    return float(residual @ residual / (2 * len(y)) + l2 / 2 * (w @ w))


def closed_form(X: np.ndarray, y: np.ndarray, l2: float = 0.0) -> tuple[np.ndarray, float, int]:
    """The exact minimiser (w, b) of L, and the rank of [X 1].

    Ridge is least squares with p extra rows: stacking sqrt(n*l2)·[I 0] under [X 1], and
    zeros under y, adds n*l2·||w||² to the squared error, i.e. (l2/2)||w||² to L.
    If rank < p + 1 (dependent columns) and l2 = 0, infinitely many (w, b) fit equally
    well; lstsq (an SVD, i.e. the pseudo-inverse) returns the one of minimum norm.
    Gradient descent started at zero converges to that same one: each step adds
    [X 1]ᵀ·residual / n, so it never leaves the row space of [X 1].
    """
    n, p = X.shape
    A = np.column_stack([X, np.ones(n)])
    penalty_rows = np.sqrt(n * l2) * np.eye(p, p + 1)
    theta = np.linalg.lstsq(np.vstack([A, penalty_rows]), np.concatenate([y, np.zeros(p)]), rcond=None)[0]
    return theta[:p], float(theta[p]), int(np.linalg.matrix_rank(A))


@dataclass
class Descent:
    """What gradient_descent did: row t of ws/bs/losses is after t steps (row 0: the start)."""

    w: np.ndarray
    b: float
    losses: np.ndarray
    ws: np.ndarray
    bs: np.ndarray
    diverged_at: int | None  # the step whose loss blew up; None if it never did


def gradient_descent(
    X: np.ndarray,
    y: np.ndarray,
    *,
    lr: float = 0.1,
    n_iter: int = 200,
    batch_size: int | None = None,
    l2: float = 0.0,
    seed: int = 0,
) -> Descent:
    """Minimise L(w, b) from w = 0, b = 0 with n_iter steps of size lr.

    batch_size None (or >= n) is batch GD, 1 is stochastic GD, anything between is
    mini-batch GD; each epoch reshuffles the rows and visits every row once. A step's
    gradient averages its batch, so it is an unbiased estimate of the full gradient.
    Stops early if the loss exceeds DIVERGE_FACTOR x its starting value or stops being finite.
    """
    n, p = X.shape
    m = n if batch_size is None else min(batch_size, n)
    steps_per_epoch = -(-n // m)
    rng = np.random.default_rng(seed)
    order = np.arange(n)

    w, b = np.zeros(p), 0.0
    losses, ws, bs = [objective(X, y, w, b, l2)], [w], [b]
    limit = DIVERGE_FACTOR * max(losses[0], 1e-12)
    diverged_at = None
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging run may overflow before it is caught
        for t in range(n_iter):
            k = t % steps_per_epoch
            if k == 0 and m < n:
                order = rng.permutation(n)
            rows = order[k * m : (k + 1) * m]
            residual = X[rows] @ w + b - y[rows]
            grad_w = X[rows].T @ residual / len(rows) + l2 * w
            grad_b = residual.mean()
            w, b = w - lr * grad_w, float(b - lr * grad_b)

            losses.append(objective(X, y, w, b, l2))
            ws.append(w)
            bs.append(b)
            if not np.isfinite(losses[-1]) or losses[-1] > limit:
                diverged_at = t + 1
                break
    return Descent(w, b, np.array(losses), np.array(ws), np.array(bs), diverged_at)


@dataclass
class RegressionResult:
    """Coefficients are in original units; `surface_*` and `path` in the coordinates GD ran in."""

    params: dict
    feature_names: tuple[str, ...]
    feature_names_zh: tuple[str, ...]
    target_name: str
    target_name_zh: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray | None  # None: no held-out rows (four_points)
    y_test: np.ndarray | None
    w: np.ndarray  # gradient descent's final coefficients
    b: float
    w_closed: np.ndarray  # exact minimiser of the same objective (minimum-norm if not unique)
    b_closed: float
    true_w: np.ndarray | None  # the model that generated the data, if any
    true_b: float | None
    coef_gap: float  # max |GD - closed form| over (w, b), original units
    converged: bool  # coef_gap <= 1e-3 * (1 + max |closed form|) and not diverged
    rank: int  # rank of [X 1]
    rank_deficient: bool  # rank < p + 1: with l2 = 0 the least-squares (w, b) is not unique
    sklearn_alpha: float  # Ridge alpha for the same objective: n_train * l2
    lr_stable_below: float  # batch GD diverges for lr > 2 / largest Hessian eigenvalue
    condition_number: float  # largest / smallest nonzero Hessian eigenvalue: slow valleys when large
    loss_history: np.ndarray  # L after each step, entry 0 = at the start
    train_mse: float  # mean squared error, no 1/2, no penalty
    test_mse: float | None
    test_r2: float | None
    frame_steps: np.ndarray  # <= MAX_FRAMES step numbers for the animated fit
    frame_w: np.ndarray  # (frames, p), original units
    frame_b: np.ndarray
    surface_coords: str  # "standardised" or "original": the units of surface axes and path
    surface_axes: tuple[str, str]  # ("w", "b") for one feature, ("w1", "w2") for two
    surface_kind: str  # how the axes not shown are set
    surface_u: np.ndarray  # grid along the first axis
    surface_v: np.ndarray  # grid along the second axis
    surface_loss: np.ndarray  # (len(v), len(u)): L at (u[i], v[j]) is surface_loss[j, i]
    surface_opt: np.ndarray  # the closed-form optimum on those axes
    path: np.ndarray  # (k, 2) GD iterates on those axes
    path_steps: np.ndarray  # the step number of each path point
    diverged: bool
    diverged_at: int | None
    seconds: float = 0.0  # wall time of run()


def run(**params) -> RegressionResult:
    start = time.perf_counter()
    p = validate(PARAMS, params)
    data = tabular_data.load(p["dataset"], p["seed"])
    X, y = data.X_train, data.y_train
    n, n_features = X.shape

    mean, std = np.zeros(n_features), np.ones(n_features)
    if p["scale"]:
        mean, std = X.mean(axis=0), X.std(axis=0)
        std[std == 0] = 1.0  # a constant column stays zero rather than dividing by zero
    Z = (X - mean) / std

    batch_size = {"batch": None, "minibatch": p["batch_size"], "sgd": 1}[p["method"]]
    gd = gradient_descent(
        Z, y, lr=p["lr"], n_iter=p["n_iter"], batch_size=batch_size, l2=p["l2"], seed=p["seed"]
    )
    v_star, c_star, rank = closed_form(Z, y, p["l2"])

    def original(v: np.ndarray, c: np.ndarray | float):
        """Standardised (v, c) -> original units; works on one vector or a stack of snapshots."""
        w = v / std
        return w, c - w @ mean

    w, b = original(gd.w, gd.b)
    w_closed, b_closed = original(v_star, c_star)
    with np.errstate(over="ignore", invalid="ignore"):
        coef_gap = float(np.max(np.abs(np.r_[w - w_closed, b - b_closed])))
        train_mse = float(np.mean((X @ w + b - y) ** 2))
        test_mse = test_r2 = None
        if data.X_test is not None:
            test_mse = float(np.mean((data.X_test @ w + b - data.y_test) ** 2))
            test_r2 = 1.0 - test_mse / float(np.var(data.y_test))

    hessian = _hessian(Z, p["l2"])
    eig = np.linalg.eigvalsh(hessian)
    nonzero = eig[eig > eig[-1] * 1e-10]

    frames = _spaced_steps(len(gd.losses) - 1, MAX_FRAMES)
    frame_w, frame_b = original(gd.ws[frames], gd.bs[frames])
    surface = _surface(Z, y, p["l2"], v_star, c_star, gd)
    diverged = gd.diverged_at is not None
    return RegressionResult(
        params=p,
        feature_names=data.feature_names,
        feature_names_zh=data.feature_names_zh,
        target_name=data.target_name,
        target_name_zh=data.target_name_zh,
        X_train=X,
        y_train=y,
        X_test=data.X_test,
        y_test=data.y_test,
        w=w,
        b=float(b),
        w_closed=w_closed,
        b_closed=float(b_closed),
        true_w=data.true_w,
        true_b=data.true_b,
        coef_gap=coef_gap,
        converged=bool(not diverged and coef_gap <= 1e-3 * (1 + np.max(np.abs(np.r_[w_closed, b_closed])))),
        rank=rank,
        rank_deficient=rank < n_features + 1,
        sklearn_alpha=n * p["l2"],
        lr_stable_below=float(2 / eig[-1]),
        condition_number=float(eig[-1] / nonzero[0]),
        loss_history=gd.losses,
        train_mse=train_mse,
        test_mse=test_mse,
        test_r2=test_r2,
        frame_steps=frames,
        frame_w=frame_w,
        frame_b=frame_b,
        surface_coords="standardised" if p["scale"] else "original",
        diverged=diverged,
        diverged_at=gd.diverged_at,
        seconds=time.perf_counter() - start,
        **surface,
    )


def _hessian(Z: np.ndarray, l2: float) -> np.ndarray:
    """Hessian of L in (w, b): [Z 1]ᵀ[Z 1] / n plus l2 on the w block."""
    n, p = Z.shape
    A = np.column_stack([Z, np.ones(n)])
    return A.T @ A / n + l2 * np.diag(np.r_[np.ones(p), 0.0])


def _spaced_steps(last: int, k: int) -> np.ndarray:
    """Up to k step numbers from 0 to last, log-spaced: early steps change the most."""
    if last <= k:
        return np.arange(last + 1)
    return np.unique(np.r_[0, np.geomspace(1, last, k - 1).round().astype(int)])


def _surface(Z, y, l2, v_star, c_star, gd: Descent) -> dict:
    """L on a grid through the optimum: over (w, b) for one feature, over (w1, w2) for two.

    With two features b is set to its best value for each (w1, w2), b = mean(y) - mean(z)·w
    (b is unpenalised), so the plot is the loss with b optimised out. Dependent columns
    then show as a flat valley of equally good (w1, w2).
    """
    p = Z.shape[1]
    steps = _spaced_steps(len(gd.losses) - 1, MAX_PATH)
    if p == 1:
        axes, kind = ("w", "b"), "all parameters shown"
        path = np.column_stack([gd.ws[steps, 0], gd.bs[steps]])
        opt = np.array([v_star[0], c_star])
    else:
        axes, kind = ("w1", "w2"), "b at its optimum for each (w1, w2)"
        path = gd.ws[steps, :2]
        opt = v_star[:2].copy()

    # Frame the optimum, the start and the path, but not a diverging path's far-away points.
    reach = 2 * max(np.linalg.norm(opt), 1e-3)
    with np.errstate(over="ignore", invalid="ignore"):
        near = np.linalg.norm(path - opt, axis=1) <= reach
    points = np.vstack([opt, np.zeros(2), path[near]])
    lo, hi = points.min(axis=0), points.max(axis=0)
    half = np.maximum((hi - lo) / 2, (hi - lo).max() / 4) * 1.15 + 1e-6
    mid = (lo + hi) / 2
    u = np.linspace(mid[0] - half[0], mid[0] + half[0], GRID)
    v = np.linspace(mid[1] - half[1], mid[1] + half[1], GRID)

    U, V = np.meshgrid(u, v)
    if p == 1:
        W, B = U[..., None], V
    else:
        W = np.stack([U, V], axis=-1)
        B = y.mean() - W @ Z.mean(axis=0)
    residual = np.einsum("...j,ij->...i", W, Z) + B[..., None] - y
    loss = (residual**2).mean(axis=-1) / 2 + l2 / 2 * (W**2).sum(axis=-1)
    return {
        "surface_axes": axes,
        "surface_kind": kind,
        "surface_u": u,
        "surface_v": v,
        "surface_loss": loss,
        "surface_opt": opt,
        "path": path,
        "path_steps": steps,
    }


def summarize(r: RegressionResult) -> str:
    p = r.params
    method = {"batch": "batch GD", "minibatch": f"mini-batch GD (batch {p['batch_size']})", "sgd": "SGD"}
    space = "standardised features" if p["scale"] else "raw features"
    lines = [
        f"regression · {p['dataset']} · {method[p['method']]} · lr {p['lr']:g} · {p['n_iter']} steps · "
        f"{space} · l2 {p['l2']:g} (sklearn Ridge alpha {r.sklearn_alpha:g})",
    ]
    if r.diverged:
        lines += [
            f"DIVERGED at step {r.diverged_at}: the loss grew from {r.loss_history[0]:.4g} to "
            f"{r.loss_history[-1]:.4g} and the run was stopped.",
            f"  Each step overshot the minimum by more than the last. For batch GD on this data a "
            f"learning rate below {r.lr_stable_below:.3g} is stable; lower lr"
            + ("." if p["scale"] else ", or standardise the features."),
        ]
        return "\n".join(lines)

    lines.append(
        f"loss L: {r.loss_history[0]:.6g} at the start -> {r.loss_history[-1]:.6g} after the last step"
    )
    lines.append(f"gradient descent: {_equation(r.w, r.b, r)}")
    lines.append(
        f"closed form:      {_equation(r.w_closed, r.b_closed, r)}   (max |difference| {r.coef_gap:.2g})"
    )
    if r.true_w is not None:
        lines.append(f"true model:       {_equation(r.true_w, r.true_b, r)}   (+ noise)")
    if not r.converged:
        lines.append(f"not converged to the closed form yet: {_why_not_converged(r)}")
    if r.rank_deficient:
        lines.append(
            f"note: the columns of [X 1] are linearly dependent (rank {r.rank} of {len(r.w) + 1}), so "
            + (
                "the penalty is what makes the solution unique."
                if p["l2"] > 0
                else "many (w, b) fit equally well; the closed form shows the one of minimum norm "
                f"(measured in {r.surface_coords} units), which gradient descent started at zero also "
                "approaches."
            )
        )
    lines.append(f"train MSE {r.train_mse:.4g}")
    if r.test_mse is None:
        lines.append("test: none (only 4 rows, nothing held out)")
    else:
        lines.append(f"test ({len(r.y_test)} held-out rows): MSE {r.test_mse:.4g}, R² {r.test_r2:.3f}")
    return "\n".join(lines)


def _why_not_converged(r: RegressionResult) -> str:
    if r.params["method"] != "batch":
        return "with a constant lr, mini-batch GD and SGD only wander near the optimum; a smaller lr narrows that"
    if r.params["lr"] >= 0.99 * r.lr_stable_below:
        return (
            f"lr is at the edge of stability ({r.lr_stable_below:.3g} = 2 / largest curvature): "
            "the steps bounce across the minimum without getting closer"
        )
    if r.params["scale"]:
        return "more steps or a larger lr"
    return (
        f"more steps, a larger lr (stable below {r.lr_stable_below:.3g}) or standardised features: "
        f"the raw-feature loss bowl is a long narrow valley (condition number {r.condition_number:.3g})"
    )


def _equation(w, b, r: RegressionResult) -> str:
    terms = " ".join(
        f"{'+' if wj >= 0 else '-'} {abs(wj):.4g}·{name}" for wj, name in zip(w, r.feature_names, strict=True)
    )
    return f"{r.target_name} = {b:.4g} {terms}"
