import numpy as np

from kdlab.practice.exercises import Case


def cases():
    rng = np.random.default_rng(3)
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 3.0]])
    yield Case({"en": "T = 1: the ordinary softmax", "zh": "T = 1：就是普通的 softmax"}, args=(logits, 1.0), atol=1e-12)
    yield Case({"en": "T = 4: softer", "zh": "T = 4：分布更平"}, args=(logits, 4.0), atol=1e-12)

    yield Case({"en": "logits of +-1000, T = 0.5", "zh": "logit 达到 ±1000，T = 0.5"}, args=(np.array([[1000.0, -1000.0, 999.0], [0.0, 1000.0, -1000.0]]), 0.5), atol=1e-12, hidden=True)
    yield Case({"en": "rows near +1000 and near -1000", "zh": "接近 +1000 和接近 -1000 的行在同一批"}, args=(np.vstack([1000 + rng.normal(size=(2, 5)), -1000 + rng.normal(size=(3, 5))]), 2.0), atol=1e-12, hidden=True)
    yield Case({"en": "a very high temperature", "zh": "温度极高"}, args=(5 * rng.normal(size=(4, 10)), 1e4), atol=1e-12, hidden=True)
    yield Case({"en": "equal logits", "zh": "logit 全部相等"}, args=(np.full((3, 4), 7.0), 3.0), atol=1e-12, hidden=True)
    yield Case({"en": "ten classes, T = 0.25", "zh": "10 个类别，T = 0.25"}, args=(rng.normal(size=(6, 10)), 0.25), atol=1e-12, hidden=True)
