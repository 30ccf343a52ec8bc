"""Decision tree (CART) with Gini or entropy, max_depth and min_samples_leaf, checked against scikit-learn.

CART grows a binary tree greedily. At a node holding rows S it tries every feature j and every
threshold t halfway between two neighbouring distinct values of x_j in S, and keeps the split
whose children are purest on average, weighted by their share of the rows:

    child impurity = (W_left / W) · I(left) + (W_right / W) · I(right)      (smallest wins)

    I = Gini     1 - Σ_k p_k²          the chance two random draws from the node disagree
    I = entropy  -Σ_k p_k log₂ p_k     bits needed to name a row's class
    I = squared error  Σ w (y - ȳ)² / W  (for regression trees: gradient boosting fits these)

where p_k is the (weighted) share of class k in the node. Sorting x_j once and taking running
sums of the class counts gives the children's counts at every threshold in one pass, so a node
costs O(d · n log n). A node becomes a leaf when it is pure, at max_depth, when it has fewer than
2 · min_samples_leaf rows, or when no threshold leaves min_samples_leaf rows on each side; a leaf
predicts its majority class (regression: its weighted mean).

The same rules as scikit-learn's DecisionTreeClassifier (best splitter, max_features=None): on data
without tied candidate splits both grow the same tree. Rows may carry weights (AdaBoost), and
`max_features` picks a random subset of features at each node (random forests). Numpy only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from kdlab.core.params import Param, validate
from kdlab.data import planar

CRITERIA = ("gini", "entropy")

PARAMS: tuple[Param, ...] = (
    Param("dataset", "moons", choices=planar.DATASETS, help="2-D data set"),
    Param("criterion", "gini", choices=CRITERIA, help="impurity measure for choosing splits"),
    Param("max_depth", 4, 1, 12, help="deepest level a node may sit at (the root is depth 0)"),
    Param("min_samples_leaf", 1, 1, 50, help="fewest training rows a leaf may hold"),
    Param("n_samples", 300, 20, 1000, help="points generated (train + test)"),
    Param("noise", 0.4, 0.0, 1.0, help="Gaussian jitter of the points"),
    Param("seed", 0, 0, 10_000, help="seed for the generated data"),
)

QUICK = {"max_depth": 2, "n_samples": 60}

MAX_CURVE_DEPTH = 12  # the accuracy-against-depth curve goes this deep
CURVE_SEEDS = 5  # ... averaged over this many draws of the data (seed, seed + 1, ...)
GRID = 80  # decision regions on a GRID x GRID grid


# ---- the method: impurity, the split search, growing the tree --------------------------------


def impurity(stats: np.ndarray, criterion: str) -> np.ndarray:
    """Impurity of nodes from their summed statistics, one node per row of `stats`.

    Classification: stats are (weighted) class counts. Regression ("squared_error"): stats are
    [Σw, Σw·y, Σw·y²], and the impurity is the weighted variance Σw·y²/W - ȳ².
    """
    if criterion == "squared_error":
        W = stats[..., 0]
        mean = stats[..., 1] / W
        return np.maximum(stats[..., 2] / W - mean**2, 0.0)
    p = stats / stats.sum(axis=-1, keepdims=True)
    if criterion == "gini":
        return 1.0 - (p**2).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.where(p > 0, p * np.log2(p), 0.0).sum(axis=-1)


def best_split(
    X: np.ndarray, stats: np.ndarray, weight: np.ndarray, criterion: str, min_samples_leaf: int, features
) -> tuple[int, float, float] | None:
    """(feature, threshold, child impurity) of the best split of one node's rows, or None.

    `stats` holds each row's statistics (a one-hot class row times its weight, or [w, w·y, w·y²]),
    `weight` each row's weight: a node's statistics and weight are sums over its rows.
    """
    n = len(X)
    total, W = stats.sum(axis=0), weight.sum()
    best = None
    n_left = np.arange(1, n)  # rows on the left if we cut after sorted position i
    for j in features:
        order = np.argsort(X[:, j], kind="stable")
        x = X[order, j]
        left = np.cumsum(stats[order], axis=0)[:-1]  # statistics of the left child at every cut
        w_left = np.cumsum(weight[order])[:-1]
        right, w_right = total - left, W - w_left
        valid = (x[1:] > x[:-1]) & (n_left >= min_samples_leaf) & (n - n_left >= min_samples_leaf)
        if not valid.any():
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            child = (w_left * impurity(left, criterion) + w_right * impurity(right, criterion)) / W
        child = np.where(valid, child, np.inf)
        i = int(np.argmin(child))
        if best is None or child[i] < best[2]:
            best = (int(j), float((x[i] + x[i + 1]) / 2), float(child[i]))
    return best


@dataclass
class Tree:
    """A fitted tree as flat arrays, one entry per node, in the order they were grown (depth first,
    left before right: node 0 is the root). Leaves have feature -1 and children -1."""

    criterion: str
    feature: list[int] = field(default_factory=list)
    threshold: list[float] = field(default_factory=list)
    left: list[int] = field(default_factory=list)
    right: list[int] = field(default_factory=list)
    value: list[np.ndarray] = field(
        default_factory=list
    )  # summed statistics (class counts, or [W, Σwy, Σwy²])
    impurity: list[float] = field(default_factory=list)
    n_samples: list[int] = field(default_factory=list)
    depth: list[int] = field(default_factory=list)

    def leaf_of(self, X: np.ndarray) -> np.ndarray:
        """The leaf each row falls into: go left when x[feature] <= threshold."""
        feature, threshold = np.array(self.feature), np.array(self.threshold)
        left, right = np.array(self.left), np.array(self.right)
        node = np.zeros(len(X), dtype=int)
        while True:
            inner = feature[node] >= 0
            if not inner.any():
                return node
            f = feature[node[inner]]
            go_left = X[inner, f] <= threshold[node[inner]]
            node[inner] = np.where(go_left, left[node[inner]], right[node[inner]])

    def predict_value(self, X: np.ndarray) -> np.ndarray:
        """Per row: class shares (classification) or the leaf's weighted mean (regression)."""
        values, leaf = np.array(self.value), self.leaf_of(X)
        if self.criterion == "squared_error":
            return (values[:, 1] / values[:, 0])[leaf]
        return (values / values.sum(axis=1, keepdims=True))[leaf]

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The majority class of each row's leaf (the first class on a tie, as numpy's argmax)."""
        return np.argmax(np.array(self.value)[self.leaf_of(X)], axis=1)

    @property
    def n_leaves(self) -> int:
        return sum(f < 0 for f in self.feature)


def grow(
    X: np.ndarray,
    y: np.ndarray,
    *,
    criterion: str = "gini",
    max_depth: int | None = None,
    min_samples_leaf: int = 1,
    sample_weight: np.ndarray | None = None,
    n_classes: int | None = None,
    max_features: int | None = None,
    rng: np.random.Generator | None = None,
) -> Tree:
    """Grow a CART tree on rows X (n, d) with labels y (class indices 0..K-1, or real targets for
    criterion "squared_error"). `max_features` (random forests) draws that many features, without
    replacement, afresh at every node."""
    n, d = X.shape
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    if criterion == "squared_error":
        stats = np.column_stack([w, w * y, w * y**2])
    else:
        K = int(y.max()) + 1 if n_classes is None else n_classes
        stats = np.eye(K)[y] * w[:, None]
    tree = Tree(criterion)
    max_depth = np.inf if max_depth is None else max_depth

    def node(rows: np.ndarray, depth: int) -> int:
        i = len(tree.feature)
        total = stats[rows].sum(axis=0)
        imp = float(impurity(total, criterion))
        for part, value in ((tree.feature, -1), (tree.threshold, np.nan), (tree.left, -1), (tree.right, -1),
                            (tree.value, total), (tree.impurity, imp), (tree.n_samples, len(rows)),
                            (tree.depth, depth)):  # fmt: skip
            part.append(value)
        if depth >= max_depth or len(rows) < 2 * min_samples_leaf or imp <= 1e-12:
            return i
        features = (
            range(d)
            if max_features is None or max_features >= d
            else rng.choice(d, max_features, replace=False)
        )
        split = best_split(X[rows], stats[rows], w[rows], criterion, min_samples_leaf, features)
        if split is None:
            return i
        j, t, _ = split
        tree.feature[i], tree.threshold[i] = j, t
        go_left = X[rows, j] <= t
        tree.left[i] = node(rows[go_left], depth + 1)
        tree.right[i] = node(rows[~go_left], depth + 1)
        return i

    node(np.arange(n), 0)
    return tree


# ---- bookkeeping for the page: the tree as records, regions, accuracy against depth -------------


@dataclass
class TreeResult:
    params: dict
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    nodes: list[dict]  # node by node: id, depth, feature, threshold, impurity, samples, counts, children
    n_leaves: int
    depth: int  # the depth the tree actually reached
    train_accuracy: float
    test_accuracy: float
    grid_x: np.ndarray
    grid_y: np.ndarray
    regions: np.ndarray  # (len(grid_y), len(grid_x)) predicted class
    curve_depth: np.ndarray  # max_depth 1..MAX_CURVE_DEPTH
    curve_train: np.ndarray  # train accuracy at each, mean over CURVE_SEEDS draws of the data
    curve_test: np.ndarray  # test accuracy at each, mean over the same draws
    curve_test_std: np.ndarray  # its standard deviation over the draws
    curve_leaves: np.ndarray  # mean number of leaves
    tree: Tree = field(metadata={"json": False})
    seconds: float = 0.0


def run(**params) -> TreeResult:
    p = validate(PARAMS, params)
    return run_on(lambda seed: planar.load(p["dataset"], p["n_samples"], p["noise"], seed), **p)


def run_on(draw: Callable[[int], planar.Planar], **params) -> TreeResult:
    """The run on the data draw(seed) returns; the depth curve also uses draw(seed + 1), ... For a
    learner's upload, draw(seed) is a train/test split of their rows with that seed."""
    start = time.perf_counter()
    p = validate(PARAMS, params)
    data = draw(p["seed"])
    X, y, X_test, y_test = data.X_train, data.y_train, data.X_test, data.y_test

    def fit(X, y, depth):
        return grow(
            X,
            y,
            criterion=p["criterion"],
            max_depth=depth,
            min_samples_leaf=p["min_samples_leaf"],
            n_classes=2,
        )

    tree = fit(X, y, p["max_depth"])
    curve = np.zeros((CURVE_SEEDS, MAX_CURVE_DEPTH, 3))  # (draw, depth, [train acc, test acc, leaves])
    for s in range(CURVE_SEEDS):
        d = draw(p["seed"] + s)
        for k in range(MAX_CURVE_DEPTH):
            t = fit(d.X_train, d.y_train, k + 1)
            curve[s, k] = (
                np.mean(t.predict(d.X_train) == d.y_train),
                np.mean(t.predict(d.X_test) == d.y_test),
                t.n_leaves,
            )

    gx, gy = planar.grid(np.vstack([X, X_test]), GRID)
    G = np.column_stack([np.tile(gx, GRID), np.repeat(gy, GRID)])
    return TreeResult(
        params=p,
        X_train=X,
        y_train=y,
        X_test=X_test,
        y_test=y_test,
        nodes=records(tree),
        n_leaves=tree.n_leaves,
        depth=max(tree.depth),
        train_accuracy=float(np.mean(tree.predict(X) == y)),
        test_accuracy=float(np.mean(tree.predict(X_test) == y_test)),
        grid_x=gx,
        grid_y=gy,
        regions=tree.predict(G).reshape(GRID, GRID),
        curve_depth=np.arange(1, MAX_CURVE_DEPTH + 1),
        curve_train=curve[..., 0].mean(axis=0),
        curve_test=curve[..., 1].mean(axis=0),
        curve_test_std=curve[..., 1].std(axis=0),
        curve_leaves=curve[..., 2].mean(axis=0),
        tree=tree,
        seconds=time.perf_counter() - start,
    )


def records(tree: Tree) -> list[dict]:
    """One plain dict per node, for the page's drawing and the JSON output."""
    out = []
    for i in range(len(tree.feature)):
        counts = np.asarray(tree.value[i])
        out.append({
            "id": i,
            "depth": tree.depth[i],
            "feature": tree.feature[i],  # -1 for a leaf
            "threshold": None if tree.feature[i] < 0 else tree.threshold[i],
            "impurity": tree.impurity[i],
            "samples": tree.n_samples[i],
            "counts": counts.round(6).tolist(),
            "prediction": int(np.argmax(counts)),
            "left": tree.left[i],
            "right": tree.right[i],
        })  # fmt: skip
    return out


def positions(nodes: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) to draw each node: leaves evenly spaced left to right in the order a depth-first walk
    meets them, each inner node centred over its two children, y = -depth."""
    x, y = np.zeros(len(nodes)), np.array([-n["depth"] for n in nodes], dtype=float)
    next_leaf = 0

    def place(i: int) -> float:
        nonlocal next_leaf
        n = nodes[i]
        if n["feature"] < 0:
            x[i], next_leaf = next_leaf, next_leaf + 1
        else:
            x[i] = (place(n["left"]) + place(n["right"])) / 2
        return x[i]

    place(0)
    return x, y


def render_text(nodes: list[dict], names: tuple[str, ...] = ("x1", "x2"), criterion: str = "gini") -> str:
    """The tree as indented text, one line per node (what sklearn.tree.export_text prints, plus the
    impurity, the row count and the class counts)."""
    by_id = {n["id"]: n for n in nodes}
    lines = []

    def walk(i: int, indent: str, prefix: str) -> None:
        n = by_id[i]
        stats = (
            f"{criterion} {n['impurity']:.3f} · {n['samples']} rows · counts {[int(c) for c in n['counts']]}"
        )
        if n["feature"] < 0:
            lines.append(f"{indent}{prefix}class {n['prediction']}   ({stats})")
            return
        lines.append(f"{indent}{prefix}{names[n['feature']]} <= {n['threshold']:.4g}?   ({stats})")
        walk(n["left"], indent + "│   ", "yes: ")
        walk(n["right"], indent + "│   ", "no:  ")

    walk(0, "", "")
    return "\n".join(lines)


def summarize(r: TreeResult) -> str:
    p = r.params
    best = int(np.argmax(r.curve_test))
    lines = [
        f"tree · {p['dataset']} ({len(r.y_train)} train, {len(r.y_test)} test) · {p['criterion']} · "
        f"max_depth {p['max_depth']} · min_samples_leaf {p['min_samples_leaf']}",
        f"{len(r.nodes)} nodes, {r.n_leaves} leaves, depth {r.depth}; accuracy: train {r.train_accuracy:.1%}, "
        f"test {r.test_accuracy:.1%}",
        f"accuracy against max_depth (train / test, mean of {CURVE_SEEDS} draws of the data): "
        + ", ".join(
            f"{d}: {a:.0%}/{b:.0%}"
            for d, a, b in zip(r.curve_depth, r.curve_train, r.curve_test, strict=True)
        ),
        f"best mean test accuracy at max_depth {r.curve_depth[best]} ({r.curve_test[best]:.1%} ± "
        f"{r.curve_test_std[best]:.1%}); at max_depth {r.curve_depth[-1]}: train {r.curve_train[-1]:.0%}, "
        f"test {r.curve_test[-1]:.1%} ± {r.curve_test_std[-1]:.1%}.",
        "",
        render_text(r.nodes, criterion=p["criterion"])
        if len(r.nodes) <= 31
        else f"(the tree has {len(r.nodes)} nodes: --json lists every one)",
    ]
    return "\n".join(lines)
