"""CART against scikit-learn's DecisionTreeClassifier / DecisionTreeRegressor: the same tree node by node
and the same predictions on tie-free data; impurities against their definitions; a brute-force split search."""

import json

import numpy as np
import pytest
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from kdlab.classic import tree as cart
from kdlab.classic.tree import best_split, grow, impurity, render_text, run, summarize
from kdlab.core.params import ParamError
from kdlab.core.result import jsonable
from kdlab.data import planar


def sk_tree(X, y, criterion, max_depth, min_samples_leaf, sample_weight=None):
    model = DecisionTreeClassifier(
        criterion=criterion,
        max_depth=max_depth,
        min_samples_leaf=min_samples_leaf,
        random_state=0,
        max_features=None,
    )
    return model.fit(X, y, sample_weight=sample_weight)


def assert_same_tree(ours, sk, classification=True):
    """Node by node in the same (depth-first, left-first) order: split, impurity, rows, counts."""
    t = sk.tree_
    assert len(ours.feature) == t.node_count
    leaf = t.children_left == -1
    np.testing.assert_array_equal(np.array(ours.feature) < 0, leaf)
    np.testing.assert_array_equal(np.array(ours.feature)[~leaf], t.feature[~leaf])
    # scikit-learn stores X as float32, so its thresholds are midpoints of float32 values
    np.testing.assert_allclose(np.array(ours.threshold)[~leaf], t.threshold[~leaf], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ours.impurity, t.impurity, atol=1e-10)
    np.testing.assert_array_equal(ours.n_samples, t.n_node_samples)
    np.testing.assert_array_equal(np.array(ours.left) == -1, leaf)
    if classification:
        values = np.array(ours.value)
        np.testing.assert_allclose(values / values.sum(1, keepdims=True), t.value[:, 0, :], atol=1e-12)


def tie_free(X, y, criterion, max_depth, min_samples_leaf, sample_weight=None) -> bool:
    """No node has two equally good best splits: then scikit-learn's tree does not depend on the
    random order in which it tries the features (random_state), and ours must equal it."""
    trees = [
        DecisionTreeClassifier(
            criterion=criterion, max_depth=max_depth, min_samples_leaf=min_samples_leaf, random_state=seed
        )
        .fit(X, y, sample_weight=sample_weight)
        .tree_
        for seed in range(6)
    ]
    return all(
        t.node_count == trees[0].node_count
        and np.array_equal(t.feature, trees[0].feature)
        and np.array_equal(t.threshold, trees[0].threshold)
        for t in trees
    )


# (data set, seed, criterion, max_depth, min_samples_leaf): settings on which scikit-learn's tree is tie-free.
CASES = [
    ("moons", 0, "gini", 4, 1),
    ("moons", 1, "entropy", 4, 1),
    ("moons", 1, "entropy", 6, 5),
    ("moons", 2, "gini", 12, 10),
    ("circles", 0, "gini", 8, 2),
    ("circles", 2, "entropy", 6, 5),
    ("circles", 0, "entropy", 12, 10),
    ("blobs", 1, "entropy", 12, 10),
]


@pytest.mark.parametrize("dataset,seed,criterion,max_depth,min_samples_leaf", CASES)
def test_same_tree_and_predictions_as_sklearn(dataset, seed, criterion, max_depth, min_samples_leaf):
    data = planar.load(dataset, 400, 0.3, seed=seed)
    assert tie_free(data.X_train, data.y_train, criterion, max_depth, min_samples_leaf)
    ours = grow(
        data.X_train,
        data.y_train,
        criterion=criterion,
        max_depth=max_depth,
        min_samples_leaf=min_samples_leaf,
    )
    sk = sk_tree(data.X_train, data.y_train, criterion, max_depth, min_samples_leaf)
    assert_same_tree(ours, sk)
    np.testing.assert_array_equal(ours.predict(data.X_test), sk.predict(data.X_test))
    np.testing.assert_array_equal(ours.predict(data.X_train), sk.predict(data.X_train))
    grid = np.random.default_rng(1).uniform(-2, 3, (2000, 2))
    np.testing.assert_array_equal(ours.predict(grid), sk.predict(grid))


def test_where_sklearn_has_tied_splits_the_trees_differ_only_at_a_tie():
    """Unlimited depth on circles: small nodes where two features isolate the same rows. The first
    node where the trees part holds two splits with the same child impurity."""
    data = planar.load("circles", 400, 0.3, seed=7)
    X, y = data.X_train, data.y_train
    assert not tie_free(X, y, "gini", None, 1)
    ours = grow(X, y)
    t = sk_tree(X, y, "gini", None, 1).tree_
    sk_feature = np.where(t.children_left == -1, -1, t.feature)  # scikit-learn marks a leaf's feature -2
    i = next(i for i in range(len(ours.feature)) if ours.feature[i] != sk_feature[i])
    assert ours.feature[i] >= 0 and sk_feature[i] >= 0  # both split node i, on different features
    # the rows reaching node i, along scikit-learn's path (the same as ours: the trees agree before i)
    rows = np.flatnonzero(t.decision_path(X.astype(np.float32))[:, i].toarray().ravel())
    assert ours.n_samples[i] == len(rows)

    def child_impurity(j, threshold):
        left = X[rows, j] <= threshold
        counts = [np.bincount(y[rows][m], minlength=2).astype(float) for m in (left, ~left)]
        return sum(c.sum() * impurity(c, "gini") for c in counts) / len(rows)

    assert child_impurity(ours.feature[i], ours.threshold[i]) == pytest.approx(
        child_impurity(t.feature[i], t.threshold[i]), abs=1e-12
    )


def test_weighted_rows_give_sklearns_weighted_tree():
    data = planar.load("moons", 300, 0.3, seed=3)
    # weights that are multiples of 1/4, so every weighted sum is exact in floating point
    w = np.random.default_rng(0).integers(1, 12, len(data.y_train)) / 4
    assert tie_free(data.X_train, data.y_train, "gini", 5, 1, sample_weight=w)
    ours = grow(data.X_train, data.y_train, max_depth=5, sample_weight=w)
    sk = sk_tree(data.X_train, data.y_train, "gini", 5, 1, sample_weight=w)
    assert_same_tree(ours, sk)
    np.testing.assert_array_equal(ours.predict(data.X_test), sk.predict(data.X_test))


def test_regression_tree_equals_sklearns():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 3))
    y = np.sin(2 * X[:, 0]) + X[:, 1] ** 2 + rng.normal(0, 0.1, 300)
    ours = grow(X, y, criterion="squared_error", max_depth=4, min_samples_leaf=5)
    sk = DecisionTreeRegressor(max_depth=4, min_samples_leaf=5, random_state=0).fit(X, y)
    assert_same_tree(ours, sk, classification=False)
    X_new = rng.normal(size=(500, 3))
    np.testing.assert_allclose(ours.predict_value(X_new), sk.predict(X_new), rtol=1e-10)


def test_three_classes_and_many_features():
    rng = np.random.default_rng(5)  # seed 5 with min_samples_leaf 10: a tie-free draw
    X = rng.normal(size=(240, 5))
    y = (X[:, 0] > 0).astype(int) + (X[:, 3] > 0.5).astype(int)
    flip = rng.random(240) < 0.1
    y[flip] = rng.integers(0, 3, flip.sum())  # label noise, so the tree has work to do
    assert tie_free(X, y, "entropy", 5, 10)
    ours = grow(X, y, criterion="entropy", max_depth=5, min_samples_leaf=10)
    sk = sk_tree(X, y, "entropy", 5, 10)
    assert_same_tree(ours, sk)


def test_impurities_match_their_definitions():
    counts = np.array([[5.0, 5.0], [10.0, 0.0], [3.0, 1.0], [1.0, 1.0]])
    np.testing.assert_allclose(impurity(counts, "gini"), [0.5, 0.0, 1 - (0.75**2 + 0.25**2), 0.5])
    np.testing.assert_allclose(
        impurity(counts, "entropy"), [1.0, 0.0, -(0.75 * np.log2(0.75) + 0.25 * np.log2(0.25)), 1.0]
    )
    y, w = np.array([1.0, 2.0, 4.0]), np.array([1.0, 1.0, 2.0])
    stats = np.array([w.sum(), (w * y).sum(), (w * y**2).sum()])
    mean = np.average(y, weights=w)
    assert impurity(stats, "squared_error") == pytest.approx(np.average((y - mean) ** 2, weights=w))


def test_best_split_equals_brute_force():
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(40, 2)), rng.integers(0, 2, 40)
    stats = np.eye(2)[y].astype(float)
    j, t, child = best_split(X, stats, np.ones(40), "gini", 3, range(2))
    best = (None, None, np.inf)
    for f in range(2):
        for v in np.unique(X[:, f])[:-1]:
            left = X[:, f] <= v
            if left.sum() < 3 or (~left).sum() < 3:
                continue
            gini = [1 - np.sum(np.bincount(y[m], minlength=2) ** 2) / m.sum() ** 2 for m in (left, ~left)]
            score = (left.sum() * gini[0] + (~left).sum() * gini[1]) / 40
            if score < best[2] - 1e-15:
                best = (f, v, score)
    assert j == best[0] and child == pytest.approx(best[2], abs=1e-12)
    assert X[X[:, j] <= t, j].max() == best[1]


def test_run_reports_the_tree_and_overfitting():
    r = run(max_depth=12)
    assert r.train_accuracy == 1.0 and r.curve_train[-1] > 0.99
    assert r.curve_test.max() > r.curve_test[-1]  # deeper than the best depth, test accuracy falls
    root = r.nodes[0]
    assert root["samples"] == len(r.y_train) and root["counts"] == np.bincount(r.y_train).tolist()
    leaves = [n for n in r.nodes if n["feature"] < 0]
    assert len(leaves) == r.n_leaves and sum(n["samples"] for n in leaves) == len(r.y_train)
    assert r.regions.shape == (cart.GRID, cart.GRID)
    # the regions are the tree's predictions on the grid: row j is grid_y[j], column i is grid_x[i]
    j, i = 13, 61
    assert r.regions[j, i] == r.tree.predict(np.array([[r.grid_x[i], r.grid_y[j]]]))[0]
    json.dumps(jsonable(r), allow_nan=False)


def test_summary_and_text_rendering():
    r = run(max_depth=2)
    text = render_text(r.nodes)
    assert text.count("\n") + 1 == len(r.nodes)
    assert text.startswith("x") and "class" in text
    assert "max_depth 2" in summarize(r)


@pytest.mark.parametrize(
    "bad", [{"max_depth": 0}, {"max_depth": 13}, {"min_samples_leaf": 0}, {"criterion": "mse"}]
)
def test_params_refuse_out_of_range_values(bad):
    with pytest.raises(ParamError):
        run(**bad)


# --- worked by hand or against scikit-learn: what mutation testing found unchecked --------------------


def test_a_four_row_tree_by_hand():
    # x1 is constant, so only x2 can split: at (2 + 3) / 2 = 2.5, into two pure leaves
    X = np.array([[0.0, 1.0], [0.0, 2.0], [0.0, 3.0], [0.0, 4.0]])
    t = grow(X, np.array([0, 0, 1, 1]))
    nodes = cart.records(t)
    root, yes, no = nodes
    assert (root["feature"], root["threshold"], root["counts"], root["left"], root["right"]) == (1, 2.5, [2.0, 2.0], 1, 2)
    assert (yes["feature"], yes["threshold"], yes["prediction"], yes["left"], yes["right"]) == (-1, None, 0, -1, -1)
    assert (no["prediction"], no["depth"], no["samples"]) == (1, 1, 2)
    x, y = cart.positions(nodes)  # leaves at 0 and 1 in walk order, the root centred over them
    assert x.tolist() == [0.5, 0.0, 1.0] and y.tolist() == [0.0, -1.0, -1.0]
    assert render_text(nodes) == (
        "x2 <= 2.5?   (gini 0.500 · 4 rows · counts [2, 2])\n"
        "│   yes: class 0   (gini 0.000 · 2 rows · counts [2, 0])\n"
        "│   no:  class 1   (gini 0.000 · 2 rows · counts [0, 2])"
    )
    np.testing.assert_allclose(t.predict_value(np.array([[0.0, 0.0], [0.0, 9.0]])), [[1, 0], [0, 1]])
    # with three classes named, the leaves' shares have three columns even if class 2 never occurs
    assert grow(X, np.array([0, 0, 1, 1]), n_classes=3).predict_value(X).shape == (4, 3)


def test_a_split_never_falls_between_equal_values():
    # rows 0 and 1 share x = 1 but differ in class: the only threshold is 1.5, leaving them together
    t = grow(np.array([[1.0], [1.0], [2.0], [2.0], [2.0]]), np.array([0, 1, 1, 1, 1]))
    assert t.threshold[0] == 1.5
    np.testing.assert_allclose(t.predict_value(np.array([[1.0]])), [[0.5, 0.5]])


def test_run_and_its_depth_curve_equal_sklearn():
    p = {q.name: q.default for q in cart.PARAMS} | {"max_depth": 3, "min_samples_leaf": 3, "criterion": "entropy"}
    r = run(**p)

    def sk(data, depth):
        return DecisionTreeClassifier(criterion=p["criterion"], max_depth=depth, min_samples_leaf=p["min_samples_leaf"],
                                      random_state=0).fit(data.X_train, data.y_train)  # fmt: skip

    data = planar.load(p["dataset"], p["n_samples"], p["noise"], p["seed"])
    m = sk(data, 3)
    assert (r.train_accuracy, r.test_accuracy) == (m.score(data.X_train, data.y_train), m.score(data.X_test, data.y_test))
    assert (r.n_leaves, r.depth) == (m.get_n_leaves(), m.get_depth()) and r.depth <= 3
    curve = np.array([[(s.score(d.X_train, d.y_train), s.score(d.X_test, d.y_test), s.get_n_leaves())
                       for s in (sk(d, k) for k in range(1, cart.MAX_CURVE_DEPTH + 1))]
                      for d in (planar.load(p["dataset"], p["n_samples"], p["noise"], p["seed"] + i)
                                for i in range(cart.CURVE_SEEDS))])  # fmt: skip
    np.testing.assert_allclose(r.curve_train, curve[..., 0].mean(0), atol=0.02)
    np.testing.assert_allclose(r.curve_test, curve[..., 1].mean(0), atol=0.02)
    np.testing.assert_allclose(r.curve_test_std, curve[..., 1].std(0), atol=0.02)
    np.testing.assert_allclose(r.curve_leaves, curve[..., 2].mean(0), atol=0.5)
    assert 0 <= r.seconds < 60
