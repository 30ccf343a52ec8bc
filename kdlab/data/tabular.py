"""Small tabular data sets for the regression demo, generated from a seed.

The e-commerce sets are drawn from a known linear model plus Gaussian noise, so a
page can show the true coefficients next to the fitted ones. They are split into
train and test rows once, here, so every method sees the same held-out rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DATASETS = ("ad_spend", "price_ads", "four_points")
N_SAMPLES = 200
TEST_FRACTION = 0.25


@dataclass(frozen=True)
class Tabular:
    name: str
    X_train: np.ndarray  # (n, p)
    y_train: np.ndarray  # (n,)
    X_test: np.ndarray | None  # None: the set is too small to hold rows out
    y_test: np.ndarray | None
    feature_names: tuple[str, ...]
    feature_names_zh: tuple[str, ...]
    target_name: str
    target_name_zh: str
    true_w: np.ndarray | None  # the generating model; None when there is none
    true_b: float | None


def load(name: str, seed: int = 0) -> Tabular:
    if name == "ad_spend":
        return ad_spend(seed)
    if name == "price_ads":
        return price_ads(seed)
    if name == "four_points":
        return four_points()
    raise KeyError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}")


def ad_spend(seed: int = 0) -> Tabular:
    """Daily units sold against ad spend (k¥): one feature, so (w, b) fits on a contour plot."""
    rng = np.random.default_rng(seed)
    ads = rng.uniform(0.5, 10.0, N_SAMPLES)
    true_w, true_b = np.array([6.0]), 40.0
    units = ads * true_w[0] + true_b + rng.normal(0.0, 6.0, N_SAMPLES)
    return _split(
        "ad_spend",
        ads[:, None],
        units,
        rng,
        feature_names=("ad spend (k¥)",),
        feature_names_zh=("广告投入（千元）",),
        true_w=true_w,
        true_b=true_b,
    )


def price_ads(seed: int = 0) -> Tabular:
    """Units sold against price (¥) and ad spend (k¥).

    Sellers who cut the price also tend to advertise more, so the two features are
    negatively correlated (about -0.5): even standardised, the loss bowl is an ellipse.
    """
    rng = np.random.default_rng(seed)
    price = rng.uniform(5.0, 15.0, N_SAMPLES)
    ads = 5.0 + 0.4 * (10.0 - price) + rng.uniform(-3.0, 3.0, N_SAMPLES)
    X = np.column_stack([price, ads])
    true_w, true_b = np.array([-5.0, 6.0]), 100.0
    units = X @ true_w + true_b + rng.normal(0.0, 5.0, N_SAMPLES)
    return _split(
        "price_ads",
        X,
        units,
        rng,
        feature_names=("price (¥)", "ad spend (k¥)"),
        feature_names_zh=("价格（元）", "广告投入（千元）"),
        true_w=true_w,
        true_b=true_b,
    )


def four_points() -> Tabular:
    """The original article's example, X = [[1,2],[2,3],[3,4],[4,5]], y = [3,4,5,6].

    Its second column is the first plus one, so with a bias term the columns
    [x1, x2, 1] are linearly dependent: y = x1 + 2 = x2 + 1 = 0.5·x1 + 0.5·x2 + 1.5 ...
    infinitely many exact fits. Four rows leave nothing to hold out.
    """
    X = np.array([[1.0, 2.0], [2.0, 3.0], [3.0, 4.0], [4.0, 5.0]])
    y = np.array([3.0, 4.0, 5.0, 6.0])
    return Tabular(
        name="four_points",
        X_train=X,
        y_train=y,
        X_test=None,
        y_test=None,
        feature_names=("x1", "x2"),
        feature_names_zh=("x1", "x2"),
        target_name="y",
        target_name_zh="y",
        true_w=None,
        true_b=None,
    )


def _split(name, X, y, rng, *, feature_names, feature_names_zh, true_w, true_b) -> Tabular:
    order = rng.permutation(len(y))
    n_test = round(TEST_FRACTION * len(y))
    test, train = order[:n_test], order[n_test:]
    return Tabular(
        name=name,
        X_train=X[train],
        y_train=y[train],
        X_test=X[test],
        y_test=y[test],
        feature_names=feature_names,
        feature_names_zh=feature_names_zh,
        target_name="units sold",
        target_name_zh="销量（件）",
        true_w=true_w,
        true_b=true_b,
    )
