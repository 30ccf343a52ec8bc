import numpy as np

from kdlab.practice.exercises import Case


def cases():
    rng = np.random.default_rng(2)
    X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, -1.0]])
    y = np.array([1.0, 0.0, 1.0])
    yield Case({"en": "zero weights: loss log 2", "zh": "权重全为 0：损失为 log 2"}, args=(X, y, np.zeros(2), 0.0))
    yield Case({"en": "three rows", "zh": "三个样本"}, args=(X, y, np.array([0.5, -0.25]), 0.1))
    yield Case({"en": "three rows, L2 0.1", "zh": "三个样本，L2 为 0.1"}, args=(X, y, np.array([0.5, -0.25]), 0.1), kwargs={"l2": 0.1})

    Xr = rng.normal(size=(200, 4))
    yr = (rng.random(200) < 0.4).astype(float)
    yield Case({"en": "200 rows, L2 0.01", "zh": "200 个样本，L2 为 0.01"}, args=(Xr, yr, rng.normal(size=4), -0.3), kwargs={"l2": 0.01}, hidden=True)
    yield Case(
        {"en": "logits near +-800, some confidently wrong", "zh": "logit 接近 ±800，有样本被自信地判错"},
        args=(Xr[:6], np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0]), 400.0 * np.array([1.0, -1.0, 0.5, 0.0]), 2.0),
        hidden=True,
    )
    yield Case({"en": "a single row", "zh": "只有一个样本"}, args=(np.array([[3.0, -2.0]]), np.array([0.0]), np.array([1.0, 1.0]), 0.5), hidden=True)
    yield Case({"en": "one class only", "zh": "标签全是同一类"}, args=(Xr[:20], np.ones(20), rng.normal(size=4), 1.0), kwargs={"l2": 1.0}, hidden=True)
