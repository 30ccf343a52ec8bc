"""SVM against scikit-learn's SVC: the primal objective for every C in [0.01, 100], kernels, KKT, Pegasos.

The reference is SVC (LIBSVM's SMO on the dual), not LinearSVC: SVC minimises exactly our primal
½||w||² + C Σ hinge with the intercept b unpenalised, while LinearSVC (liblinear) adds the intercept
to the penalty (a constant feature of weight intercept_scaling) and so solves a different problem.
SVC runs with tol=1e-6 so that its own stopping error is far below the tolerances asserted here.
"""

import numpy as np
import pytest
from sklearn.svm import SVC

from kdlab.classic import svm
from kdlab.classic.svm import (
    dual_objective,
    kernel_matrix,
    linear_objective,
    primal_objective,
    run,
    smo,
    summarize,
)

C_GRID = np.logspace(-2, 2, 9)  # 0.01 ... 100


def svc_primal(r, C, kernel="linear", gamma=1.0, degree=3):
    sk = SVC(kernel=kernel, C=C, gamma=gamma, degree=degree, coef0=1.0, tol=1e-6).fit(r.X_train, r.y_train)
    coef = np.zeros(len(r.y_train))
    coef[sk.support_] = sk.dual_coef_[0]
    K = kernel_matrix(r.X_train, r.X_train, kernel, gamma, degree)
    return primal_objective(K, r.y_train, coef, float(sk.intercept_[0]), C), sk


@pytest.mark.parametrize("dataset", ["blobs", "moons"])
def test_smo_linear_primal_equals_svc_for_every_C(dataset):
    for C in C_GRID:
        r = run(dataset=dataset, n=100, C=C, pegasos_steps=100)
        reference, sk = svc_primal(r, C)
        ours = linear_objective(r.X_train, r.y_train, r.w, r.b, C)
        assert r.smo_converged
        assert ours == pytest.approx(reference, rel=1e-4), C  # far inside the 1% the issue asks
        np.testing.assert_allclose(r.w, sk.coef_[0], rtol=1e-2, atol=1e-3 * max(1, np.abs(r.w).max()))
        assert r.primal == pytest.approx(ours, rel=1e-12)  # the kernel form of P equals the linear one
        assert r.dual <= r.primal + 1e-9 and r.primal - r.dual <= 1e-4 * r.primal  # duality gap closes


def test_pegasos_reaches_one_percent_up_to_C_10_but_not_at_100():
    """Pegasos' error falls like 1/(λt) with λ = 1/(nC): at C = 100 (λ = 1e-4 for n = 100) 20,000
    steps leave it about 2% above the optimum, so for C = 100 the 1% claim is SMO's, not Pegasos'."""
    for C in (0.01, 0.1, 1.0, 10.0):
        r = run(dataset="blobs", n=100, C=C, pegasos_steps=20_000)
        reference, _ = svc_primal(r, C)
        assert r.pegasos_objective[-1] <= 1.01 * reference, C
        assert r.pegasos_objective[-1] >= reference * (1 - 1e-9)  # nothing beats the optimum
    r = run(dataset="blobs", n=100, C=100.0, pegasos_steps=20_000)
    reference, _ = svc_primal(r, 100.0)
    assert r.pegasos_objective[-1] > 1.01 * reference
    # the gap the page shows, from Pegasos' own (w, b) and SVC's optimum, the objective written out here
    pegasos = 0.5 * r.pegasos_w @ r.pegasos_w + 100.0 * np.maximum(0, 1 - r.y_train * (r.X_train @ r.pegasos_w + r.pegasos_b)).sum()
    assert r.pegasos_gap == pytest.approx(pegasos / reference - 1, rel=1e-3)


@pytest.mark.parametrize("kernel,gamma", [("rbf", 1.0), ("rbf", 10.0), ("poly", 1.0)])
@pytest.mark.parametrize("dataset", ["moons", "circles"])
def test_kernel_smo_primal_equals_svc(kernel, gamma, dataset):
    for C in (0.01, 1.0, 100.0):
        r = run(dataset=dataset, n=100, kernel=kernel, gamma=gamma, C=C)
        reference, sk = svc_primal(r, C, kernel, gamma)
        assert r.smo_converged
        # The primal at large C amplifies b's tiny stopping error by C (0.1% at C = 100 here), so the
        # primal is held to the 1%; the dual, flat at its optimum, to 1e-4.
        assert r.primal == pytest.approx(reference, rel=1e-2), (C, r.primal, reference)
        sk_alpha = np.zeros(len(r.y_train))
        sk_alpha[sk.support_] = np.abs(sk.dual_coef_[0])
        K = kernel_matrix(r.X_train, r.X_train, kernel, gamma)
        assert r.dual == pytest.approx(dual_objective(K, r.y_train, sk_alpha), rel=1e-4)
        pred = np.sign(kernel_matrix(r.X_test, r.X_train, kernel, gamma) @ r.coef + r.b)
        assert np.mean(pred == sk.predict(r.X_test)) >= 0.98


def test_kkt_conditions_hold():
    r = run(dataset="moons", kernel="rbf", gamma=3.0, C=1.0, n=150)
    C, a, y = 1.0, r.alpha, r.y_train
    assert np.all(a >= 0) and np.all(a <= C)
    assert abs(a @ y) < 1e-9  # Σ α_i y_i = 0 is kept exactly by every SMO step
    margin = y * (kernel_matrix(r.X_train, r.X_train, "rbf", 3.0) @ r.coef + r.b)
    free = (a > 1e-8) & (a < C - 1e-8)
    assert np.allclose(margin[free], 1, atol=1e-4)  # free support vectors sit on the margin
    assert np.all(margin[a < 1e-8] >= 1 - 1e-4)  # the rest are outside it
    assert np.all(margin[a >= C - 1e-8] <= 1 + 1e-4)  # bounded ones on or inside it
    np.testing.assert_allclose(r.slack, np.maximum(0, 1 - margin), atol=1e-12)


def test_dual_objective_is_a_lower_bound_for_any_feasible_alpha():
    r = run(n=60)
    K = kernel_matrix(r.X_train, r.X_train, "linear")
    rng = np.random.default_rng(0)
    for _ in range(5):
        a = rng.uniform(0, 1, len(r.y_train))
        a -= r.y_train * (a @ r.y_train) / len(a)  # project onto Σ α y = 0 ...
        a = np.clip(a, 0, 1)
        if abs(a @ r.y_train) < 1e-9:  # ... and keep it only if still feasible
            assert dual_objective(K, r.y_train, a) <= r.primal + 1e-9


def test_larger_C_narrows_the_margin_and_reduces_slack():
    wide, narrow = run(C=0.01), run(C=100.0)
    assert wide.margin_width > narrow.margin_width
    assert wide.slack.sum() > narrow.slack.sum()
    assert len(wide.support) > len(narrow.support)


def test_smo_on_a_separable_toy_problem_finds_the_maximum_margin():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [2.0, 0.0], [2.0, 1.0]])
    y = np.array([-1.0, -1.0, 1.0, 1.0])
    a, b, _, converged = smo(X @ X.T, y, C=1000.0)
    w = (a * y) @ X
    assert converged
    np.testing.assert_allclose(w, [1.0, 0.0], atol=1e-4)  # margin 2/||w|| = 2, the gap between the columns
    assert b == pytest.approx(-1.0, abs=1e-4)


def test_summary_and_step_limit_are_reported():
    r = run(kernel="linear", C=100.0, pegasos_steps=1000)
    text = summarize(r)
    assert "Pegasos" in text and "from SMO's optimum" in text
    K = kernel_matrix(r.X_train, r.X_train, "linear")
    *_, converged = smo(K, r.y_train, 100.0, max_iter=5)
    assert not converged
    assert svm.TOL <= 1e-5
