import numpy as np

from kdlab.practice.exercises import Case


def _net(rng, d, H, C, scale=1.0):
    return (scale * rng.normal(0, d**-0.5, (d, H)), 0.1 * rng.normal(size=H),
            scale * rng.normal(0, H**-0.5, (H, C)), 0.1 * rng.normal(size=C))  # fmt: skip


def cases():
    rng = np.random.default_rng(5)
    X = np.array([[1.0, -1.0], [0.5, 2.0], [-1.5, 0.0]])
    W1 = np.array([[1.0, -0.5, 0.2], [0.3, 0.8, -1.0]])
    W2 = np.array([[0.5, -0.5], [1.0, 0.0], [-0.3, 0.7]])
    yield Case({"en": "three rows, two classes", "zh": "三个样本，两个类别"}, args=(X, np.array([0, 1, 1]), W1, np.array([0.1, 0.0, -0.1]), W2, np.array([0.0, 0.2])))
    X4 = rng.normal(size=(4, 3))
    yield Case({"en": "four rows, three classes", "zh": "四个样本，三个类别"}, args=(X4, np.array([2, 0, 1, 2]), *_net(rng, 3, 5, 3)))

    X = rng.normal(size=(50, 4))
    yield Case({"en": "50 rows, 8 hidden units", "zh": "50 个样本，8 个隐藏单元"}, args=(X, rng.integers(0, 3, 50), *_net(rng, 4, 8, 3)), hidden=True)
    yield Case({"en": "a single row", "zh": "只有一个样本"}, args=(X[:1], np.array([1]), *_net(rng, 4, 6, 2)), hidden=True)
    W1, b1, W2, b2 = _net(rng, 4, 6, 3)
    W1[:, 2], b1[2] = 0.0, -1.0  # unit 2 is off for every row
    yield Case({"en": "a unit that never fires", "zh": "有一个隐藏单元始终不激活"}, args=(X[:10], rng.integers(0, 3, 10), W1, b1, W2, b2), hidden=True)
    W1, b1, W2, b2 = _net(rng, 4, 6, 3, scale=30.0)
    logits = np.maximum(X[:12] @ W1 + b1, 0) @ W2 + b2
    yield Case({"en": "large logits", "zh": "logit 很大"}, args=(X[:12], logits.argmax(axis=1), W1, b1, W2, b2), hidden=True)
