"""Loss values and gradients against torch.autograd; the line fits against scikit-learn / scipy."""

import numpy as np
import pytest
from scipy.optimize import minimize
from sklearn.linear_model import LinearRegression, QuantileRegressor

from kdlab.classic import losses
from kdlab.classic.losses import objective, run, summarize
from kdlab.core.torch_env import torch

# Away from the kinks (|r| = 0 or δ, m = 1), where a subgradient is a choice, not a derivative.
GRID = np.linspace(-4, 4, 400) + 0.0037


def autograd(fn, x):
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    value = fn(t)
    value.sum().backward()
    return value.detach().numpy(), t.grad.numpy()


@pytest.mark.parametrize("delta", [0.1, 1.0, 3.0])
def test_regression_losses_equal_torch(delta):
    F = torch.nn.functional
    cases = {
        "mse": (losses.mse, lambda r: r**2),
        "mae": (losses.mae, lambda r: r.abs()),
        "huber": (lambda r: losses.huber(r, delta), lambda r: F.huber_loss(r, torch.zeros_like(r), reduction="none", delta=delta)),
    }  # fmt: skip
    for name, (ours, theirs) in cases.items():
        v, g = ours(GRID)
        tv, tg = autograd(theirs, GRID)
        np.testing.assert_allclose(v, tv, rtol=1e-12, atol=1e-12, err_msg=name)
        np.testing.assert_allclose(g, tg, rtol=1e-12, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 5.0])
def test_classification_losses_equal_torch(gamma):
    F = torch.nn.functional

    def torch_focal(m):
        p = torch.sigmoid(m)
        return -((1 - p) ** gamma) * F.logsigmoid(m)

    cases = {
        "logistic": (losses.logistic, lambda m: F.softplus(-m)),
        "hinge": (losses.hinge, lambda m: torch.clamp(1 - m, min=0)),
        "focal": (lambda m: losses.focal(m, gamma), torch_focal),
    }
    for name, (ours, theirs) in cases.items():
        v, g = ours(GRID)
        tv, tg = autograd(theirs, GRID)
        np.testing.assert_allclose(v, tv, rtol=1e-10, atol=1e-12, err_msg=name)
        np.testing.assert_allclose(g, tg, rtol=1e-9, atol=1e-12, err_msg=name)


def test_focal_with_gamma_zero_is_log_loss_and_shrinks_easy_examples():
    v0, g0 = losses.focal(GRID, 0.0)
    lv, lg = losses.logistic(GRID)
    np.testing.assert_allclose(v0, lv, rtol=1e-12)
    np.testing.assert_allclose(g0, lg, rtol=1e-12)
    # focal = log-loss x (1 - p)^gamma: an easy example (m = 3, p = 0.95) weighs 0.0022 times as much
    q = 1 / (1 + np.exp(GRID))
    np.testing.assert_allclose(losses.focal(GRID, 2.0)[0], lv * q**2, rtol=1e-12)
    assert losses.focal(np.array([3.0]), 2.0)[0][0] < 0.0025 * losses.logistic(np.array([3.0]))[0][0]


def test_the_mse_fit_is_least_squares():
    r = run()
    sk = LinearRegression().fit(r.x[:, None], r.y)
    assert r.fits["mse"] == pytest.approx((sk.coef_[0], sk.intercept_), abs=1e-10)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_mae_fit_is_the_median_regression(seed):
    r = run(seed=seed)
    sk = QuantileRegressor(quantile=0.5, alpha=0.0, solver="highs").fit(r.x[:, None], r.y)
    ours = objective(r.x, r.y, *r.fits["mae"], "mae")
    best = objective(r.x, r.y, sk.coef_[0], sk.intercept_, "mae")
    assert ours == pytest.approx(best, rel=1e-6)  # the LAD line may not be unique; its objective is


@pytest.mark.parametrize("delta", [0.1, 1.0, 5.0])
def test_the_huber_fit_minimises_the_huber_objective(delta):
    r = run(delta=delta)
    ref = minimize(lambda t: objective(r.x, r.y, t[0], t[1], "huber", delta), x0=[0.0, 0.0], method="Nelder-Mead",
                   options=dict(xatol=1e-10, fatol=1e-12, maxiter=20_000))  # fmt: skip
    ours = objective(r.x, r.y, *r.fits["huber"], "huber", delta)
    assert ours <= ref.fun * (1 + 1e-9)
    assert r.fits["huber"] == pytest.approx(tuple(ref.x), abs=1e-4)


def test_outliers_drag_mse_not_mae_or_huber():
    r = run()
    assert r.line_shift["mse"] > 5 * max(r.line_shift["mae"], r.line_shift["huber"])
    assert r.test_mse["mse"] > 5 * r.test_mse["huber"]
    clean = run(n_outliers=0)
    assert all(v == 0 for v in clean.line_shift.values())
    # Huber with a huge delta is least squares on these residuals, so the outliers drag it too
    assert run(delta=5.0).line_shift["huber"] > 2 * r.line_shift["huber"]
    assert "outliers moved the line" in summarize(r)
