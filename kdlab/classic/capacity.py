"""Overfitting, regularization and tuning: polynomial degree, learning curves, ridge and lasso paths, k-fold CV, grid vs random search.

Data (seeded, nothing downloaded): y = sin(2πx) + N(0, noise²), x ~ U(0, 1); a training set of
n_train points, a validation set and a large test set drawn the same way.

Polynomial regression of degree d: features z^1..z^d of z = 2x - 1 (in [-1, 1], where powers stay
well conditioned), fitted by least squares with an optional ridge penalty α on the weights (not
the intercept):
    min_{w,b}  ||y - Zw - b||² + α ||w||²           (scikit-learn's Ridge objective)
Capacity grows with d: training error only falls, validation error falls then rises (overfitting).

Ridge and lasso on a linear problem with p correlated features of which only a few matter:
    ridge  min ||y - Xw - b||² + α ||w||²                    closed form on centred data
    lasso  min (1/2n) ||y - Xw - b||² + α ||w||₁              (scikit-learn's Lasso objective)
lasso by cyclic coordinate descent, each step exact:
    w_j ← S(x_jᵀ r_j / n, α) / (x_jᵀ x_j / n),  r_j = y - Xw + x_j w_j,  S(a, α) = sign(a) max(|a| - α, 0)
Ridge shrinks every weight smoothly toward zero; lasso sets weights exactly to zero one by one.

k-fold cross-validation: split the training rows into k folds; fit on k-1, score on the one left,
average. Grid vs random search (Bergstra & Bengio 2012) spend the same budget of CV fits on the
degree and log α: a grid tries only √budget distinct values of each, random search tries budget
distinct values of each, which matters when one hyperparameter matters much more than the other.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from kdlab.core.params import Param, validate

PARAMS: tuple[Param, ...] = (
    Param("degree", 3, 1, 15, help="degree of the polynomial fitted to the training points"),
    Param("n_train", 20, 10, 200, help="training points"),
    Param("noise", 0.3, 0.05, 1.0, help="standard deviation of the noise on y"),
    Param(
        "alpha",
        1e-8,
        1e-8,
        1.0,
        help="ridge penalty on the polynomial's weights (Ridge alpha); 1e-8 = almost none",
    ),
    Param("k_folds", 5, 2, 10, help="folds of the cross-validation"),
    Param("budget", 16, 4, 36, help="CV fits each search may spend (grid: the largest square <= budget)"),
    Param("seed", 0, 0, 10_000, help="seed of the data, the folds and the random search"),
)

QUICK = {"n_train": 12, "budget": 4, "k_folds": 3}

MAX_DEGREE = 15
N_VAL, N_TEST = 200, 2000
RESAMPLES = 20  # training sets per size on the learning curve
N_FEATURES, N_INFORMATIVE, N_PATH = 8, 3, 200  # the linear problem of the paths
ALPHA_GRID = (1e-8, 1.0)  # log-uniform range of α searched, with degree 1..MAX_DEGREE
SEARCH_REPEATS = 20  # grid vs random compared over this many draws of the data


# ---------------------------------------------------------------- the methods


def features(x: np.ndarray, degree: int) -> np.ndarray:
    """Columns z, z², ..., z^degree with z = 2x - 1."""
    z = 2 * x - 1
    return z[:, None] ** np.arange(1, degree + 1)


def ridge(X: np.ndarray, y: np.ndarray, alpha: float) -> tuple[np.ndarray, float]:
    """argmin ||y - Xw - b||² + α||w||²: centre, then solve (XᵀX + αI) w = Xᵀy; b from the means."""
    mx, my = X.mean(axis=0), y.mean()
    Xc, yc = X - mx, y - my
    w = np.linalg.solve(Xc.T @ Xc + alpha * np.eye(X.shape[1]), Xc.T @ yc)
    return w, float(my - mx @ w)


def lasso(X: np.ndarray, y: np.ndarray, alpha: float, w0=None, tol: float = 1e-10, max_sweeps: int = 10_000):
    """argmin (1/2n)||y - Xw - b||² + α||w||₁ by cyclic coordinate descent (b from the means)."""
    n, p = X.shape
    mx, my = X.mean(axis=0), y.mean()
    Xc = X - mx
    w = np.zeros(p) if w0 is None else w0.copy()
    r = y - my - Xc @ w
    sq = (Xc**2).sum(axis=0) / n
    for _ in range(max_sweeps):
        largest = 0.0
        for j in range(p):
            a = Xc[:, j] @ r / n + sq[j] * w[j]  # x_jᵀ r_j / n, with r_j the residual without feature j
            new = np.sign(a) * max(abs(a) - alpha, 0.0) / sq[j]
            r -= Xc[:, j] * (new - w[j])
            largest = max(largest, abs(new - w[j]))
            w[j] = new
        if largest < tol:
            break
    return w, float(my - mx @ w)


def folds(n: int, k: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """k (train rows, held-out rows) pairs: the shuffled rows cut into k nearly equal folds."""
    parts = np.array_split(np.random.default_rng(seed).permutation(n), k)
    return [(np.setdiff1d(np.arange(n), held), held) for held in parts]


def kfold_mse(x: np.ndarray, y: np.ndarray, degree: int, alpha: float, k: int, seed: int) -> float:
    """Mean held-out MSE over the k folds: each row is scored once, by a model that never saw it."""
    errors = []
    for train, held in folds(len(x), k, seed):
        w, b = ridge(features(x[train], degree), y[train], alpha)
        errors.append(np.mean((features(x[held], degree) @ w + b - y[held]) ** 2))
    return float(np.mean(errors))


# ---------------------------------------------------------------- data and bookkeeping


def truth(x: np.ndarray) -> np.ndarray:
    return np.sin(2 * np.pi * x)


def draw(n: int, noise: float, rng) -> tuple[np.ndarray, np.ndarray]:
    x = rng.uniform(0, 1, n)
    return x, truth(x) + rng.normal(0, noise, n)


def mse(x, y, degree, w, b) -> float:
    return float(np.mean((features(x, degree) @ w + b - y) ** 2))


def search(x, y, k, budget, rng, seed) -> dict:
    """Grid and random search over (degree, log10 α), each spending at most `budget` CV fits."""
    side = int(np.sqrt(budget))
    lo, hi = np.log10(ALPHA_GRID)
    grid = [
        (int(d), float(a))
        for d in np.linspace(1, MAX_DEGREE, side).round()
        for a in np.logspace(lo, hi, side)
    ]
    rand = [(int(rng.integers(1, MAX_DEGREE + 1)), float(10 ** rng.uniform(lo, hi))) for _ in range(budget)]
    out = {}
    for name, trials in (("grid", grid), ("random", rand)):
        scores = [kfold_mse(x, y, d, a, k, seed) for d, a in trials]
        best = int(np.argmin(scores))
        out[name] = dict(
            trials=np.array(trials), scores=np.array(scores), best=trials[best], best_cv=scores[best]
        )
    return out


@dataclass
class CapacityResult:
    params: dict
    x_train: np.ndarray
    y_train: np.ndarray
    curve_x: np.ndarray
    curve_fit: np.ndarray  # the fitted polynomial on curve_x
    curve_truth: np.ndarray
    train_mse: float
    val_mse: float
    test_mse: float
    noise_floor: float  # noise²: what the best possible model scores
    degrees: np.ndarray  # 1..MAX_DEGREE
    train_by_degree: np.ndarray
    val_by_degree: np.ndarray
    cv_by_degree: np.ndarray
    best_degree_val: int
    best_degree_cv: int
    sizes: np.ndarray  # learning curve, at `degree`
    train_by_size: np.ndarray  # mean over RESAMPLES training sets
    val_by_size: np.ndarray
    path_alphas_ridge: np.ndarray
    path_ridge: np.ndarray  # (alphas, features)
    path_alphas_lasso: np.ndarray
    path_lasso: np.ndarray
    true_coef: np.ndarray
    search: dict  # grid / random: trials, CV scores, best, best CV, test MSE of the best
    search_wins: dict  # over SEARCH_REPEATS data draws: how often each found the lower test MSE
    seconds: float = 0.0


def run(**params) -> CapacityResult:
    start = time.perf_counter()
    p = validate(PARAMS, params)
    rng = np.random.default_rng(p["seed"])
    d, alpha, noise = p["degree"], p["alpha"], p["noise"]
    x, y = draw(p["n_train"], noise, rng)
    xv, yv = draw(N_VAL, noise, rng)
    xt, yt = draw(N_TEST, noise, rng)

    w, b = ridge(features(x, d), y, alpha)
    grid_x = np.linspace(0, 1, 200)
    degrees = np.arange(1, MAX_DEGREE + 1)
    fits = [ridge(features(x, k), y, alpha) for k in degrees]
    train_by_degree = np.array([mse(x, y, k, *f) for k, f in zip(degrees, fits, strict=True)])
    val_by_degree = np.array([mse(xv, yv, k, *f) for k, f in zip(degrees, fits, strict=True)])
    k_folds = min(p["k_folds"], p["n_train"])
    cv_by_degree = np.array([kfold_mse(x, y, k, alpha, k_folds, p["seed"]) for k in degrees])

    sizes = np.unique(np.geomspace(max(d + 2, 5), 200, 12).astype(int))
    train_by_size, val_by_size = [], []
    for n in sizes:
        tr, va = [], []
        for _ in range(RESAMPLES):
            xs, ys = draw(n, noise, rng)
            f = ridge(features(xs, d), ys, alpha)
            tr.append(mse(xs, ys, d, *f))
            va.append(mse(xv, yv, d, *f))
        train_by_size.append(np.mean(tr))
        val_by_size.append(np.mean(va))

    X, yl, coef = linear_problem(rng)
    alphas_ridge = np.logspace(-3, 5, 30)
    path_ridge = np.array([ridge(X, yl, a)[0] for a in alphas_ridge])
    alphas_lasso = np.logspace(-4, 1, 30)[::-1]  # from all-zero down, warm-started
    path_lasso, wl = [], None
    for a in alphas_lasso:
        wl, _ = lasso(X, yl, a, wl)
        path_lasso.append(wl)

    found = search(x, y, k_folds, p["budget"], rng, p["seed"])
    for s in found.values():
        sd, sa = s["best"]
        s["test_mse"] = mse(xt, yt, sd, *ridge(features(x, sd), y, sa))
    wins = {"grid": 0, "random": 0, "tie": 0}
    for repeat in range(SEARCH_REPEATS):
        r2 = np.random.default_rng([p["seed"], repeat])
        xs, ys = draw(p["n_train"], noise, r2)
        s2 = search(xs, ys, k_folds, p["budget"], r2, p["seed"] + repeat)
        tests = {m: mse(xt, yt, s2[m]["best"][0], *ridge(features(xs, s2[m]["best"][0]), ys, s2[m]["best"][1]))
                 for m in ("grid", "random")}  # fmt: skip
        if abs(tests["grid"] - tests["random"]) < 1e-12:
            wins["tie"] += 1
        else:
            wins[min(tests, key=tests.get)] += 1

    return CapacityResult(
        params=p,
        x_train=x,
        y_train=y,
        curve_x=grid_x,
        curve_fit=features(grid_x, d) @ w + b,
        curve_truth=truth(grid_x),
        train_mse=mse(x, y, d, w, b),
        val_mse=mse(xv, yv, d, w, b),
        test_mse=mse(xt, yt, d, w, b),
        noise_floor=noise**2,
        degrees=degrees,
        train_by_degree=train_by_degree,
        val_by_degree=val_by_degree,
        cv_by_degree=cv_by_degree,
        best_degree_val=int(degrees[np.argmin(val_by_degree)]),
        best_degree_cv=int(degrees[np.argmin(cv_by_degree)]),
        sizes=sizes,
        train_by_size=np.array(train_by_size),
        val_by_size=np.array(val_by_size),
        path_alphas_ridge=alphas_ridge,
        path_ridge=path_ridge,
        path_alphas_lasso=alphas_lasso,
        path_lasso=np.array(path_lasso),
        true_coef=coef,
        search=found,
        search_wins=wins,
        seconds=time.perf_counter() - start,
    )


def linear_problem(rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """N_PATH rows, N_FEATURES standardised features correlated (0.5 between neighbours' latent
    factors), y = X·coef + N(0, 1) with only the first N_INFORMATIVE coefficients nonzero."""
    latent = rng.normal(size=(N_PATH, N_FEATURES + 1))
    X = latent[:, :-1] + 0.5 * latent[:, 1:]
    X = (X - X.mean(0)) / X.std(0)
    coef = np.zeros(N_FEATURES)
    coef[:N_INFORMATIVE] = [3.0, -2.0, 1.5]
    return X, X @ coef + rng.normal(0, 1.0, N_PATH), coef


def summarize(r: CapacityResult) -> str:
    p = r.params
    g, rnd = r.search["grid"], r.search["random"]
    return "\n".join(
        [
            f"capacity · y = sin(2πx) + noise {p['noise']:g} · {p['n_train']} training points · degree {p['degree']} · "
            f"ridge alpha {p['alpha']:g}",
            f"MSE: train {r.train_mse:.4f}, validation {r.val_mse:.4f}, test {r.test_mse:.4f} "
            f"(noise floor {r.noise_floor:.4f})",
            f"best degree by validation set: {r.best_degree_val}; by {p['k_folds']}-fold CV on the training points: "
            f"{r.best_degree_cv}",
            f"learning curve at degree {p['degree']}: n = {r.sizes[0]}: train {r.train_by_size[0]:.3f} / "
            f"validation {r.val_by_size[0]:.3f}; n = {r.sizes[-1]}: train {r.train_by_size[-1]:.3f} / "
            f"validation {r.val_by_size[-1]:.3f}",
            f"lasso: nonzero weights {int(np.sum(np.abs(r.path_lasso[-1]) > 0))} of {len(r.true_coef)} at the smallest "
            f"alpha, {int(np.sum(np.abs(r.path_lasso[0]) > 0))} at the largest",
            f"search, {p['budget']} CV fits each: grid best degree {g['best'][0]}, alpha {g['best'][1]:.2g} "
            f"(CV {g['best_cv']:.4f}, test {g['test_mse']:.4f}); random best degree {rnd['best'][0]}, alpha "
            f"{rnd['best'][1]:.2g} (CV {rnd['best_cv']:.4f}, test {rnd['test_mse']:.4f})",
            f"over {SEARCH_REPEATS} draws of the training set: random search found the lower test error "
            f"{r.search_wins['random']} times, the grid {r.search_wins['grid']} times, ties {r.search_wins['tie']}",
        ]
    )
