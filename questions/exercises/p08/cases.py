import numpy as np

from kdlab.practice.exercises import Case


def cases():
    rng = np.random.default_rng(8)
    real, fake = np.array([2.0, 0.5, 1.0]), np.array([-1.0, 0.3, -2.0])
    yield Case({"en": "three and three", "zh": "真实、生成样本各三个"}, args=(real, fake))
    yield Case({"en": "the minimax generator loss", "zh": "minimax 形式的生成器损失"}, args=(real, fake), kwargs={"kind": "minimax"})

    yield Case({"en": "batches of 64 and 32", "zh": "两批分别有 64 和 32 个样本"}, args=(rng.normal(1, 2, 64), rng.normal(-1, 2, 32)), hidden=True)
    yield Case({"en": "zero logits: log 2", "zh": "logit 全为 0：log 2"}, args=(np.zeros(4), np.zeros(4)), hidden=True)
    big = np.array([800.0, -800.0, 30.0, -5.0])
    yield Case({"en": "logits of +-800", "zh": "logit 为 ±800"}, args=(big, -big[::-1]), hidden=True)
    yield Case({"en": "minimax with logits of +-800", "zh": "minimax 形式，logit 为 ±800"}, args=(big, big), kwargs={"kind": "minimax"}, hidden=True)
