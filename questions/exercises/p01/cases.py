import numpy as np
from kdlab.practice.exercises import Case


def cases():
    rng = np.random.default_rng(1)
    yield Case("y = 2x + 1, four points", args=(np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([1.0, 3.0, 5.0, 7.0]), 0.1, 300))
    X = np.array([[1.0, 0.5], [0.0, -1.0], [2.0, 1.0], [-1.0, 0.0], [0.5, 2.0]])
    yield Case("two features, three steps", args=(X, np.array([2.0, -1.0, 3.5, 0.0, 1.0]), 0.1, 3))
    yield Case("with L2: w shrinks, b does not", args=(X, np.array([2.0, -1.0, 3.5, 0.0, 1.0]), 0.1, 50), kwargs={"l2": 0.5})

    X = rng.normal(size=(60, 3))
    y = X @ np.array([1.5, -2.0, 0.5]) + 4.0 + 0.1 * rng.normal(size=60)
    yield Case("60 rows, 3 features, L2 0.1", args=(X, y, 0.2, 200), kwargs={"l2": 0.1}, hidden=True)
    yield Case("a single row", args=(np.array([[2.0, -1.0]]), np.array([3.0]), 0.1, 20), hidden=True)
    yield Case("no steps: the start", args=(X, y, 0.1, 0), hidden=True)
    Xf = 10.0 + rng.normal(size=(40, 1))
    yield Case("a feature far from zero", args=(Xf, 3.0 - 0.5 * Xf[:, 0], 0.005, 100), hidden=True)
    X0 = np.array([[1.0, 2.0], [2.0, 3.0], [3.0, 4.0], [4.0, 5.0]])
    yield Case("the original article's collinear data", args=(X0, np.array([3.0, 4.0, 5.0, 6.0]), 0.01, 1000), hidden=True)
