"""Ensembles of trees: bagging, random forest, AdaBoost (SAMME) and gradient boosting, beside one tree, checked against scikit-learn.

All four are built on kdlab.classic.tree.grow (CART):

    bagging        M fully grown trees, each on a bootstrap sample (n rows drawn with replacement);
                   predict by averaging their class probabilities. Averaging cancels the trees'
                   independent errors: it lowers variance, not bias.
    random forest  bagging, plus each split may only look at a random sqrt(d) of the d features, so
                   the trees are less alike and their average varies less.
    AdaBoost       (SAMME, K classes) stumps fitted one after another on reweighted rows: with the
                   weighted error e_m of stump m, its vote is α_m = η (log((1 - e_m)/e_m) + log(K - 1))
                   and every row it got wrong has its weight multiplied by e^{α_m}.
    gradient       (binary log-loss) F_0 = log-odds of the training classes; stage m fits a depth-3
    boosting       regression tree to the residuals y - σ(F), sets each leaf to one Newton step
                   Σ(y - p) / Σ p(1 - p) over its rows, and adds η × that: F_m = F_{m-1} + η h_m.
                   Boosting lowers bias: each stage fixes what the ensemble still gets wrong.

`experiment="bias_variance"` trains every model on several fresh training sets drawn from the same
generator and splits its expected 0-1 test error into bias and variance (Domingos 2000; the test
labels are taken as the truth, so label noise counts as bias). Numpy only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from kdlab.classic.tree import Tree, grow
from kdlab.core.params import Param, validate
from kdlab.data import planar

EXPERIMENTS = ("compare", "bias_variance")
METHODS = ("stump", "tree", "bagging", "forest", "adaboost", "gboost")

PARAMS: tuple[Param, ...] = (
    Param(
        "experiment",
        "compare",
        choices=EXPERIMENTS,
        help="compare: error against the number of trees; "
        "bias_variance: bias and variance over resampled training sets",
    ),
    Param("dataset", "moons", choices=planar.DATASETS, help="2-D data set"),
    Param("n_estimators", 50, 1, 200, help="trees (stumps for AdaBoost, stages for gradient boosting)"),
    Param("learning_rate", 0.1, 0.01, 1.0, help="gradient boosting's shrinkage η (AdaBoost keeps η = 1)"),
    Param("n_samples", 300, 40, 1000, help="points generated (train + test)"),
    Param("noise", 0.4, 0.0, 1.0, help="Gaussian jitter of the points"),
    Param("n_resamples", 10, 3, 30, help="training sets drawn for bias_variance"),
    Param("seed", 0, 0, 10_000, help="seed for the data, the bootstrap samples and the feature draws"),
)

QUICK = {"n_estimators": 5, "n_samples": 60, "n_resamples": 3}

GRID = 60
BOOST_DEPTH = 3  # gradient boosting's trees (scikit-learn's default)


# ---- the methods ------------------------------------------------------------------------------


def bagging(X, y, n_estimators: int, rng: np.random.Generator, max_features: int | None = None) -> list[Tree]:
    """Fully grown trees on bootstrap samples; max_features = sqrt(d) makes it a random forest."""
    n = len(y)
    K = int(y.max()) + 1
    trees = []
    for _ in range(n_estimators):
        rows = rng.integers(0, n, n)  # n draws with replacement: about 63% of the rows, some twice
        tree = grow(X[rows], y[rows], n_classes=K, max_features=max_features, rng=rng)
        tree.rows = rows  # kept for the out-of-bag estimate
        trees.append(tree)
    return trees


def adaboost(
    X, y, n_estimators: int, learning_rate: float = 1.0, max_depth: int = 1
) -> tuple[list[Tree], np.ndarray]:
    """SAMME: stumps on reweighted rows, each with its vote α_m. Stops early if a stump is perfect
    (its error is 0: it alone decides) or no better than chance."""
    n, K = len(y), int(y.max()) + 1
    w = np.full(n, 1.0 / n)
    trees, alphas = [], []
    for m in range(n_estimators):
        tree = grow(X, y, max_depth=max_depth, sample_weight=w, n_classes=K)
        wrong = tree.predict(X) != y
        error = np.average(wrong, weights=w)
        if error <= 0:  # a perfect stump: it gets the whole say
            trees.append(tree)
            alphas.append(1.0)
            break
        if error >= 1 - 1 / K:  # no better than guessing: nothing left to learn
            break
        alpha = learning_rate * (np.log((1 - error) / error) + np.log(K - 1))
        trees.append(tree)
        alphas.append(alpha)
        if m < n_estimators - 1:
            w = w * np.exp(alpha * wrong)  # the rows it got wrong count e^α times more
            w /= w.sum()
    return trees, np.array(alphas)


def adaboost_votes(trees: list[Tree], alphas: np.ndarray, X: np.ndarray, K: int) -> np.ndarray:
    """(stages, rows, K): the α-weighted votes of the first m stumps, for m = 1..M."""
    votes = np.stack([a * np.eye(K)[t.predict(X)] for t, a in zip(trees, alphas, strict=True)])
    return np.cumsum(votes, axis=0)


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def gradient_boosting(X, y, n_estimators: int, learning_rate: float = 0.1, max_depth: int = BOOST_DEPTH):
    """Binary log-loss boosting: (F_0, [(tree, leaf values)]). y in {0, 1}."""
    prior = y.mean()
    F0 = float(np.log(prior / (1 - prior)))
    F = np.full(len(y), F0)
    stages = []
    for _ in range(n_estimators):
        p = sigmoid(F)
        residual = y - p  # the negative gradient of the log-loss in F
        tree = grow(X, residual, criterion="squared_error", max_depth=max_depth)
        leaf = tree.leaf_of(X)
        # one Newton step per leaf: Σ (y - p) / Σ p (1 - p) over the rows in it
        num = np.bincount(leaf, residual, minlength=len(tree.feature))
        den = np.bincount(leaf, p * (1 - p), minlength=len(tree.feature))
        value = np.where(np.abs(den) < 1e-150, 0.0, num / np.where(den == 0, 1, den))
        F = F + learning_rate * value[leaf]
        stages.append((tree, value))
    return F0, stages


def gradient_boosting_scores(F0: float, stages, X: np.ndarray, learning_rate: float) -> np.ndarray:
    """(stages, rows): the log-odds F_m(x) after each stage m = 1..M."""
    steps = np.stack([learning_rate * value[tree.leaf_of(X)] for tree, value in stages])
    return F0 + np.cumsum(steps, axis=0)


# ---- bookkeeping: staged errors, regions, bias and variance ------------------------------------


def staged_predictions(
    X_train, y_train, X_eval: np.ndarray, n_estimators: int, learning_rate: float, rng
) -> dict:
    """Every method's class predictions on X_eval after 1..M trees: {method: (M, rows)}; the single
    fully grown tree and the stump (depth 1) as (1, rows). Also the models themselves, under "_models"."""
    K = int(y_train.max()) + 1
    out, models = {}, {}
    for name, depth in (("stump", 1), ("tree", None)):
        models[name] = grow(X_train, y_train, n_classes=K, max_depth=depth)
        out[name] = models[name].predict(X_eval)[None, :]
    for name, max_features in (("bagging", None), ("forest", max(1, int(np.sqrt(X_train.shape[1]))))):
        trees = bagging(X_train, y_train, n_estimators, rng, max_features)
        proba = np.cumsum([t.predict_value(X_eval) for t in trees], axis=0)  # running sums of the averages
        out[name] = proba.argmax(axis=2)
        models[name] = trees
    trees, alphas = adaboost(X_train, y_train, n_estimators)
    votes = adaboost_votes(trees, alphas, X_eval, K)
    out["adaboost"] = _pad(votes.argmax(axis=2), n_estimators)  # a stopped AdaBoost keeps its last answer
    models["adaboost"] = (trees, alphas)
    F0, stages = gradient_boosting(X_train, y_train, n_estimators, learning_rate)
    out["gboost"] = (gradient_boosting_scores(F0, stages, X_eval, learning_rate) > 0).astype(int)
    models["gboost"] = (F0, stages)
    out["_models"] = models
    return out


def _pad(stages: np.ndarray, n: int) -> np.ndarray:
    return np.vstack([stages, np.repeat(stages[-1:], n - len(stages), axis=0)])


def out_of_bag_accuracy(trees: list[Tree], X, y) -> float:
    """Each training row predicted only by the trees whose bootstrap sample missed it."""
    votes = np.zeros((len(y), int(y.max()) + 1))
    for t in trees:
        oob = np.setdiff1d(np.arange(len(y)), t.rows)
        votes[oob] += t.predict_value(X[oob])
    seen = votes.sum(axis=1) > 0
    return float(np.mean(votes[seen].argmax(axis=1) == y[seen]))


def bias_variance(predictions: np.ndarray, y: np.ndarray) -> dict:
    """Domingos' decomposition of the expected 0-1 loss from predictions (resamples, rows).

    main(x) = the most frequent prediction over the training sets; bias(x) = [main(x) != y];
    variance(x) = P(prediction != main(x)). For two classes, per row,
        E[loss] = bias + variance        where bias = 0 (variance adds errors)
        E[loss] = bias - variance        where bias = 1 (variance fixes some: a wrong main answer)
    so  error = bias + unbiased variance - biased variance,  exactly.
    """
    K = max(int(predictions.max()), int(y.max())) + 1
    counts = np.stack([(predictions == k).sum(axis=0) for k in range(K)])  # (K, rows)
    main = counts.argmax(axis=0)
    biased = main != y
    var = np.mean(predictions != main, axis=0)
    return {
        "error": float(np.mean(predictions != y)),
        "bias": float(np.mean(biased)),
        "variance": float(np.mean(var)),
        "variance_unbiased": float(np.sum(var[~biased]) / len(y)),
        "variance_biased": float(np.sum(var[biased]) / len(y)),
    }


@dataclass
class EnsembleResult:
    params: dict
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    test_error: (
        dict  # method -> (n_estimators,) test error after 1..M trees; "tree", "stump": one value repeated
    )
    train_error: dict  # method -> final training error
    oob_accuracy: dict  # bagging and forest: out-of-bag accuracy estimate
    grid_x: np.ndarray
    grid_y: np.ndarray
    regions: dict  # method -> (GRID, GRID) predicted class of the final model
    decomposition: dict | None  # bias_variance: method -> error, bias, variance, (un)biased variance
    models: dict = field(default_factory=dict, metadata={"json": False})
    seconds: float = 0.0


def run(**params) -> EnsembleResult:
    p = validate(PARAMS, params)
    data = planar.load(p["dataset"], p["n_samples"], p["noise"], p["seed"])

    def fresh(r: int) -> planar.Planar:  # another training set from the same generator
        return planar.load(p["dataset"], p["n_samples"], p["noise"], p["seed"] + 1000 + r)

    return run_on(data, fresh, **p)


def run_on(data: planar.Planar, fresh: Callable[[int], planar.Planar] | None = None, **params) -> EnsembleResult:
    """The run on given train/test rows (a learner's upload). The bias-variance study needs fresh
    training sets from the same distribution, `fresh(r)`; an upload has none to give."""
    start = time.perf_counter()
    p = validate(PARAMS, params)
    if p["experiment"] == "bias_variance" and fresh is None:
        raise ValueError("the bias-variance study needs fresh training sets from the data's generator")
    M, lr = p["n_estimators"], p["learning_rate"]
    X, y, X_test, y_test = data.X_train, data.y_train, data.X_test, data.y_test
    gx, gy = planar.grid(np.vstack([X, X_test]), GRID)
    G = np.column_stack([np.tile(gx, GRID), np.repeat(gy, GRID)])
    n_test = len(y_test)

    rng = np.random.default_rng(p["seed"])
    staged = staged_predictions(X, y, np.vstack([X_test, X, G]), M, lr, rng)
    models = staged.pop("_models")
    test_error, train_error, regions = {}, {}, {}
    for name, pred in staged.items():
        test_error[name] = np.resize(np.mean(pred[:, :n_test] != y_test, axis=1), M)
        train_error[name] = float(np.mean(pred[-1, n_test : n_test + len(y)] != y))
        regions[name] = pred[-1, n_test + len(y) :].reshape(GRID, GRID)
    oob = {name: out_of_bag_accuracy(models[name], X, y) for name in ("bagging", "forest")}

    decomposition = None
    if p["experiment"] == "bias_variance":
        # Fresh training sets from the same generator, the same test rows: how much each model's
        # answer on a test point depends on the training set it happened to get.
        preds = {name: [] for name in METHODS}
        for r in range(p["n_resamples"]):
            train = fresh(r)
            out = staged_predictions(train.X_train, train.y_train, X_test, M, lr, np.random.default_rng(r))
            for name in METHODS:
                preds[name].append(out[name][-1])
        decomposition = {name: bias_variance(np.array(preds[name]), y_test) for name in METHODS}

    return EnsembleResult(
        params=p,
        X_train=X,
        y_train=y,
        X_test=X_test,
        y_test=y_test,
        test_error=test_error,
        train_error=train_error,
        oob_accuracy=oob,
        grid_x=gx,
        grid_y=gy,
        regions=regions,
        decomposition=decomposition,
        models=models,
        seconds=time.perf_counter() - start,
    )


NAMES = {"stump": "one stump", "tree": "one tree", "bagging": "bagging", "forest": "random forest", "adaboost": "AdaBoost",
         "gboost": "gradient boosting"}  # fmt: skip


def summarize(r: EnsembleResult) -> str:
    p = r.params
    lines = [
        f"ensemble · {p['dataset']} ({len(r.y_train)} train, {len(r.y_test)} test) · {p['n_estimators']} trees · "
        f"gradient boosting η {p['learning_rate']:g}",
        f"{'model':<20}{'test error':>11}{'best (at M)':>14}{'train error':>13}",
    ]
    for name in METHODS:
        err = r.test_error[name]
        best = int(np.argmin(err))
        at = "" if name in ("stump", "tree") else f"{err[best]:.1%} ({best + 1})"
        lines.append(f"{NAMES[name]:<20}{err[-1]:>11.1%}{at:>14}{r.train_error[name]:>13.1%}")
    lines.append(
        "out-of-bag accuracy: " + ", ".join(f"{NAMES[k]} {v:.1%}" for k, v in r.oob_accuracy.items())
    )
    if r.decomposition:
        lines.append(
            f"0-1 loss over {p['n_resamples']} fresh training sets (Domingos): error = bias + unbiased variance "
            "- biased variance"
        )
        for name in METHODS:
            d = r.decomposition[name]
            lines.append(
                f"  {NAMES[name]:<18} error {d['error']:.3f} = bias {d['bias']:.3f} + {d['variance_unbiased']:.3f} "
                f"- {d['variance_biased']:.3f}   (variance {d['variance']:.3f})"
            )
    return "\n".join(lines)
