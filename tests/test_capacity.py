"""Capacity lab against scikit-learn: Ridge, Lasso, polynomial fits, k-fold CV; and the curves' shapes."""

import numpy as np
import pytest
from sklearn.linear_model import Lasso, LinearRegression, Ridge
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from kdlab.classic import capacity
from kdlab.classic.capacity import features, folds, kfold_mse, lasso, linear_problem, ridge, run, summarize


@pytest.fixture(scope="module")
def problem():
    return linear_problem(np.random.default_rng(1))


@pytest.mark.parametrize("alpha", [1e-3, 0.1, 1.0, 10.0, 1000.0])
def test_ridge_equals_sklearn(problem, alpha):
    X, y, _ = problem
    w, b = ridge(X, y, alpha)
    sk = Ridge(alpha=alpha).fit(X, y)
    np.testing.assert_allclose(w, sk.coef_, atol=1e-10)
    assert b == pytest.approx(sk.intercept_, abs=1e-10)


@pytest.mark.parametrize("alpha", [1e-4, 1e-2, 0.1, 0.5, 2.0])
def test_lasso_coordinate_descent_equals_sklearn(problem, alpha):
    X, y, _ = problem
    w, b = lasso(X, y, alpha)
    sk = Lasso(alpha=alpha, tol=1e-12, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(w, sk.coef_, atol=1e-7)
    assert b == pytest.approx(sk.intercept_, abs=1e-7)
    assert np.array_equal(w == 0, sk.coef_ == 0)  # the same weights are exactly zero


def test_lasso_path_drops_weights_and_keeps_the_true_ones_longest():
    r = run(**capacity.QUICK)
    nonzero = (np.abs(r.path_lasso) > 0).sum(axis=1)
    assert nonzero[0] == 0 and nonzero[-1] == capacity.N_FEATURES  # largest alpha first
    assert np.all(np.diff(nonzero) >= -1)  # weights enter (almost always) one at a time as alpha falls
    first_in = [int(np.argmax(np.abs(r.path_lasso[:, j]) > 0)) for j in range(capacity.N_FEATURES)]
    assert max(first_in[: capacity.N_INFORMATIVE]) <= min(first_in[capacity.N_INFORMATIVE :])
    # ridge only shrinks: no weight is exactly zero, and the norm falls as alpha grows
    norms = np.linalg.norm(r.path_ridge, axis=1)
    assert np.all(r.path_ridge != 0) and np.all(np.diff(norms) < 0)


@pytest.mark.parametrize("degree", [1, 3, 9])
def test_polynomial_fit_equals_sklearn(degree):
    rng = np.random.default_rng(degree)
    x, y = capacity.draw(30, 0.3, rng)
    poly = FunctionTransformer(lambda v: features(v.ravel(), degree))
    for alpha, model in ((1e-8, Ridge(alpha=1e-8)), (0.1, Ridge(alpha=0.1))):
        w, b = ridge(features(x, degree), y, alpha)
        pipe = make_pipeline(poly, model).fit(x[:, None], y)
        np.testing.assert_allclose(features(x, degree) @ w + b, pipe.predict(x[:, None]), atol=1e-7)
    lr = make_pipeline(poly, LinearRegression()).fit(x[:, None], y)
    w, b = ridge(features(x, degree), y, 1e-12)
    np.testing.assert_allclose(features(x, degree) @ w + b, lr.predict(x[:, None]), atol=1e-6)


def test_kfold_equals_sklearn_cross_val_score_on_the_same_folds():
    rng = np.random.default_rng(0)
    x, y = capacity.draw(40, 0.3, rng)
    for k in (2, 5, 10):
        cv = folds(len(x), k, seed=3)
        held = np.sort(np.concatenate([h for _, h in cv]))
        assert np.array_equal(held, np.arange(len(x)))  # every row held out exactly once
        poly = FunctionTransformer(lambda v: features(v.ravel(), 4))
        ref = -cross_val_score(make_pipeline(poly, Ridge(alpha=0.01)), x[:, None], y, cv=cv,
                               scoring="neg_mean_squared_error").mean()  # fmt: skip
        assert kfold_mse(x, y, 4, 0.01, k, seed=3) == pytest.approx(ref, rel=1e-9)


def test_training_error_only_falls_with_degree_validation_does_not():
    r = run()
    # exact least squares could only fall; the default alpha = 1e-8 can lift it by ~1e-5 at degree 15
    assert np.all(np.diff(r.train_by_degree) <= 1e-4)
    best = int(np.argmin(r.val_by_degree))
    assert 0 < best < len(r.degrees) - 1  # too simple and too complex both lose
    assert r.val_by_degree[-1] > 5 * r.val_by_degree[best]  # degree 15 on 20 points overfits badly
    assert r.val_by_degree[0] > r.val_by_degree[best]  # a line underfits


def test_ridge_penalty_tames_the_high_degree():
    free, penalised = run(degree=15), run(degree=15, alpha=1e-3)
    assert penalised.val_mse < free.val_mse / 5
    assert penalised.train_mse > free.train_mse


def test_learning_curves_meet_near_the_noise_floor():
    r = run(degree=3, noise=0.3)
    assert r.val_by_size[-1] < r.val_by_size[0]
    assert r.train_by_size[-1] > r.train_by_size[0]
    start_gap = r.val_by_size[0] - r.train_by_size[0]
    end_gap = r.val_by_size[-1] - r.train_by_size[-1]
    assert 0 < end_gap < 0.01 * start_gap
    # a cubic cannot bend like sin(2πx): both curves meet a little above the noise floor (bias)
    assert r.noise_floor < r.val_by_size[-1] < 1.25 * r.noise_floor


def test_search_spends_the_same_budget_and_reports_its_best():
    r = run(budget=16)
    g, rnd = r.search["grid"], r.search["random"]
    assert len(g["trials"]) == 16 and len(rnd["trials"]) == 16
    assert len(np.unique(g["trials"][:, 0])) == 4 and len(np.unique(rnd["trials"][:, 0])) > 4
    for s in (g, rnd):
        assert s["best_cv"] == pytest.approx(s["scores"].min())
        d, a = s["best"]
        assert s["best_cv"] == pytest.approx(kfold_mse(r.x_train, r.y_train, d, a, 5, r.params["seed"]))
    assert sum(r.search_wins.values()) == capacity.SEARCH_REPEATS
    assert "random search" in summarize(r)
