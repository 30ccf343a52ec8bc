import numpy as np

from kdlab.practice.exercises import Case


def _learner(rng, y, K, error_rate):
    """Predictions that are wrong on about error_rate of the rows (a wrong row gets another class)."""
    wrong = rng.random(len(y)) < error_rate
    wrong[0], wrong[1] = True, False  # never perfect, never all wrong
    return np.where(wrong, (y + rng.integers(1, K, len(y))) % K, y)


def cases():
    rng = np.random.default_rng(11)
    y = np.array([0, 1, 1, 0, 1])
    yield Case({"en": "two classes, one row wrong", "zh": "二分类，一个样本分错"}, args=(np.full(5, 0.2), y, np.array([0, 1, 0, 0, 1]), 2))
    y3 = np.array([0, 1, 2, 2, 1, 0])
    yield Case({"en": "three classes, two rows wrong", "zh": "三个类别，两个样本分错"}, args=(np.full(6, 1 / 6), y3, np.array([0, 2, 2, 0, 1, 0]), 3))

    y = rng.integers(0, 2, 40)
    yield Case({"en": "weights that do not sum to 1", "zh": "权重之和不为 1"}, args=(rng.uniform(0.5, 3.0, 40), y, _learner(rng, y, 2, 0.3), 2), hidden=True)
    y = rng.integers(0, 10, 200)
    w = rng.dirichlet(np.ones(200))
    yield Case({"en": "ten classes, 200 rows", "zh": "10 个类别，200 个样本"}, args=(w, y, _learner(rng, y, 10, 0.6), 10), hidden=True)
    y = rng.integers(0, 3, 30)
    pred = y.copy()
    pred[7] = (y[7] + 1) % 3
    yield Case({"en": "a single row wrong", "zh": "只有一个样本分错"}, args=(np.full(30, 1 / 30), y, pred, 3), hidden=True)
    y = rng.integers(0, 4, 50)
    yield Case({"en": "four classes, uneven weights", "zh": "四个类别，权重不均匀"}, args=(rng.exponential(1.0, 50), y, _learner(rng, y, 4, 0.45), 4), hidden=True)
