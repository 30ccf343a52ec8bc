import numpy as np

from kdlab.practice.exercises import Case


def cases():
    rng = np.random.default_rng(1)
    yield Case({"en": "y = 2x + 1, four points", "zh": "y = 2x + 1，四个点"}, args=(np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([1.0, 3.0, 5.0, 7.0]), 0.1, 300))
    X = np.array([[1.0, 0.5], [0.0, -1.0], [2.0, 1.0], [-1.0, 0.0], [0.5, 2.0]])
    yield Case({"en": "two features, three steps", "zh": "两个特征，走三步"}, args=(X, np.array([2.0, -1.0, 3.5, 0.0, 1.0]), 0.1, 3))
    yield Case({"en": "with L2: w shrinks, b does not", "zh": "加 L2：w 收缩，b 不收缩"}, args=(X, np.array([2.0, -1.0, 3.5, 0.0, 1.0]), 0.1, 50), kwargs={"l2": 0.5})

    X = rng.normal(size=(60, 3))
    y = X @ np.array([1.5, -2.0, 0.5]) + 4.0 + 0.1 * rng.normal(size=60)
    yield Case({"en": "60 rows, 3 features, L2 0.1", "zh": "60 个样本，3 个特征，L2 为 0.1"}, args=(X, y, 0.2, 200), kwargs={"l2": 0.1}, hidden=True)
    yield Case({"en": "a single row", "zh": "只有一个样本"}, args=(np.array([[2.0, -1.0]]), np.array([3.0]), 0.1, 20), hidden=True)
    yield Case({"en": "no steps: the start", "zh": "0 步：返回初始值"}, args=(X, y, 0.1, 0), hidden=True)
    Xf = 10.0 + rng.normal(size=(40, 1))
    yield Case({"en": "a feature far from zero", "zh": "特征远离 0"}, args=(Xf, 3.0 - 0.5 * Xf[:, 0], 0.005, 100), hidden=True)
    X0 = np.array([[1.0, 2.0], [2.0, 3.0], [3.0, 4.0], [4.0, 5.0]])
    yield Case({"en": "the original article's collinear data", "zh": "原文中的共线数据"}, args=(X0, np.array([3.0, 4.0, 5.0, 6.0]), 0.01, 1000), hidden=True)
