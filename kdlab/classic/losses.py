"""Loss functions: MSE, MAE, Huber against the error; log-loss, hinge, focal against the margin; a line fitted through outliers.

Regression, error r = prediction - target:
    MSE    r²                                   gradient 2r          (an outlier pulls in proportion to r)
    MAE    |r|                                  gradient sign(r)     (every point pulls with the same force)
    Huber  ½r² if |r| <= δ, else δ(|r| - ½δ)    gradient clip(r, -δ, δ): quadratic near 0, linear beyond δ
Classification, labels y in {-1, +1}, score f, margin m = y·f (positive = right side):
    log-loss  log(1 + e^{-m})                   gradient -σ(-m)
    hinge     max(0, 1 - m)                     gradient -1 if m < 1 else 0 (no credit beyond the margin)
    focal     -(1 - p)^γ log p, p = σ(m)         (Lin et al. 2017) log-loss down-weighted where p is already
                                                near 1, so easy examples stop dominating; γ = 0 is log-loss
    0-1       1 if m <= 0                       what we count, but flat: no gradient to learn from
The gradient of a loss is how hard one example pulls on the fit. With a few large outliers, the
MSE line chases them, while MAE (the median line) and Huber barely move.

Fitting a line y ≈ w x + b under each regression loss: MSE in closed form (least squares); MAE and
Huber by iteratively reweighted least squares (IRLS): least squares with weights ψ(r_i)/r_i, where
ψ is the loss's gradient/2 (Huber: 1 inside δ, δ/|r| outside; MAE: 1/|r|), repeated until the weights
settle; each step does not increase the objective (it minimises a quadratic upper bound).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from kdlab.core.params import Param, validate

PARAMS: tuple[Param, ...] = (
    Param("delta", 1.0, 0.1, 5.0, help="Huber's delta: quadratic within it, linear beyond"),
    Param("gamma", 2.0, 0.0, 5.0, help="focal loss' gamma: 0 is log-loss"),
    Param("n", 50, 20, 200, help="points on the line"),
    Param("n_outliers", 5, 0, 20, help="points on the right (large x) pushed up into outliers"),
    Param("outlier_size", 20.0, 2.0, 50.0, help="how far above the line the outliers sit"),
    Param("seed", 0, 0, 10_000, help="seed of the data"),
)

QUICK = {"n": 20, "n_outliers": 2}

REGRESSION = ("mse", "mae", "huber")
CLASSIFICATION = ("logistic", "hinge", "focal", "zero_one")
TRUE_W, TRUE_B, NOISE = 2.0, 1.0, 1.0


# ---------------------------------------------------------------- losses and their gradients


def mse(r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return r**2, 2 * r


def mae(r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.abs(r), np.sign(r)


def huber(r: np.ndarray, delta: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    a = np.abs(r)
    value = np.where(a <= delta, 0.5 * r**2, delta * (a - 0.5 * delta))
    return value, np.clip(r, -delta, delta)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + np.tanh(z / 2))


def logistic(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.logaddexp(0.0, -m), -_sigmoid(-m)


def hinge(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.maximum(0.0, 1 - m), np.where(m < 1, -1.0, 0.0)


def focal(m: np.ndarray, gamma: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """-(1 - p)^γ log p with p = σ(m); d/dm by the chain rule, dp/dm = p(1 - p)."""
    p = _sigmoid(m)
    q = _sigmoid(-m)  # 1 - p, computed without cancellation
    log_p = -np.logaddexp(0.0, -m)
    value = -(q**gamma) * log_p
    # d/dp [-(1-p)^γ log p] = γ (1-p)^{γ-1} log p - (1-p)^γ / p;  times p(1-p)
    grad = gamma * q**gamma * p * log_p - q ** (gamma + 1)
    return value, grad


def zero_one(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return (m <= 0).astype(float), np.zeros_like(m)


# ---------------------------------------------------------------- fitting a line under each loss


def fit_line(
    x: np.ndarray, y: np.ndarray, loss: str, delta: float = 1.0, iters: int = 200, eps: float = 1e-8
):
    """(w, b) minimising Σ loss(w x_i + b - y_i); MSE by least squares, MAE and Huber by IRLS."""
    A = np.column_stack([x, np.ones_like(x)])
    theta = np.linalg.lstsq(A, y, rcond=None)[0]
    if loss == "mse":
        return float(theta[0]), float(theta[1])
    for _ in range(iters):
        r = np.abs(A @ theta - y)
        if loss == "mae":
            weight = 1 / np.maximum(r, eps)
        else:
            weight = np.where(r <= delta, 1.0, delta / np.maximum(r, eps))
        sw = np.sqrt(weight)
        new = np.linalg.lstsq(A * sw[:, None], y * sw, rcond=None)[0]
        if np.max(np.abs(new - theta)) < 1e-12:
            theta = new
            break
        theta = new
    return float(theta[0]), float(theta[1])


def objective(x, y, w, b, loss: str, delta: float = 1.0) -> float:
    r = w * x + b - y
    value = {"mse": lambda: mse(r)[0], "mae": lambda: mae(r)[0], "huber": lambda: huber(r, delta)[0]}[loss]()
    return float(value.sum())


# ---------------------------------------------------------------- the run


@dataclass
class LossesResult:
    params: dict
    error: np.ndarray  # grid of r for the regression losses
    regression_value: dict  # loss -> values on the grid
    regression_grad: dict
    margin: np.ndarray
    classification_value: dict
    classification_grad: dict
    x: np.ndarray
    y: np.ndarray
    outlier: np.ndarray  # bool
    fits: dict  # loss -> (w, b) with the outliers
    clean_fits: dict  # loss -> (w, b) without them
    line_shift: dict  # loss -> mean |line with outliers - line without| over x in [0, 10]
    test_mse: dict  # loss -> MSE of its line on fresh clean points
    seconds: float = 0.0


def run(**params) -> LossesResult:
    start = time.perf_counter()
    p = validate(PARAMS, params)
    rng = np.random.default_rng(p["seed"])
    delta, gamma = p["delta"], p["gamma"]

    error = np.linspace(-4, 4, 401)
    margin = np.linspace(-4, 4, 401)
    reg = {"mse": mse(error), "mae": mae(error), "huber": huber(error, delta)}
    cls = {"logistic": logistic(margin), "hinge": hinge(margin), "focal": focal(margin, gamma),
           "zero_one": zero_one(margin)}  # fmt: skip

    x = rng.uniform(0, 10, p["n"])
    y_clean = TRUE_W * x + TRUE_B + rng.normal(0, NOISE, p["n"])
    outlier = np.zeros(p["n"], bool)
    outlier[np.argsort(x)[::-1][: 2 * p["n_outliers"]][::2]] = True  # every other one of the rightmost points
    y = np.where(outlier, y_clean + p["outlier_size"] * (1 + rng.random(p["n"])), y_clean)
    x_new = rng.uniform(0, 10, 1000)
    y_new = TRUE_W * x_new + TRUE_B + rng.normal(0, NOISE, 1000)

    fits = {loss: fit_line(x, y, loss, delta) for loss in REGRESSION}
    clean = {loss: fit_line(x[~outlier], y[~outlier], loss, delta) for loss in REGRESSION}
    return LossesResult(
        params=p,
        error=error,
        regression_value={k: v[0] for k, v in reg.items()},
        regression_grad={k: v[1] for k, v in reg.items()},
        margin=margin,
        classification_value={k: v[0] for k, v in cls.items()},
        classification_grad={k: v[1] for k, v in cls.items()},
        x=x,
        y=y,
        outlier=outlier,
        fits=fits,
        clean_fits=clean,
        line_shift={k: _shift(fits[k], clean[k]) for k in REGRESSION},
        test_mse={k: float(np.mean((fits[k][0] * x_new + fits[k][1] - y_new) ** 2)) for k in REGRESSION},
        seconds=time.perf_counter() - start,
    )


def _shift(fit, clean) -> float:
    grid = np.linspace(0, 10, 101)
    return float(np.mean(np.abs((fit[0] - clean[0]) * grid + fit[1] - clean[1])))


def summarize(r: LossesResult) -> str:
    p = r.params
    lines = [
        f"losses · a line y = {TRUE_W:g}x + {TRUE_B:g} + N(0, {NOISE:g}) with {p['n_outliers']} of {p['n']} points "
        f"pushed up by {p['outlier_size']:g} or more · Huber delta {p['delta']:g}",
    ]
    for k in REGRESSION:
        w, b = r.fits[k]
        lines.append(
            f"  {k:<6} slope {w:.3f}, intercept {b:.3f}; the outliers moved the line by {r.line_shift[k]:.3f} on average; "
            f"MSE on fresh clean points {r.test_mse[k]:.3f}"
        )
    i = int(np.argmin(np.abs(r.margin + 3)))
    lines.append(
        f"at margin -3 (badly wrong): log-loss {r.classification_value['logistic'][i]:.3f}, hinge "
        f"{r.classification_value['hinge'][i]:.3f}, focal (gamma {p['gamma']:g}) {r.classification_value['focal'][i]:.3f}"
    )
    j = int(np.argmin(np.abs(r.margin - 3)))
    lines.append(
        f"at margin +3 (easy): log-loss {r.classification_value['logistic'][j]:.4f}, hinge "
        f"{r.classification_value['hinge'][j]:.4f}, focal {r.classification_value['focal'][j]:.6f}"
    )
    return "\n".join(lines)
