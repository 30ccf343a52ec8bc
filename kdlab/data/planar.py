"""Two-class data sets in the plane (blobs, moons, circles), generated from a seed.

Small enough to draw every point and a decision region; each set is split into train
and test rows once, here, so every model sees the same held-out rows. Numpy only (the
same shapes as scikit-learn's make_blobs / make_moons / make_circles, written out so
nothing heavy is imported).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DATASETS = ("blobs", "moons", "circles")
TEST_FRACTION = 0.3


@dataclass(frozen=True)
class Planar:
    name: str
    X_train: np.ndarray  # (n, 2)
    y_train: np.ndarray  # (n,) in {0, 1}
    X_test: np.ndarray
    y_test: np.ndarray


def load(name: str, n: int = 200, noise: float = 0.2, seed: int = 0) -> Planar:
    """`n` points in all (train + test), half of each class; `noise` is the std of the
    Gaussian jitter added to every coordinate (for blobs: the spread of each blob)."""
    rng = np.random.default_rng(seed)
    n1 = n // 2
    n0 = n - n1
    if name == "blobs":
        # Two round clouds, centres 2.5 apart; noise 0.2 -> std 1.0, so they overlap a little.
        spread = 0.5 + 2.5 * noise
        X = np.vstack([rng.normal([-1.25, 0.0], spread, (n0, 2)), rng.normal([1.25, 0.0], spread, (n1, 2))])
    elif name == "moons":
        a0, a1 = rng.uniform(0, np.pi, n0), rng.uniform(0, np.pi, n1)
        upper = np.column_stack([np.cos(a0), np.sin(a0)])
        lower = np.column_stack([1 - np.cos(a1), 0.5 - np.sin(a1)])
        X = np.vstack([upper, lower]) + rng.normal(0, noise, (n, 2))
    elif name == "circles":
        a0, a1 = rng.uniform(0, 2 * np.pi, n0), rng.uniform(0, 2 * np.pi, n1)
        outer = np.column_stack([np.cos(a0), np.sin(a0)])
        inner = 0.5 * np.column_stack([np.cos(a1), np.sin(a1)])
        X = np.vstack([outer, inner]) + rng.normal(0, noise * 0.5, (n, 2))
    else:
        raise KeyError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}")
    y = np.r_[np.zeros(n0, dtype=int), np.ones(n1, dtype=int)]
    order = rng.permutation(n)
    n_test = round(TEST_FRACTION * n)
    test, train = order[:n_test], order[n_test:]
    return Planar(name, X[train], y[train], X[test], y[test])


def grid(X: np.ndarray, size: int = 60, margin: float = 0.15) -> tuple[np.ndarray, np.ndarray]:
    """(xs, ys): a size x size grid covering the points with a margin, for decision regions."""
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = (hi - lo) * margin + 1e-9
    return np.linspace(lo[0] - pad[0], hi[0] + pad[0], size), np.linspace(
        lo[1] - pad[1], hi[1] + pad[1], size
    )
