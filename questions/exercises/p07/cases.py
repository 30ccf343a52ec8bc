import numpy as np

from kdlab.practice.exercises import Case


def _weights(rng, E, H, scale=1.0):
    bound = scale * H**-0.5  # PyTorch's initialisation range
    return (rng.uniform(-bound, bound, (3 * H, E)), rng.uniform(-bound, bound, (3 * H, H)),
            rng.uniform(-bound, bound, 3 * H), rng.uniform(-bound, bound, 3 * H))  # fmt: skip


def cases():
    rng = np.random.default_rng(7)
    W = _weights(rng, 2, 2)
    yield Case({"en": "one row, E = H = 2", "zh": "一个样本，E = H = 2"}, args=(np.array([[1.0, -1.0]]), np.array([[0.5, -0.2]]), *W))
    yield Case({"en": "first step: h = 0", "zh": "第一步：h = 0"}, args=(np.array([[0.3, 0.8], [-1.0, 0.0]]), np.zeros((2, 2)), *W))

    yield Case({"en": "batch of 5, E = 4, H = 6", "zh": "批大小 5，E = 4，H = 6"}, args=(rng.normal(size=(5, 4)), rng.normal(size=(5, 6)), *_weights(rng, 4, 6)), hidden=True)
    yield Case({"en": "hidden size 1", "zh": "隐藏维度为 1"}, args=(rng.normal(size=(3, 3)), rng.normal(size=(3, 1)), *_weights(rng, 3, 1)), hidden=True)
    yield Case({"en": "zero input", "zh": "输入全为 0"}, args=(np.zeros((2, 3)), rng.normal(size=(2, 4)), *_weights(rng, 3, 4)), hidden=True)
    yield Case(
        {"en": "large pre-activations", "zh": "激活前的值很大"},
        args=(10 * rng.normal(size=(4, 3)), rng.uniform(-1, 1, (4, 4)), *_weights(rng, 3, 4, scale=20.0)),
        hidden=True,
    )
