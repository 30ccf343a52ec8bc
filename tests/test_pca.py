"""PCA by SVD against scikit-learn's PCA (up to sign) and the Eckart-Young error; t-SNE runs beside it."""

import numpy as np
import pytest
from sklearn.decomposition import PCA

from kdlab.classic import pca
from kdlab.classic.pca import fit, knn_accuracy, load, reconstruct, run, summarize, transform


@pytest.fixture(scope="module")
def digits():
    return load()


def signs(ours, theirs):
    """+1/-1 per component that aligns our rows with scikit-learn's (a component's sign is arbitrary)."""
    return np.sign(np.sum(ours * theirs, axis=1))


@pytest.mark.parametrize("k", [1, 2, 10, 40, 64])
def test_equals_sklearn_pca_up_to_sign(digits, k):
    X, _ = digits
    ours = fit(X)
    sk = PCA(n_components=k, svd_solver="full").fit(X)
    s = signs(ours.components[:k], sk.components_)
    np.testing.assert_allclose(ours.components[:k] * s[:, None], sk.components_, atol=1e-8)
    np.testing.assert_allclose(ours.explained_variance[:k], sk.explained_variance_, rtol=1e-10)
    np.testing.assert_allclose(ours.explained_ratio[:k], sk.explained_variance_ratio_, rtol=1e-10)
    np.testing.assert_allclose(ours.singular_values[:k], sk.singular_values_, rtol=1e-10)
    Z = transform(ours, X, k)
    np.testing.assert_allclose(Z * s, sk.transform(X), atol=1e-8)
    np.testing.assert_allclose(reconstruct(ours, Z), sk.inverse_transform(sk.transform(X)), atol=1e-8)


def test_reconstruction_error_is_the_dropped_variance(digits):
    X, _ = digits
    r = run(n_tsne=100, perplexity=10.0)
    model = fit(X)
    for k in (0, 1, 5, 10, 30, 64):
        X_hat = reconstruct(model, transform(model, X, k)) if k else np.broadcast_to(model.mean, X.shape)
        assert np.mean((X - X_hat) ** 2) == pytest.approx(r.reconstruction_mse[k], rel=1e-9, abs=1e-12)
    assert r.reconstruction_mse[64] == pytest.approx(0, abs=1e-12)
    assert np.all(np.diff(r.reconstruction_mse) <= 1e-12)  # more components never hurt


def test_no_rank_k_projection_beats_pca(digits):
    """Eckart-Young, checked against random k-dimensional subspaces."""
    X, _ = digits
    model, k = fit(X), 5
    Xc = X - model.mean
    best = np.mean((Xc - transform(model, X, k) @ model.components[:k]) ** 2)
    rng = np.random.default_rng(0)
    for _ in range(20):
        Q, _ = np.linalg.qr(rng.normal(size=(64, k)))
        assert np.mean((Xc - Xc @ Q @ Q.T) ** 2) > best


def test_run_numbers(digits):
    r = run()
    assert r.components_for_90 == int(np.argmax(r.cumulative >= 0.9) + 1)
    assert r.cumulative[-1] == pytest.approx(1.0)
    assert r.scores_2d.shape == (1797, 2) and r.tsne_2d.shape == (r.params["n_tsne"], 2)
    # t-SNE keeps neighbourhoods: its 2-D map separates digits far better than two principal components
    assert r.knn_tsne > r.knn_pca + 0.2
    X, y = digits
    assert r.knn_full == pytest.approx(knn_accuracy(X[r.subset], y[r.subset]))
    assert "90%" in summarize(r)


def test_knn_accuracy_against_sklearn(digits):
    from sklearn.model_selection import LeaveOneOut, cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    X, y = digits
    Z = transform(fit(X), X, 2)[:150]
    ref = cross_val_score(KNeighborsClassifier(pca.NEIGHBOURS), Z, y[:150], cv=LeaveOneOut()).mean()
    assert knn_accuracy(Z, y[:150]) == pytest.approx(ref, abs=0.02)  # vote ties may break differently
