"""Logistic regression: the gradient against finite differences and torch.autograd, the optimum and
gradient descent against scikit-learn's LogisticRegression at C = 1 / (n * l2), separable data."""

import json

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

from kdlab.classic import logistic
from kdlab.classic.logistic import (
    Features,
    gradient,
    gradient_descent,
    log_loss,
    newton,
    objective,
    polynomial_features,
    run,
    sigmoid,
    summarize,
)
from kdlab.core.params import ParamError
from kdlab.core.result import jsonable
from kdlab.data import planar


def sklearn_fit(X, y, degree, l2):
    """(w, b) on the standardised polynomial features from scikit-learn's twin of our objective."""
    C = np.inf if l2 == 0 else 1.0 / (len(y) * l2)
    pipe = make_pipeline(
        PolynomialFeatures(degree, include_bias=False),
        StandardScaler(),
        LogisticRegression(C=C, tol=1e-12, max_iter=100_000),
    ).fit(X, y)
    model = pipe[-1]
    return model.coef_[0], float(model.intercept_[0])


def standardised(dataset, degree, seed=0, n=200, noise=0.2):
    data = planar.load(dataset, n, noise, seed)
    phi = Features.fit(data.X_train, degree)
    return phi(data.X_train), data.y_train.astype(float), data


def test_polynomial_features_are_sklearns_in_the_same_order():
    X = np.random.default_rng(1).normal(size=(7, 2))
    for degree in (1, 2, 3, 6):
        F, names = polynomial_features(X, degree)
        np.testing.assert_allclose(
            F, PolynomialFeatures(degree, include_bias=False).fit_transform(X), rtol=1e-12
        )
        assert len(names) == F.shape[1]
    assert polynomial_features(X, 2)[1] == ("x1", "x2", "x1^2", "x1·x2", "x2^2")


def test_sigmoid_and_loss_are_stable_for_extreme_logits():
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow to 0 is fine
        assert sigmoid(np.array([-1000.0, 1000.0])).tolist() == [0.0, 1.0]
        assert log_loss(np.array([1000.0, -1000.0]), np.array([0.0, 1.0])) == pytest.approx(1000.0)
        assert log_loss(np.array([1000.0, -1000.0]), np.array([1.0, 0.0])) == pytest.approx(0.0)
    z = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-12)


@pytest.mark.parametrize("l2", [0.0, 0.05])
def test_gradient_equals_finite_differences(l2):
    Z, y, _ = standardised("moons", 3)
    rng = np.random.default_rng(0)
    w, b = rng.normal(size=Z.shape[1]), 0.3
    gw, gb = gradient(Z, y, w, b, l2)
    h = 1e-6
    fd = [
        (objective(Z, y, w + h * e, b, l2) - objective(Z, y, w - h * e, b, l2)) / (2 * h)
        for e in np.eye(len(w))
    ]
    np.testing.assert_allclose(gw, fd, atol=1e-8)
    assert gb == pytest.approx(
        (objective(Z, y, w, b + h, l2) - objective(Z, y, w, b - h, l2)) / (2 * h), abs=1e-8
    )


def test_gradient_equals_torch_autograd():
    from kdlab.core.torch_env import torch

    Z, y, _ = standardised("circles", 2)
    rng = np.random.default_rng(1)
    w0, b0, l2 = rng.normal(size=Z.shape[1]), -0.2, 0.1
    w = torch.tensor(w0, requires_grad=True)
    b = torch.tensor(b0, dtype=torch.float64, requires_grad=True)
    z = torch.tensor(Z) @ w + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor(y)) + l2 / 2 * (w @ w)
    loss.backward()
    gw, gb = gradient(Z, y, w0, b0, l2)
    assert objective(Z, y, w0, b0, l2) == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(gw, w.grad.numpy(), rtol=1e-10, atol=1e-14)
    assert gb == pytest.approx(b.grad.item(), rel=1e-10)


# Newton's optimum equals scikit-learn's at C = 1 / (n * l2) to 1e-5 (lbfgs stops at its own tolerance).
@pytest.mark.parametrize(
    "dataset,degree,l2",
    [("blobs", 1, 0.01), ("moons", 1, 0.001), ("moons", 3, 0.001), ("circles", 2, 0.1), ("moons", 6, 0.0005)],
)
def test_exact_optimum_equals_sklearn(dataset, degree, l2):
    Z, y, data = standardised(dataset, degree)
    w, b = newton(Z, y, l2)
    w_sk, b_sk = sklearn_fit(data.X_train, data.y_train, degree, l2)
    np.testing.assert_allclose(w, w_sk, atol=1e-5)
    assert b == pytest.approx(b_sk, abs=1e-5)


# Batch gradient descent, run to convergence, lands on sklearn's coefficients to 1e-4.
@pytest.mark.parametrize(
    "kw",
    [
        dict(dataset="blobs", degree=1, l2=0.01, lr=5.0, n_iter=300),
        dict(dataset="moons", degree=1, l2=0.001, lr=5.0, n_iter=500),
        dict(dataset="circles", degree=2, l2=0.01, lr=5.0, n_iter=2000),
        dict(dataset="moons", degree=3, l2=0.001, lr=5.0, n_iter=5000),
    ],
    ids=lambda kw: f"{kw['dataset']}-{kw['degree']}",
)
def test_batch_gd_matches_sklearn(kw):
    r = run(method="batch", **kw)
    w_sk, b_sk = sklearn_fit(r.X_train, r.y_train, kw["degree"], kw["l2"])
    np.testing.assert_allclose(r.w, w_sk, atol=1e-4)
    assert r.b == pytest.approx(b_sk, abs=1e-4)
    assert r.coef_gap < 1e-4
    assert r.sklearn_C == pytest.approx(1 / (len(r.y_train) * kw["l2"]))


def test_unpenalised_fit_on_overlapping_blobs_matches_sklearn_without_penalty():
    r = run(dataset="blobs", degree=1, l2=0.0, lr=5.0, n_iter=2000)
    w_sk, b_sk = sklearn_fit(r.X_train, r.y_train, 1, 0.0)
    np.testing.assert_allclose(r.w, w_sk, atol=1e-4)
    assert r.b == pytest.approx(b_sk, abs=1e-4)
    assert r.sklearn_C == float("inf")


def test_minibatch_gets_near_the_optimum_and_batch_objective_never_rises():
    mini = run(method="minibatch", batch_size=16, lr=0.5, n_iter=3000, degree=1)
    assert mini.coef_gap < 0.05
    batch = run(method="batch", lr=1.0, n_iter=500)
    assert batch.params["lr"] < batch.lr_stable_below
    assert np.all(np.diff(batch.objective_history) <= 1e-12)  # below the curvature bound GD only descends


def test_separable_data_without_penalty_has_no_optimum_and_weights_keep_growing():
    r = run(dataset="circles", degree=2, noise=0.05, l2=0.0, lr=5.0, n_iter=3000)
    assert r.w_opt is None and r.coef_gap is None
    assert r.train_accuracy == 1.0
    assert np.all(np.diff(r.weight_norm[100:]) > 0)
    assert "no finite optimum" in summarize(r)
    penalised = run(dataset="circles", degree=2, noise=0.05, l2=0.01, lr=5.0, n_iter=3000)
    assert penalised.w_opt is not None and penalised.coef_gap < 1e-4
    assert penalised.weight_norm[-1] < r.weight_norm[-1] / 2


def test_histories_and_snapshots_are_consistent():
    r = run(n_iter=200)
    Z, y, data = standardised("moons", 3)
    assert len(r.train_loss) == len(r.test_loss) == len(r.objective_history) == 201
    assert r.objective_history[-1] == pytest.approx(objective(Z, y, r.w, r.b, 0.001), rel=1e-12)
    assert r.train_loss[0] == pytest.approx(np.log(2)) and r.test_loss[0] == pytest.approx(np.log(2))
    assert r.frame_steps[0] == 0 and r.frame_steps[-1] == 200 and len(r.frame_steps) <= logistic.MAX_FRAMES
    assert r.frame_proba.shape == (len(r.frame_steps), logistic.GRID, logistic.GRID)
    assert np.all(r.frame_proba[0] == 0.5)
    # The last snapshot is the final model evaluated on the grid (row j = grid_y[j], column i = grid_x[i]).
    j, i = 7, 41
    point = np.array([[r.grid_x[i], r.grid_y[j]]])
    phi = Features.fit(data.X_train, 3)
    assert r.frame_proba[-1, j, i] == pytest.approx(sigmoid(phi(point) @ r.w + r.b)[0], rel=1e-12)
    expected_acc = np.mean((sigmoid(phi(data.X_test) @ r.w + r.b) > 0.5) == data.y_test)
    assert r.test_accuracy == pytest.approx(expected_acc)
    json.dumps(jsonable(r), allow_nan=False)


def test_gradient_descent_from_zero_reports_every_step():
    Z, y, _ = standardised("blobs", 1)
    gd = gradient_descent(Z, y, lr=0.1, n_iter=3, l2=0.0)
    assert gd.ws.shape == (4, 2) and np.all(gd.ws[0] == 0) and gd.bs[0] == 0
    gw, _ = gradient(Z, y, np.zeros(2), 0.0)
    np.testing.assert_allclose(gd.ws[1], -0.1 * gw)


@pytest.mark.parametrize(
    "bad", [{"lr": 0.0}, {"lr": 11}, {"degree": 7}, {"l2": -1}, {"dataset": "iris"}, {"n_samples": 5}]
)
def test_params_refuse_out_of_range_values(bad):
    with pytest.raises(ParamError):
        run(**bad)


@pytest.mark.filterwarnings("error")
def test_a_too_large_step_is_stopped_as_divergence_without_warnings():
    # Within the page's bounds (lr <= 10, l2 <= 0.1) lr * l2 <= 1 and GD can bounce but not diverge;
    # with lr * l2 > 2 the penalty alone flips and doubles w every step.
    Z, y, _ = standardised("moons", 3)
    gd = gradient_descent(Z, y, lr=5.0, n_iter=1000, l2=1.0)
    assert gd.diverged_at is not None and gd.diverged_at < 10
    assert len(gd.ws) == gd.diverged_at + 1
    assert objective(Z, y, gd.w, gd.b, 1.0) > logistic.DIVERGE_FACTOR * np.log(2)


def test_a_large_step_that_bounces_is_reported_and_a_smaller_one_converges():
    r = run(lr=5.0, l2=0.1, degree=6)
    assert r.diverged_at is None and r.bouncing and r.coef_gap > 0.1
    assert "bounce" in summarize(r)
    ok = run(lr=0.8, l2=0.1, degree=6)
    assert ok.params["lr"] < ok.lr_stable_below and not ok.bouncing and ok.coef_gap < 1e-4


def test_default_run_converges_and_is_quick():
    r = run()
    assert r.diverged_at is None and not r.bouncing and r.coef_gap < 1e-3
    assert r.test_accuracy > 0.9


# --- worked by hand: what mutation testing found unchecked -------------------------------------------


def test_minibatch_steps_replayed_by_hand():
    """Batches of 2 over 5 rows, reshuffled each epoch by the seeded generator (2, 2, then 1 row); each
    step is the batch's mean gradient of the log-loss, (1/m) Xᵀ(σ(Xw + b) - y) + l2·w, and mean(σ - y)."""
    from kdlab.classic.logistic import gradient_descent

    X = np.array([[1.0, 0.5], [-1.0, 0.2], [0.3, -0.7], [2.0, 1.0], [-0.5, -1.5]])
    y = np.array([1.0, 0.0, 0.0, 1.0, 0.0])
    lr, l2 = 0.5, 0.1
    gd = gradient_descent(X, y, lr=lr, n_iter=4, batch_size=2, l2=l2, seed=3)
    rng = np.random.default_rng(3)
    orders = [rng.permutation(5), rng.permutation(5)]
    w, b = np.zeros(2), 0.0
    for rows in (orders[0][0:2], orders[0][2:4], orders[0][4:5], orders[1][0:2]):
        err = 1 / (1 + np.exp(-(X[rows] @ w + b))) - y[rows]
        w, b = w - lr * (X[rows].T @ err / len(rows) + l2 * w), b - lr * err.mean()
    np.testing.assert_allclose(gd.w, w, rtol=1e-12)
    assert gd.b == pytest.approx(b, rel=1e-12) and len(gd.ws) == 5 and gd.diverged_at is None


def test_the_stable_step_is_two_over_the_curvature_bound():
    # L's Hessian is at most [Z 1]ᵀ[Z 1] / (4n) + l2 (σ' <= 1/4): lr below 2 / its largest eigenvalue descends
    from kdlab.classic.logistic import Features

    r = run(l2=0.05)
    Z = Features.fit(r.X_train, r.params["degree"])(r.X_train)
    A = np.column_stack([Z, np.ones(len(Z))])
    assert r.lr_stable_below == pytest.approx(2 / (np.linalg.eigvalsh(A.T @ A / (4 * len(Z)))[-1] + 0.05), rel=1e-9)
    assert r.b_opt is not None and r.X_test.shape == (len(r.y_test), 2) and 0 <= r.seconds < 60
