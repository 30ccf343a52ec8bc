import numpy as np

from kdlab.practice.exercises import Case


def cases():
    rng = np.random.default_rng(3)
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 3.0]])
    yield Case("T = 1: the ordinary softmax", args=(logits, 1.0), atol=1e-12)
    yield Case("T = 4: softer", args=(logits, 4.0), atol=1e-12)

    yield Case("logits of +-1000, T = 0.5", args=(np.array([[1000.0, -1000.0, 999.0], [0.0, 1000.0, -1000.0]]), 0.5), atol=1e-12, hidden=True)
    yield Case("rows near +1000 and near -1000", args=(np.vstack([1000 + rng.normal(size=(2, 5)), -1000 + rng.normal(size=(3, 5))]), 2.0), atol=1e-12, hidden=True)
    yield Case("a very high temperature", args=(5 * rng.normal(size=(4, 10)), 1e4), atol=1e-12, hidden=True)
    yield Case("equal logits", args=(np.full((3, 4), 7.0), 3.0), atol=1e-12, hidden=True)
    yield Case("ten classes, T = 0.25", args=(rng.normal(size=(6, 10)), 0.25), atol=1e-12, hidden=True)
