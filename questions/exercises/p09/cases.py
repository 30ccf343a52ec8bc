"""Tests of distillation_loss: inputs as numpy arrays (tensors = true hands them over as torch
tensors); the expected values come from kdlab.distill.loss.distillation_loss."""

import numpy as np

from kdlab.practice.exercises import Case


def logits(rng, b, c, scale=2.0):
    return rng.normal(0, scale, size=(b, c))


def cases():
    rng = np.random.default_rng(9)
    z, v, y = logits(rng, 4, 3), logits(rng, 4, 3), np.array([0, 2, 1, 2])
    yield Case("4 examples, 3 classes, T = 2, alpha = 0.5", args=(z, v, y, 2.0, 0.5))
    yield Case("alpha = 0: plain cross-entropy", args=(z, v, y, 4.0, 0.0))
    yield Case("student = teacher, alpha = 1: zero", args=(v, v, y, 3.0, 1.0), atol=1e-7)
    yield Case("alpha = 1: the soft term alone", args=(z, v, y, 5.0, 1.0))

    z, v = logits(rng, 32, 10), logits(rng, 32, 10, scale=4.0)
    y = rng.integers(0, 10, size=32)
    yield Case("T = 1", args=(z, v, y, 1.0, 0.7), hidden=True)
    yield Case("T = 8, alpha = 0.9, 32 examples, 10 classes", args=(z, v, y, 8.0, 0.9), hidden=True)
    yield Case("one example", args=(z[:1], v[:1], y[:1], 2.5, 0.3), hidden=True)
    big = np.array([[1000.0, -1000.0, 0.0], [-500.0, 800.0, 20.0]])
    yield Case("large logits (±1000) stay finite", args=(big, big[::-1].copy(), np.array([0, 1]), 2.0, 0.5),
               hidden=True)  # fmt: skip
    yield Case("teacher sure, student unsure", args=(np.zeros((3, 4)), 10 * np.eye(4)[:3], np.array([0, 1, 2]),
                                                      4.0, 0.8), hidden=True)  # fmt: skip
