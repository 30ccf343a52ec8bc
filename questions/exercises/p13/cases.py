import numpy as np

from kdlab.practice.exercises import Case


def cases():
    rng = np.random.default_rng(13)
    logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]])
    yield Case({"en": "two rows, three classes", "zh": "两个样本，三个类别"}, args=(logits, np.array([0, 2])))
    yield Case({"en": "with label smoothing 0.2", "zh": "标签平滑 0.2"}, args=(logits, np.array([0, 2])), kwargs={"label_smoothing": 0.2})

    yield Case({"en": "logits of +-1000", "zh": "logit 为 ±1000"}, args=(np.array([[1000.0, -1000.0, 0.0], [-1000.0, 999.0, 1000.0]]), np.array([1, 2])), hidden=True)
    yield Case({"en": "a single row", "zh": "只有一个样本"}, args=(rng.normal(size=(1, 4)), np.array([3])), kwargs={"label_smoothing": 0.05}, hidden=True)
    yield Case({"en": "ten classes, smoothing 0.1", "zh": "10 个类别，标签平滑 0.1"}, args=(3 * rng.normal(size=(32, 10)), rng.integers(0, 10, 32)), kwargs={"label_smoothing": 0.1}, hidden=True)
    yield Case({"en": "equal logits: log C", "zh": "logit 全部相等：损失为 log C"}, args=(np.zeros((3, 5)), np.array([0, 4, 2])), hidden=True)
