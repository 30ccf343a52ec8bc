import numpy as np
from kdlab.practice.exercises import Case


def _gini(labels: np.ndarray) -> float:
    p = np.bincount(labels) / len(labels)
    return float(1.0 - np.sum(p**2))


def _check(got, expected, args):
    X, y = args
    if expected is None:
        return got is None, "" if got is None else "no split exists here (every feature is constant): return None"
    if got is None:
        return False, f"a split exists (the best has weighted Gini {expected[2]:.6g}), but None was returned"
    try:
        j, t, score = got
        j, t, score = int(j), float(t), float(score)
    except (TypeError, ValueError):
        return False, "return a tuple (feature j, threshold t, score)"
    if not 0 <= j < X.shape[1]:
        return False, f"feature {j} does not exist (X has {X.shape[1]} columns)"
    left = X[:, j] <= t
    n_left = int(left.sum())
    if n_left in (0, len(y)):
        return False, f"x[:, {j}] <= {t:g} puts every row on one side"
    actual = (n_left * _gini(y[left]) + (len(y) - n_left) * _gini(y[~left])) / len(y)
    best = expected[2]
    if actual > best + 1e-9:
        return False, f"x[:, {j}] <= {t:g} has weighted Gini {actual:.6g}; the best split has {best:.6g}"
    if abs(score - actual) > 1e-9:
        return False, f"x[:, {j}] <= {t:g} is a best split, but its weighted Gini is {actual:.6g}, not {score:.6g}"
    return True, ""


def cases():
    rng = np.random.default_rng(3)
    yield Case(
        "one feature, cleanly separable",
        args=(np.array([[1.0], [2.0], [3.0], [4.0], [5.0], [6.0]]), np.array([0, 0, 0, 1, 1, 1])),
        check=_check,
    )
    X = np.array([[0.0, 5.0], [1.0, 3.0], [2.0, 4.0], [3.0, 1.0], [4.0, 2.0], [5.0, 0.0]])
    yield Case("two features, one better", args=(X, np.array([0, 1, 0, 1, 1, 1])), check=_check)

    X3 = rng.normal(size=(40, 3))
    y3 = (X3[:, 1] > 0.3).astype(int) + (X3[:, 2] > 1.0).astype(int)
    flip = rng.random(40) < 0.15
    y3[flip] = rng.integers(0, 3, flip.sum())
    yield Case("three classes, 40 rows", args=(X3, y3), check=_check, hidden=True)
    Xr = rng.integers(0, 4, size=(30, 2)).astype(float)
    yield Case("repeated values", args=(Xr, (Xr[:, 0] + rng.integers(0, 2, 30) > 2).astype(int)), check=_check, hidden=True)
    Xc = np.column_stack([np.full(8, 7.0), np.arange(8.0)])
    yield Case("a constant feature beside a useful one", args=(Xc, np.array([0, 0, 1, 0, 1, 1, 1, 1])), check=_check, hidden=True)
    yield Case("already pure", args=(rng.normal(size=(6, 2)), np.full(6, 2)), check=_check, hidden=True)
    yield Case("two rows", args=(np.array([[1.0, 1.0], [2.0, 1.0]]), np.array([1, 0])), check=_check, hidden=True)
    yield Case("no split possible", args=(np.ones((5, 2)), np.array([0, 1, 0, 1, 1])), check=_check, hidden=True)
