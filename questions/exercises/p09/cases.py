"""Tests of distillation_loss: inputs as numpy arrays (tensors = true hands them over as torch
tensors); the expected values come from kdlab.distill.loss.distillation_loss."""

import numpy as np

from kdlab.practice.exercises import Case


def logits(rng, b, c, scale=2.0):
    return rng.normal(0, scale, size=(b, c))


def cases():
    rng = np.random.default_rng(9)
    z, v, y = logits(rng, 4, 3), logits(rng, 4, 3), np.array([0, 2, 1, 2])
    yield Case({"en": "4 examples, 3 classes, T = 2, alpha = 0.5", "zh": "4 个样本，3 个类别，T = 2，alpha = 0.5"}, args=(z, v, y, 2.0, 0.5))
    yield Case({"en": "alpha = 0: plain cross-entropy", "zh": "alpha = 0：就是普通的交叉熵"}, args=(z, v, y, 4.0, 0.0))
    yield Case({"en": "student = teacher, alpha = 1: zero", "zh": "学生 = 教师，alpha = 1：损失为 0"}, args=(v, v, y, 3.0, 1.0), atol=1e-7)
    yield Case({"en": "alpha = 1: the soft term alone", "zh": "alpha = 1：只剩软目标项"}, args=(z, v, y, 5.0, 1.0))

    z, v = logits(rng, 32, 10), logits(rng, 32, 10, scale=4.0)
    y = rng.integers(0, 10, size=32)
    yield Case({"en": "T = 1", "zh": "T = 1"}, args=(z, v, y, 1.0, 0.7), hidden=True)
    yield Case({"en": "T = 8, alpha = 0.9, 32 examples, 10 classes", "zh": "T = 8，alpha = 0.9，32 个样本，10 个类别"}, args=(z, v, y, 8.0, 0.9), hidden=True)
    yield Case({"en": "one example", "zh": "只有一个样本"}, args=(z[:1], v[:1], y[:1], 2.5, 0.3), hidden=True)
    big = np.array([[1000.0, -1000.0, 0.0], [-500.0, 800.0, 20.0]])
    yield Case(
        {"en": "large logits (±1000) stay finite", "zh": "logit 很大（±1000）时结果仍是有限值"},
        args=(big, big[::-1].copy(), np.array([0, 1]), 2.0, 0.5),
        hidden=True,
    )
    yield Case(
        {"en": "teacher sure, student unsure", "zh": "教师很确定，学生拿不准"},
        args=(np.zeros((3, 4)), 10 * np.eye(4)[:3], np.array([0, 1, 2]), 4.0, 0.8),
        hidden=True,
    )
