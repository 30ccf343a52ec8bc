import numpy as np

from kdlab.practice.exercises import Case


def _blobs(rng, n, spread):
    """Two standardised blobs, labels alternating +1, -1 (as kdlab.classic.svm.make_data)."""
    y = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    X = np.column_stack([y, 0.5 * y]) + rng.normal(0, spread, (n, 2))
    return (X - X.mean(0)) / X.std(0), y


def cases():
    rng = np.random.default_rng(4)
    X = np.array([[2.0, 1.0], [1.0, 2.0], [-1.0, -1.0], [-2.0, 0.0]])
    y = np.array([1.0, 1.0, -1.0, -1.0])
    yield Case({"en": "four points, three steps of two rows", "zh": "四个点，走三步，每步两个样本"}, args=(X, y, 1.0, np.array([[0, 2], [1, 3], [3, 0]])))
    X, y = _blobs(rng, 60, 1.0)
    yield Case({"en": "60 points, C = 1, 1000 steps of 8", "zh": "60 个点，C = 1，1000 步，每步 8 个样本"}, args=(X, y, 1.0, rng.integers(0, 60, (1000, 8))))

    X, y = _blobs(rng, 40, 0.5)
    yield Case({"en": "large C = 10, 3000 steps", "zh": "较大的 C = 10，3000 步"}, args=(X, y, 10.0, rng.integers(0, 40, (3000, 8))), hidden=True)
    X, y = _blobs(rng, 100, 1.5)
    yield Case({"en": "small C = 0.05", "zh": "较小的 C = 0.05"}, args=(X, y, 0.05, rng.integers(0, 100, (500, 8))), hidden=True)
    yield Case({"en": "batches of one row", "zh": "每批只有一个样本"}, args=(X, y, 1.0, rng.integers(0, 100, (2000, 1))), hidden=True)
    yield Case({"en": "a single step", "zh": "只走一步"}, args=(X, y, 2.0, rng.integers(0, 100, (1, 16))), hidden=True)
