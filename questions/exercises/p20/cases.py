"""Tests of precision_recall_f1 from a confusion matrix; the expected values come from
kdlab.classic.metrics.precision_recall_f1 (itself tested against scikit-learn)."""

import numpy as np

from kdlab.practice.exercises import Case

C3 = np.array([[5, 1, 0], [2, 3, 1], [0, 0, 4]])


def cases():
    yield Case({"en": "3 classes, per class", "zh": "3 个类别，逐类计算"}, args=(C3,))
    yield Case({"en": "3 classes, macro", "zh": "3 个类别，宏平均"}, args=(C3, "macro"))
    yield Case({"en": "3 classes, micro", "zh": "3 个类别，微平均"}, args=(C3,), kwargs={"average": "micro"})

    never_predicted = np.array([[4, 0, 1], [2, 0, 1], [0, 0, 5]])  # nothing predicted as class 1
    absent = np.array([[3, 1, 0], [0, 0, 0], [1, 0, 2]])  # class 1 neither present nor predicted
    rng = np.random.default_rng(20)
    big = rng.integers(0, 30, size=(10, 10)) + np.diag(rng.integers(20, 80, size=10))
    yield Case({"en": "3 classes, weighted", "zh": "3 个类别，加权平均"}, args=(C3, "weighted"), hidden=True)
    yield Case({"en": "a class never predicted: 0/0 counts as 0", "zh": "某个类别从未被预测到：0/0 记为 0"}, args=(never_predicted,), hidden=True)
    yield Case({"en": "a class never predicted, macro", "zh": "某个类别从未被预测到，宏平均"}, args=(never_predicted, "macro"), hidden=True)
    yield Case({"en": "a class neither present nor predicted", "zh": "某个类别既没出现也没被预测到"}, args=(absent, "weighted"), hidden=True)
    yield Case({"en": "binary", "zh": "二分类"}, args=(np.array([[50, 10], [5, 35]]),), hidden=True)
    yield Case({"en": "10 classes, macro", "zh": "10 个类别，宏平均"}, args=(big, "macro"), hidden=True)
    yield Case({"en": "10 classes, micro", "zh": "10 个类别，微平均"}, args=(big, "micro"), hidden=True)
