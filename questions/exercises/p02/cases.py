import numpy as np
from kdlab.practice.exercises import Case


def cases():
    rng = np.random.default_rng(2)
    X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, -1.0]])
    y = np.array([1.0, 0.0, 1.0])
    yield Case("zero weights: loss log 2", args=(X, y, np.zeros(2), 0.0))
    yield Case("three rows", args=(X, y, np.array([0.5, -0.25]), 0.1))
    yield Case("three rows, L2 0.1", args=(X, y, np.array([0.5, -0.25]), 0.1), kwargs={"l2": 0.1})

    Xr = rng.normal(size=(200, 4))
    yr = (rng.random(200) < 0.4).astype(float)
    yield Case("200 rows, L2 0.01", args=(Xr, yr, rng.normal(size=4), -0.3), kwargs={"l2": 0.01}, hidden=True)
    yield Case(
        "logits near +-800, some confidently wrong",
        args=(Xr[:6], np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0]), 400.0 * np.array([1.0, -1.0, 0.5, 0.0]), 2.0),
        hidden=True,
    )
    yield Case("a single row", args=(np.array([[3.0, -2.0]]), np.array([0.0]), np.array([1.0, 1.0]), 0.5), hidden=True)
    yield Case("one class only", args=(Xr[:20], np.ones(20), rng.normal(size=4), 1.0), kwargs={"l2": 1.0}, hidden=True)
