"""Gradient descent against the closed form and scikit-learn; divergence; the original article's 4-point example."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from kdlab.classic import regression
from kdlab.classic.regression import PARAMS, closed_form, run, summarize
from kdlab.core.params import ParamError, validate
from kdlab.core.result import jsonable
from kdlab.data import tabular as tabular_data

ROOT = Path(__file__).resolve().parents[1]


def sklearn_fit(X, y, l2, scale):
    """(w, b) in original units from the sklearn model with the same objective: alpha = n * l2."""
    model = LinearRegression() if l2 == 0 else Ridge(alpha=len(y) * l2)
    if not scale:
        model.fit(X, y)
        return model.coef_, model.intercept_
    pipe = make_pipeline(StandardScaler(), model).fit(X, y)
    scaler = pipe[0]
    w = model.coef_ / scaler.scale_
    return w, model.intercept_ - w @ scaler.mean_


# lr and n_iter chosen so batch GD has converged: raw ad spend is stable only below lr ~ 0.05.
CONVERGED_RUNS = [
    dict(dataset="ad_spend", scale=True, lr=0.5, n_iter=200),
    dict(dataset="ad_spend", scale=False, lr=0.04, n_iter=5000),
    dict(dataset="price_ads", scale=True, lr=0.5, n_iter=500),
]


@pytest.mark.parametrize("l2", [0.0, 0.5])
@pytest.mark.parametrize("kw", CONVERGED_RUNS, ids=lambda kw: f"{kw['dataset']}-scale={kw['scale']}")
def test_batch_gd_matches_closed_form_and_sklearn(kw, l2):
    r = run(method="batch", l2=l2, **kw)
    assert not r.diverged and r.converged
    np.testing.assert_allclose(r.w, r.w_closed, atol=1e-3)
    assert r.b == pytest.approx(r.b_closed, abs=1e-3)

    w_sk, b_sk = sklearn_fit(r.X_train, r.y_train, l2, kw["scale"])
    np.testing.assert_allclose(r.w, w_sk, atol=1e-3)
    assert r.b == pytest.approx(b_sk, abs=1e-3)
    assert r.sklearn_alpha == pytest.approx(len(r.y_train) * l2)


def test_closed_form_is_sklearn_ridge_with_alpha_n_times_l2():
    data = tabular_data.price_ads(seed=3)
    for l2 in (0.0, 0.1, 2.0):
        w, b, rank = closed_form(data.X_train, data.y_train, l2)
        w_sk, b_sk = sklearn_fit(data.X_train, data.y_train, l2, scale=False)
        np.testing.assert_allclose(w, w_sk, atol=1e-8)
        assert b == pytest.approx(b_sk, abs=1e-8)
        assert rank == 3


def test_loss_history_is_the_objective_and_falls_for_a_stable_lr():
    r = run(dataset="price_ads", lr=0.3, n_iter=300)
    assert r.lr_stable_below > 0.3
    assert np.all(np.diff(r.loss_history) <= 1e-9)  # below 2/curvature batch GD never goes uphill
    # The last loss is L(w, b); recompute it in the coordinates GD ran in.
    mean, std = r.X_train.mean(axis=0), r.X_train.std(axis=0)
    v, c = r.w * std, r.b + r.w @ mean
    z = (r.X_train - mean) / std
    assert r.loss_history[-1] == pytest.approx(regression.objective(z, r.y_train, v, c), rel=1e-9)
    assert r.loss_history[-1] == pytest.approx(r.train_mse / 2, rel=1e-9)  # l2 = 0: L = MSE / 2


# Constant-lr mini-batch GD and SGD end in a noise ball around the optimum, hence 3% tolerance.
@pytest.mark.parametrize(
    "kw",
    [
        dict(method="minibatch", batch_size=16, lr=0.05, n_iter=3000),
        dict(method="sgd", lr=0.01, n_iter=5000),
    ],
    ids=["minibatch", "sgd"],
)
def test_stochastic_methods_get_close(kw):
    r = run(dataset="price_ads", **kw)
    assert not r.diverged
    np.testing.assert_allclose(r.w, r.w_closed, rtol=0.03)
    assert r.b == pytest.approx(r.b_closed, rel=0.01)
    assert r.test_r2 > 0.9


def test_sgd_noise_ball_shrinks_with_the_learning_rate():
    big = run(method="sgd", lr=0.1, n_iter=5000)
    small = run(method="sgd", lr=0.003, n_iter=5000)
    assert small.coef_gap < big.coef_gap / 3


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize(
    "kw",
    [
        dict(dataset="ad_spend", scale=False, lr=0.1),
        dict(dataset="price_ads", scale=True, lr=2.0),
        dict(dataset="price_ads", scale=False, method="sgd", lr=2.0),
        dict(dataset="four_points", scale=False, lr=2.0, n_iter=5000),
    ],
)
def test_divergence_is_flagged_without_warnings(kw):
    r = run(**kw)
    assert r.diverged and not r.converged
    assert 1 <= r.diverged_at < r.params["n_iter"]  # stopped early
    assert len(r.loss_history) == r.diverged_at + 1
    assert r.loss_history[-1] > 1e6 * r.loss_history[0] or not np.isfinite(r.loss_history[-1])
    assert r.params["lr"] > r.lr_stable_below
    text = summarize(r)
    assert "DIVERGED" in text and f"below {r.lr_stable_below:.3g}" in text
    json.dumps(jsonable(r), allow_nan=False)


def test_raw_price_ads_is_honestly_reported_as_not_converged():
    # Condition number ~5e3: 5000 steps at the largest stable lr are not enough.
    r = run(dataset="price_ads", scale=False, lr=0.014, n_iter=5000)
    assert not r.diverged and not r.converged
    assert r.condition_number > 1000
    assert "not converged" in summarize(r)


@pytest.mark.parametrize("scale", [False, True])
def test_four_points_fit_exactly_with_a_bias(scale):
    r = run(dataset="four_points", scale=scale, lr=0.08, n_iter=3000)
    assert r.rank == 2 and r.rank_deficient
    assert r.test_mse is None and r.test_r2 is None and r.X_test is None
    np.testing.assert_allclose(r.X_train @ r.w + r.b, [3, 4, 5, 6], atol=1e-9)
    assert r.train_mse < 1e-18
    # GD from zero lands on the minimum-norm solution (in the coordinates it ran in).
    np.testing.assert_allclose(np.r_[r.w, r.b], np.r_[r.w_closed, r.b_closed], atol=1e-6)
    assert "linearly dependent" in summarize(r)


def test_four_points_minimum_norm_solution():
    data = tabular_data.four_points()
    A = np.column_stack([data.X_train, np.ones(4)])
    w, b, rank = closed_form(data.X_train, data.y_train)
    np.testing.assert_allclose(np.r_[w, b], np.linalg.pinv(A) @ data.y_train, atol=1e-12)
    np.testing.assert_allclose(np.r_[w, b], [0.0, 1.0, 1.0], atol=1e-12)  # y = x2 + 1
    assert rank == 2
    # Any other exact fit (1 - t, t, 2 - t) has a larger norm.
    for t in (0.0, 0.5, 2.0):
        assert np.linalg.norm([1 - t, t, 2 - t]) > np.linalg.norm(np.r_[w, b])


def test_four_points_penalty_makes_the_solution_unique_and_matches_ridge():
    r = run(dataset="four_points", scale=False, lr=0.08, n_iter=5000, l2=0.1)
    w_sk, b_sk = sklearn_fit(r.X_train, r.y_train, 0.1, scale=False)
    np.testing.assert_allclose(r.w, w_sk, atol=1e-3)
    assert r.b == pytest.approx(b_sk, abs=1e-3)


def test_frames_path_and_surface_are_consistent():
    r = run(dataset="price_ads", lr=0.3, n_iter=1000)
    assert len(r.frame_steps) <= regression.MAX_FRAMES
    assert r.frame_steps[0] == 0 and r.frame_steps[-1] == 1000
    np.testing.assert_allclose(r.frame_w[-1], r.w)
    assert r.frame_b[-1] == pytest.approx(r.b)
    assert np.all(r.frame_w[0] == 0)
    # Path and surface are in standardised units (scale on): the path ends at v = w * std.
    assert r.surface_coords == "standardised" and r.surface_axes == ("w1", "w2")
    np.testing.assert_allclose(r.path[-1], r.w * r.X_train.std(axis=0))
    assert r.path_steps[-1] == 1000
    # The grid's lowest cell sits next to the optimum, and no cell is below the optimal loss.
    assert r.surface_loss.shape == (len(r.surface_v), len(r.surface_u))
    j, i = np.unravel_index(np.argmin(r.surface_loss), r.surface_loss.shape)
    step = np.array([r.surface_u[1] - r.surface_u[0], r.surface_v[1] - r.surface_v[0]])
    assert np.all(np.abs([r.surface_u[i], r.surface_v[j]] - r.surface_opt) <= step)
    assert r.surface_loss.min() >= r.loss_history[-1] - 1e-9


def test_one_feature_surface_is_over_w_and_b_in_original_units_without_scaling():
    r = run(dataset="ad_spend", scale=False, lr=0.04, n_iter=2000)
    assert r.surface_axes == ("w", "b") and r.surface_coords == "original"
    np.testing.assert_allclose(r.path[-1], [r.w[0], r.b])
    np.testing.assert_allclose(r.surface_opt, [r.w_closed[0], r.b_closed])


@pytest.mark.parametrize(
    "bad",
    [
        {"lr": 3.0},
        {"lr": 0.0},
        {"n_iter": 0},
        {"n_iter": 5001},
        {"batch_size": 257},
        {"l2": -0.1},
        {"l2": 11},
        {"seed": 10_001},
        {"dataset": "iris"},
        {"method": "adam"},
        {"momentum": 0.9},
    ],
)
def test_params_refuse_out_of_range_values(bad):
    with pytest.raises(ParamError):
        validate(PARAMS, bad)
    with pytest.raises(ParamError):
        run(**bad)


def test_cli_json_is_valid():
    out = subprocess.run(
        [sys.executable, "-m", "kdlab", "regression", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result = json.loads(out.stdout)
    assert result["params"]["dataset"] == "ad_spend"
    assert result["diverged"] is False and result["converged"] is True
    assert len(result["loss_history"]) == result["params"]["n_iter"] + 1


def test_cli_refuses_a_bad_learning_rate():
    out = subprocess.run(
        [sys.executable, "-m", "kdlab", "regression", "--lr", "5"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2 and "lr" in out.stderr


# --- worked by hand or against scikit-learn: what mutation testing found unchecked --------------------


def test_minibatch_steps_replayed_by_hand():
    """Batches of 2 over 5 rows: each epoch reshuffles with the seeded generator and visits every row
    once (2, 2, then 1 row), each step averages its batch and adds the L2 pull l2 * w on w only."""
    X = np.array([[1.0], [2.0], [3.0], [4.0], [5.0]])
    y = np.array([2.0, 3.0, 5.0, 4.0, 6.0])
    lr, l2 = 0.05, 0.1
    gd = regression.gradient_descent(X, y, lr=lr, n_iter=4, batch_size=2, l2=l2, seed=7)
    rng = np.random.default_rng(7)
    orders = [rng.permutation(5), rng.permutation(5)]  # drawn at the start of epochs 1 and 2
    batches = [orders[0][0:2], orders[0][2:4], orders[0][4:5], orders[1][0:2]]
    w, b = np.zeros(1), 0.0
    for rows in batches:
        r = X[rows] @ w + b - y[rows]
        w, b = w - lr * (X[rows].T @ r / len(rows) + l2 * w), b - lr * r.mean()
    np.testing.assert_allclose(gd.w, w, rtol=1e-12)
    assert gd.b == pytest.approx(b, rel=1e-12)
    # the history is L(w, b) = (1/2n) sum of squared residuals + (l2/2) |w|^2 after each step
    r = X @ w + b - y
    assert len(gd.losses) == 5 and gd.losses[0] == pytest.approx(y @ y / 10)
    assert gd.losses[-1] == pytest.approx(r @ r / 10 + l2 / 2 * float(w @ w), rel=1e-12)


def test_held_out_scores_and_the_stable_step_are_recomputed():
    from sklearn.metrics import mean_squared_error, r2_score

    r = run(dataset="price_ads", lr=0.3, n_iter=300, l2=0.2, seed=1)
    data = tabular_data.load("price_ads", 1)
    np.testing.assert_array_equal(r.X_train, data.X_train)
    np.testing.assert_array_equal(r.X_test, data.X_test)
    assert (r.feature_names_zh, r.target_name, r.target_name_zh) == (data.feature_names_zh, data.target_name, data.target_name_zh)
    np.testing.assert_array_equal(r.true_w, data.true_w)
    pred = r.X_test @ r.w + r.b
    assert r.test_mse == pytest.approx(mean_squared_error(r.y_test, pred), rel=1e-12)
    assert r.test_r2 == pytest.approx(r2_score(r.y_test, pred), rel=1e-12)
    # batch GD is stable below 2 / the largest curvature of L in the standardised (w, b): the Hessian is
    # [Z 1]^T [Z 1] / n with l2 added on the w block only
    Z = (r.X_train - r.X_train.mean(0)) / r.X_train.std(0)
    A = np.column_stack([Z, np.ones(len(Z))])
    H = A.T @ A / len(Z) + np.diag([0.2] * Z.shape[1] + [0.0])
    assert r.lr_stable_below == pytest.approx(2 / np.linalg.eigvalsh(H)[-1], rel=1e-9)
    assert 0 <= r.seconds < 60


@pytest.mark.parametrize(
    "kw, kind",
    [(dict(dataset="ad_spend", scale=False, lr=0.04, n_iter=500, l2=0.3), "all parameters shown"),
     (dict(dataset="price_ads", lr=0.3, n_iter=300, l2=0.3), "b at its optimum for each (w1, w2)")],
)  # fmt: skip
def test_the_loss_surface_is_the_objective_on_its_grid(kw, kind):
    """The contour behind the path: at every 7th grid point L = (1/2n)|Zw + b - y|^2 + (l2/2)|w|^2, in the
    units the path is drawn in (one feature: (w, b) as they are; two: standardised (w1, w2) with b at its
    best, mean(y) - mean(z)·w); the grid frames the start (0, 0) and the optimum with a margin."""
    r = run(**kw)
    Z = r.X_train if not kw.get("scale", True) else (r.X_train - r.X_train.mean(0)) / r.X_train.std(0)
    assert r.surface_kind == kind
    for j in range(0, len(r.surface_v), 7):
        for i in range(0, len(r.surface_u), 7):
            if Z.shape[1] == 1:
                w, b = np.array([r.surface_u[i]]), r.surface_v[j]
            else:
                w = np.array([r.surface_u[i], r.surface_v[j]])
                b = r.y_train.mean() - Z.mean(0) @ w
            res = Z @ w + b - r.y_train
            assert r.surface_loss[j, i] == pytest.approx(res @ res / (2 * len(res)) + 0.15 * (w @ w), rel=1e-9)
    # each axis spans at least the start and the optimum, and at most 1.15 x the widest spread of the
    # points framed (start, optimum, path), so the valley fills the picture
    framed = np.vstack([np.zeros(2), r.surface_opt, r.path])
    widest = (framed.max(0) - framed.min(0)).max()
    for axis, grid in enumerate((r.surface_u, r.surface_v)):
        lo, hi = min(0.0, r.surface_opt[axis]), max(0.0, r.surface_opt[axis])
        assert grid[0] < lo and grid[-1] > hi and grid[-1] - grid[0] <= 1.15 * widest + 1e-5


def test_path_snapshots_are_spaced_on_a_log_scale():
    assert regression._spaced_steps(5, 10).tolist() == [0, 1, 2, 3, 4, 5]  # few steps: every one
    steps = regression._spaced_steps(1000, 10)  # 0, then 1000^(i/8) for i = 0..8 rounded: 10^0.375 = 2.37, ...
    assert steps.tolist() == [0, 1, 2, 6, 13, 32, 75, 178, 422, 1000]
