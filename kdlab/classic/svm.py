"""Support vector machines from scratch: the primal by Pegasos, the kernel SVM (linear, RBF, polynomial) by SMO.

The soft-margin SVM (Cortes & Vapnik 1995) with labels y in {-1, +1}:

    primal   min_{w,b}  P(w, b) = ½||w||² + C Σ_i max(0, 1 - y_i (w·x_i + b))      (b is not penalised)
    dual     max_α      D(α) = Σ_i α_i - ½ Σ_ij α_i α_j y_i y_j K(x_i, x_j),   0 <= α_i <= C,  Σ_i α_i y_i = 0
    f(x) = Σ_i α_i y_i K(x_i, x) + b;  support vectors: α_i > 0;  slack ξ_i = max(0, 1 - y_i f(x_i))

At the optimum P = D (strong duality), so D(α) <= P(w, b) brackets the optimum for any feasible α.

Pegasos (Shalev-Shwartz, Singer, Srebro & Cotter 2011) minimises the same primal divided by nC,
λ/2 ||w||² + (1/n) Σ hinge, with λ = 1/(nC), by stochastic subgradient steps of size η_t = 1/(λ t) on
mini-batches; the bias gets the same subgradient step, unpenalised. Its error shrinks like 1/(λ t), so
at small λ (large C) it needs very many steps: this module measures how far it gets, it does not hide it.

SMO (Platt 1998, with the second-order working-set choice of Fan, Chen & Lin 2005, as in LIBSVM)
solves the dual exactly: each step moves the two α that most violate the optimality conditions,
analytically, inside the box. It handles every kernel and every C; the primal (w, b) of a linear
kernel is w = Σ α_i y_i x_i. Numpy only; the kernel matrix is held in memory (n <= 400).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from kdlab.core.params import Param, validate

DATASETS = ("blobs", "moons", "circles")
KERNELS = ("linear", "rbf", "poly")

PARAMS: tuple[Param, ...] = (
    Param("dataset", "blobs", choices=DATASETS, help="2-D data: two overlapping blobs, two moons, two rings"),
    Param("n", 200, 20, 400, help="training points (as many again are held out)"),
    Param("noise", 0.3, 0.0, 1.0, help="spread of the points around their shape"),
    Param(
        "kernel",
        "linear",
        choices=KERNELS,
        help="K(x, z): x·z, exp(-gamma||x-z||²) or (gamma x·z + 1)^degree",
    ),
    Param("C", 1.0, 0.01, 100.0, help="penalty on the hinge loss; small C = wide margin, more slack"),
    Param("gamma", 1.0, 0.01, 100.0, help="RBF / polynomial kernel scale"),
    Param("degree", 3, 2, 5, help="degree of the polynomial kernel"),
    Param("pegasos_steps", 10_000, 100, 100_000, help="Pegasos steps for the linear primal"),
    Param("seed", 0, 0, 10_000, help="seed of the data and of Pegasos' batches"),
)

QUICK = {"n": 40, "pegasos_steps": 500}

TOL = 1e-5  # SMO stops when the maximal KKT violation is below this (LIBSVM's default is 1e-3: at C = 100
# that leaves the primal up to 2% above the optimum on our data; 1e-5 costs a few more steps)
MAX_ITER = 40_000  # SMO steps at most (about 3 s); a run that hits it says so
BATCH = 8  # Pegasos mini-batch size
GRID = 80  # decision-function grid for the plots is GRID x GRID


# ---------------------------------------------------------------- the methods


def kernel_matrix(
    A: np.ndarray, B: np.ndarray, kernel: str, gamma: float = 1.0, degree: int = 3
) -> np.ndarray:
    """K[i, j] = K(A_i, B_j)."""
    if kernel == "linear":
        return A @ B.T
    if kernel == "rbf":
        sq = (A**2).sum(1)[:, None] + (B**2).sum(1)[None, :] - 2 * A @ B.T
        return np.exp(-gamma * np.maximum(sq, 0.0))
    return (gamma * A @ B.T + 1.0) ** degree


def pegasos(X: np.ndarray, y: np.ndarray, C: float, steps: int, seed: int = 0, record=()):
    """Mini-batch Pegasos on P(w, b)/(nC): step 1/(λt), λ = 1/(nC); b unpenalised.

    Returns (w, b, {step: (w, b)} at the steps listed in `record`)."""
    n, d = X.shape
    lam = 1.0 / (n * C)
    rng = np.random.default_rng(seed)
    w, b = np.zeros(d), 0.0
    snapshots, record = {}, set(record)
    for t in range(1, steps + 1):
        batch = rng.integers(0, n, BATCH)
        eta = 1.0 / (lam * t)
        violated = y[batch] * (X[batch] @ w + b) < 1
        yv = y[batch][violated]
        w = (1 - eta * lam) * w + eta / BATCH * (yv @ X[batch][violated])
        b = b + eta / BATCH * yv.sum()
        if t in record:
            snapshots[t] = (w.copy(), b)
    return w, b, snapshots


def smo(K: np.ndarray, y: np.ndarray, C: float, tol: float = TOL, max_iter: int = MAX_ITER):
    """The dual by SMO: returns (α, b, steps taken, converged). Q_ij = y_i y_j K_ij; G = Qα - 1 is the dual's gradient."""
    n = len(y)
    Q = (y[:, None] * y[None, :]) * K
    QD = np.diag(Q).copy()
    alpha, G = np.zeros(n), -np.ones(n)
    steps, converged = 0, False
    while steps < max_iter:
        # I_up: α_t can move so that y_t α_t grows; I_low: so that it shrinks.
        up = ((y > 0) & (alpha < C)) | ((y < 0) & (alpha > 0))
        low = ((y > 0) & (alpha > 0)) | ((y < 0) & (alpha < C))
        score = -y * G
        i = np.flatnonzero(up)[np.argmax(score[up])]
        gap = score[i] - score[low].min()
        if gap < tol:
            converged = True
            break
        # j: among I_low with a violation, the largest second-order decrease b²/a (Fan et al. 2005).
        b_it = score[i] - score
        a_it = QD[i] + QD - 2 * y[i] * y * Q[i]
        a_it = np.where(a_it > 0, a_it, 1e-12)
        cand = low & (b_it > 0)
        j = np.flatnonzero(cand)[np.argmax((b_it[cand] ** 2) / a_it[cand])]

        ai, aj = alpha[i], alpha[j]
        if y[i] != y[j]:  # α_i - α_j stays fixed
            delta = (-G[i] - G[j]) / max(QD[i] + QD[j] + 2 * Q[i, j], 1e-12)
            diff = ai - aj
            ai, aj = ai + delta, aj + delta
            if diff > 0 and aj < 0:
                aj, ai = 0.0, diff
            elif diff <= 0 and ai < 0:
                ai, aj = 0.0, -diff
            if diff > 0 and ai > C:
                ai, aj = C, C - diff
            elif diff <= 0 and aj > C:
                aj, ai = C, C + diff
        else:  # α_i + α_j stays fixed
            delta = (G[i] - G[j]) / max(QD[i] + QD[j] - 2 * Q[i, j], 1e-12)
            total = ai + aj
            ai, aj = ai - delta, aj + delta
            if total > C and ai > C:
                ai, aj = C, total - C
            elif total <= C and aj < 0:
                aj, ai = 0.0, total
            if total > C and aj > C:
                aj, ai = C, total - C
            elif total <= C and ai < 0:
                ai, aj = 0.0, total
        G += Q[:, i] * (ai - alpha[i]) + Q[:, j] * (aj - alpha[j])
        alpha[i], alpha[j] = ai, aj
        steps += 1
    return alpha, _intercept(alpha, G, y, C), steps, converged


def _intercept(alpha, G, y, C) -> float:
    """b from the KKT conditions: y_i f(x_i) = 1 on free support vectors (0 < α < C), so b is their
    mean of -y_i G_i; with none free, the middle of the interval the bounded ones allow (LIBSVM's rule)."""
    yG = y * G
    free = (alpha > 0) & (alpha < C)
    if free.any():
        return float(-yG[free].mean())
    upper = ((alpha >= C) & (y < 0)) | ((alpha <= 0) & (y > 0))
    lower = ((alpha >= C) & (y > 0)) | ((alpha <= 0) & (y < 0))
    return float(-(yG[upper].min() + yG[lower].max()) / 2)


def primal_objective(K: np.ndarray, y: np.ndarray, coef: np.ndarray, b: float, C: float) -> float:
    """P = ½ ||w||² + C Σ hinge with w = Σ coef_i x_i in the kernel's feature space (coef = α y)."""
    f = K @ coef + b
    return float(0.5 * coef @ K @ coef + C * np.maximum(0.0, 1 - y * f).sum())


def linear_objective(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, C: float) -> float:
    return float(0.5 * w @ w + C * np.maximum(0.0, 1 - y * (X @ w + b)).sum())


def dual_objective(K: np.ndarray, y: np.ndarray, alpha: np.ndarray) -> float:
    coef = alpha * y
    return float(alpha.sum() - 0.5 * coef @ K @ coef)


# ---------------------------------------------------------------- data and the run


def make_data(dataset: str, n: int, noise: float, rng) -> tuple[np.ndarray, np.ndarray]:
    """n points in 2-D with labels ±1, half of each class, standardised later on the training half."""
    y = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    if dataset == "blobs":
        X = np.column_stack([y * 1.0, y * 0.5]) + rng.normal(0, 0.5 + 1.5 * noise, (n, 2))
    elif dataset == "moons":
        t = rng.uniform(0, np.pi, n)
        X = np.where(y[:, None] > 0, np.column_stack([np.cos(t), np.sin(t)]),
                     np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)]))  # fmt: skip
        X = X + rng.normal(0, 0.3 * noise + 0.02, (n, 2))
    else:
        t = rng.uniform(0, 2 * np.pi, n)
        r = np.where(y > 0, 0.5, 1.0)
        X = r[:, None] * np.column_stack([np.cos(t), np.sin(t)]) + rng.normal(0, 0.25 * noise + 0.02, (n, 2))
    return X, y


@dataclass
class SVMResult:
    params: dict
    X_train: np.ndarray  # standardised
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    alpha: np.ndarray  # SMO's dual solution
    b: float
    coef: np.ndarray  # α y
    w: np.ndarray | None  # linear kernel only: Σ α_i y_i x_i
    support: np.ndarray  # indices with α > 0
    bounded: np.ndarray  # indices with α = C (on or inside the margin)
    slack: np.ndarray  # ξ_i per training point
    margin_width: float | None  # 2 / ||w||, linear kernel
    primal: float
    dual: float
    smo_iterations: int
    smo_converged: bool  # False: stopped at MAX_ITER steps; the primal-dual gap says how far off
    train_accuracy: float
    test_accuracy: float
    grid_x: np.ndarray
    grid_y: np.ndarray
    grid_f: np.ndarray  # f on the grid, (len(grid_y), len(grid_x))
    # Pegasos (linear kernel): its primal after the recorded steps
    pegasos_steps: np.ndarray | None
    pegasos_objective: np.ndarray | None
    pegasos_w: np.ndarray | None
    pegasos_b: float | None
    pegasos_gap: float | None  # P(pegasos) / P(SMO) - 1
    seconds: float = 0.0


def run(**params) -> SVMResult:
    start = time.perf_counter()
    p = validate(PARAMS, params)
    rng = np.random.default_rng(p["seed"])
    X, y = make_data(p["dataset"], 2 * p["n"], p["noise"], rng)
    order = rng.permutation(len(y))
    train, test = order[: p["n"]], order[p["n"] :]
    Xtr, ytr, Xte, yte = X[train], y[train], X[test], y[test]
    mean, std = Xtr.mean(axis=0), Xtr.std(axis=0)
    Xtr, Xte = (Xtr - mean) / std, (Xte - mean) / std

    kw = dict(kernel=p["kernel"], gamma=p["gamma"], degree=p["degree"])
    K = kernel_matrix(Xtr, Xtr, **kw)
    alpha, b, iterations, converged = smo(K, ytr, p["C"])
    coef = alpha * ytr
    f_train = K @ coef + b
    f_test = kernel_matrix(Xte, Xtr, **kw) @ coef + b
    support = np.flatnonzero(alpha > 1e-8)
    w = Xtr.T @ coef if p["kernel"] == "linear" else None

    lo, hi = np.minimum(Xtr.min(0), Xte.min(0)) - 0.3, np.maximum(Xtr.max(0), Xte.max(0)) + 0.3
    gx, gy = np.linspace(lo[0], hi[0], GRID), np.linspace(lo[1], hi[1], GRID)
    points = np.column_stack([np.tile(gx, GRID), np.repeat(gy, GRID)])
    grid_f = (kernel_matrix(points, Xtr[support], **kw) @ coef[support] + b).reshape(GRID, GRID)

    primal = primal_objective(K, ytr, coef, b, p["C"])
    peg = dict(pegasos_steps=None, pegasos_objective=None, pegasos_w=None, pegasos_b=None, pegasos_gap=None)
    if p["kernel"] == "linear":
        steps = np.unique(np.geomspace(1, p["pegasos_steps"], 40).astype(int))
        pw, pb, snaps = pegasos(Xtr, ytr, p["C"], p["pegasos_steps"], p["seed"], record=steps)
        objective = np.array([linear_objective(Xtr, ytr, *snaps[s], p["C"]) for s in steps])
        peg = dict(pegasos_steps=steps, pegasos_objective=objective, pegasos_w=pw, pegasos_b=pb,
                   pegasos_gap=objective[-1] / primal - 1)  # fmt: skip

    return SVMResult(
        params=p,
        X_train=Xtr,
        y_train=ytr,
        X_test=Xte,
        y_test=yte,
        alpha=alpha,
        b=b,
        coef=coef,
        w=w,
        support=support,
        bounded=np.flatnonzero(alpha >= p["C"] * (1 - 1e-9)),
        slack=np.maximum(0.0, 1 - ytr * f_train),
        margin_width=None if w is None else float(2 / np.linalg.norm(w)),
        primal=primal,
        dual=dual_objective(K, ytr, alpha),
        smo_iterations=iterations,
        smo_converged=converged,
        train_accuracy=float(np.mean(np.sign(f_train) == ytr)),
        test_accuracy=float(np.mean(np.sign(f_test) == yte)),
        grid_x=gx,
        grid_y=gy,
        grid_f=grid_f,
        seconds=time.perf_counter() - start,
        **peg,
    )


def summarize(r: SVMResult) -> str:
    p = r.params
    kern = {"linear": "linear", "rbf": f"RBF (gamma {p['gamma']:g})", "poly": f"polynomial (degree {p['degree']}, gamma {p['gamma']:g})"}  # fmt: skip
    lines = [
        f"svm · {p['dataset']} · {p['n']} training points · {kern[p['kernel']]} kernel · C {p['C']:g}",
        f"SMO: {r.smo_iterations} steps{'' if r.smo_converged else ' (stopped at the step limit)'}; primal {r.primal:.6g}, dual {r.dual:.6g} "
        f"(gap {(r.primal - r.dual) / max(abs(r.primal), 1e-12):.2%})",
        f"  {len(r.support)} support vectors, {len(r.bounded)} at alpha = C; "
        f"{int(np.sum(r.slack > 1))} training points on the wrong side (slack > 1)",
        f"  accuracy: train {r.train_accuracy:.3f}, test {r.test_accuracy:.3f}",
    ]
    if r.w is not None:
        lines.append(
            f"  w = [{r.w[0]:.4f}, {r.w[1]:.4f}], b = {r.b:.4f}, margin width 2/||w|| = {r.margin_width:.4f}"
        )
        lines.append(
            f"Pegasos, {p['pegasos_steps']} steps of batch {BATCH}, step 1/(lambda t), lambda = 1/(nC) = "
            f"{1 / (p['n'] * p['C']):.3g}: primal {r.pegasos_objective[-1]:.6g}, "
            f"{r.pegasos_gap:+.2%} from SMO's optimum"
        )
    return "\n".join(lines)
