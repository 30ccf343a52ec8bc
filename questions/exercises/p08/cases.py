import numpy as np
from kdlab.practice.exercises import Case


def cases():
    rng = np.random.default_rng(8)
    real, fake = np.array([2.0, 0.5, 1.0]), np.array([-1.0, 0.3, -2.0])
    yield Case("three and three", args=(real, fake))
    yield Case("the minimax generator loss", args=(real, fake), kwargs={"kind": "minimax"})

    yield Case("batches of 64 and 32", args=(rng.normal(1, 2, 64), rng.normal(-1, 2, 32)), hidden=True)
    yield Case("zero logits: log 2", args=(np.zeros(4), np.zeros(4)), hidden=True)
    big = np.array([800.0, -800.0, 30.0, -5.0])
    yield Case("logits of +-800", args=(big, -big[::-1]), hidden=True)
    yield Case("minimax with logits of +-800", args=(big, big), kwargs={"kind": "minimax"}, hidden=True)
