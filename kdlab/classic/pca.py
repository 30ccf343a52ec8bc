"""PCA by SVD on the 8x8 digits: explained variance, the digits in 2-D, reconstruction from k components; t-SNE beside it.

PCA, written out:
    X_c = X - mean                       centre each pixel (the mean image is added back later)
    X_c = U S Vᵀ                         thin SVD; rows of Vᵀ are the principal directions
    variance of component i = s_i² / (n - 1),  explained ratio = s_i² / Σ_j s_j²
    Z = X_c V_k = U_k S_k                the data in the first k components (scores)
    X̂ = Z V_kᵀ + mean                   the reconstruction from k components
and the reconstruction error is exactly what was dropped:
    (1/n) ||X_c - Z V_kᵀ||²_F = (1/n) Σ_{i>k} s_i²    (Eckart-Young: no rank-k map does better)
Signs of components are arbitrary (v and -v span the same line); scikit-learn fixes them with
svd_flip, so comparisons are made up to sign.

t-SNE (van der Maaten & Hinton 2008, scikit-learn's TSNE, not written out here) keeps each point's
near neighbours near and ignores global distances: its map separates the digits better than the first
two principal components, but its axes mean nothing, it has no transform for new points, and it is
run on a bounded subset (it costs O(n log n) per iteration and about a second here). The 2-D maps are
compared by the leave-one-out accuracy of 5 nearest neighbours in each map.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_digits
from sklearn.manifold import TSNE
from threadpoolctl import threadpool_limits

from kdlab.core.params import Param, validate

PARAMS: tuple[Param, ...] = (
    Param("k", 10, 1, 64, help="components kept for the reconstruction"),
    Param("n_tsne", 300, 100, 600, help="digits embedded by t-SNE (the same ones shown for PCA beside it)"),
    Param("perplexity", 30.0, 5.0, 50.0, help="t-SNE's effective number of neighbours"),
    Param("seed", 0, 0, 10_000, help="seed of the t-SNE subset and of t-SNE itself"),
)

QUICK = {"n_tsne": 100, "perplexity": 10.0}

N_SHOWN = 8  # digits whose reconstructions are drawn
NEIGHBOURS = 5


# ---------------------------------------------------------------- the method


@dataclass
class PCAFit:
    mean: np.ndarray  # (d,)
    components: np.ndarray  # (d, d): row i is the i-th principal direction
    singular_values: np.ndarray  # (d,) descending
    explained_variance: np.ndarray  # s² / (n - 1)
    explained_ratio: np.ndarray  # s² / Σ s²


def fit(X: np.ndarray) -> PCAFit:
    """Centre, then one thin SVD."""
    mean = X.mean(axis=0)
    _, s, Vt = np.linalg.svd(X - mean, full_matrices=False)  # U S are the scores; transform() recomputes them
    return PCAFit(mean, Vt, s, s**2 / (len(X) - 1), s**2 / np.sum(s**2))


def transform(p: PCAFit, X: np.ndarray, k: int) -> np.ndarray:
    """Scores on the first k components: Z = (X - mean) V_k."""
    return (X - p.mean) @ p.components[:k].T


def reconstruct(p: PCAFit, Z: np.ndarray) -> np.ndarray:
    """X̂ = Z V_kᵀ + mean, with k = Z.shape[1]."""
    return Z @ p.components[: Z.shape[1]] + p.mean


# ---------------------------------------------------------------- bookkeeping for the page


def knn_accuracy(Z: np.ndarray, y: np.ndarray, k: int = NEIGHBOURS) -> float:
    """Leave-one-out accuracy of a majority vote among the k nearest other points."""
    d = ((Z[:, None, :] - Z[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    nearest = np.argsort(d, axis=1)[:, :k]
    votes = np.apply_along_axis(np.bincount, 1, y[nearest], minlength=10)
    return float(np.mean(votes.argmax(axis=1) == y))


def load() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 8x8 digits that ship with scikit-learn, pixels 0..16, as (n, 64) and labels."""
    digits = load_digits()
    return digits.data.astype(float), digits.target


@dataclass
class PCAResult:
    params: dict
    explained_ratio: np.ndarray  # all 64 components
    cumulative: np.ndarray
    components_for_90: int  # fewest components explaining >= 90% of the variance
    reconstruction_mse: np.ndarray  # per pixel, for k = 0..64 (k = 0: the mean image)
    scores_2d: np.ndarray  # every digit on the first two components
    labels: np.ndarray
    components: np.ndarray  # the first 8 principal directions as 8x8 images
    mean_image: np.ndarray
    shown: np.ndarray  # N_SHOWN original digits
    shown_reconstructed: np.ndarray  # and their reconstructions from k components
    subset: np.ndarray  # indices embedded by t-SNE
    tsne_2d: np.ndarray
    tsne_kl: float
    knn_pca: float  # 5-NN leave-one-out accuracy in each 2-D map, on the subset
    knn_tsne: float
    knn_full: float  # ... and in all 64 pixels, for scale
    pca_seconds: float
    tsne_seconds: float
    seconds: float = 0.0


def run(**params) -> PCAResult:
    p = validate(PARAMS, params)
    with threadpool_limits(1):  # one thread for BLAS and t-SNE: on a shared 2-core server more only contend
        return _run(p)


def _run(p: dict) -> PCAResult:
    start = time.perf_counter()
    X, y = load()
    n = len(X)

    t0 = time.perf_counter()
    model = fit(X)
    Z = transform(model, X, p["k"])
    shown = np.arange(N_SHOWN) * (n // N_SHOWN)
    X_hat = reconstruct(model, Z[shown])
    pca_seconds = time.perf_counter() - t0
    # Error for every k at once from the singular values (what each k drops), per pixel.
    dropped = np.r_[np.cumsum((model.singular_values**2)[::-1])[::-1], 0.0]
    reconstruction_mse = dropped / (n * X.shape[1])

    rng = np.random.default_rng(p["seed"])
    subset = np.sort(rng.choice(n, p["n_tsne"], replace=False))
    t0 = time.perf_counter()
    tsne = TSNE(n_components=2, perplexity=min(p["perplexity"], (p["n_tsne"] - 1) / 3), init="pca",
                random_state=p["seed"], max_iter=500)  # fmt: skip
    embedded = tsne.fit_transform(X[subset])
    tsne_seconds = time.perf_counter() - t0

    scores_2d = transform(model, X, 2)
    return PCAResult(
        params=p,
        explained_ratio=model.explained_ratio,
        cumulative=np.cumsum(model.explained_ratio),
        components_for_90=int(np.searchsorted(np.cumsum(model.explained_ratio), 0.9) + 1),
        reconstruction_mse=reconstruction_mse,
        scores_2d=scores_2d,
        labels=y,
        components=model.components[:8].reshape(8, 8, 8),
        mean_image=model.mean.reshape(8, 8),
        shown=X[shown].reshape(-1, 8, 8),
        shown_reconstructed=X_hat.reshape(-1, 8, 8),
        subset=subset,
        tsne_2d=embedded,
        tsne_kl=float(tsne.kl_divergence_),
        knn_pca=knn_accuracy(scores_2d[subset], y[subset]),
        knn_tsne=knn_accuracy(embedded, y[subset]),
        knn_full=knn_accuracy(X[subset], y[subset]),
        pca_seconds=pca_seconds,
        tsne_seconds=tsne_seconds,
        seconds=time.perf_counter() - start,
    )


def summarize(r: PCAResult) -> str:
    p, k = r.params, r.params["k"]
    return "\n".join(
        [
            f"pca · 1,797 digits of 8x8 = 64 pixels · k = {k}",
            f"explained variance: first 2 components {r.cumulative[1]:.1%}, first {k} {r.cumulative[k - 1]:.1%}; "
            f"{r.components_for_90} components reach 90%",
            f"reconstruction error per pixel (pixels 0..16): k = 0 (mean image) {r.reconstruction_mse[0]:.3f}, "
            f"k = {k} {r.reconstruction_mse[k]:.3f}",
            f"2-D maps of {p['n_tsne']} digits, 5-nearest-neighbour accuracy (leave one out): PCA {r.knn_pca:.1%}, "
            f"t-SNE {r.knn_tsne:.1%} (all 64 pixels: {r.knn_full:.1%})",
            f"time: PCA of all digits {r.pca_seconds * 1000:.0f} ms, t-SNE of {p['n_tsne']} {r.tsne_seconds:.2f} s "
            f"(perplexity {p['perplexity']:g}, KL {r.tsne_kl:.3f})",
        ]
    )
