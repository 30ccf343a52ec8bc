import numpy as np

from kdlab.practice.exercises import Case


def cases():
    rng = np.random.default_rng(19)
    w, g = np.array([1.0, -2.0, 0.5]), np.array([0.3, -0.1, 0.0])
    yield Case({"en": "the first step (t = 1, buffers at zero)", "zh": "第一步（t = 1，两个矩缓存为 0）"}, args=(w, g, np.zeros(3), np.zeros(3), 1), kwargs={"lr": 0.1}, atol=1e-12)
    yield Case(
        {"en": "a second step", "zh": "第二步"},
        args=(w, np.array([0.2, 0.1, -0.4]), np.array([0.03, -0.01, 0.0]), np.array([9e-5, 1e-5, 0.0]), 2),
        kwargs={"lr": 0.1},
        atol=1e-12,
    )

    m, v = 0.1 * rng.normal(size=10), 0.01 * rng.random(10)
    yield Case({"en": "step 1000", "zh": "第 1000 步"}, args=(rng.normal(size=10), rng.normal(size=10), m, v, 1000), atol=1e-12, hidden=True)
    tiny = 1e-7 * rng.normal(size=6)
    yield Case({"en": "gradients of about 1e-7", "zh": "梯度约为 1e-7"}, args=(rng.normal(size=6), tiny, 0.5 * tiny, tiny**2, 3), kwargs={"lr": 0.01}, atol=1e-12, hidden=True)
    yield Case({"en": "a zero gradient", "zh": "梯度为 0"}, args=(rng.normal(size=4), np.zeros(4), 0.1 * rng.normal(size=4), 0.01 * rng.random(4), 5), atol=1e-12, hidden=True)
    yield Case(
        {"en": "a 2-D weight, other betas", "zh": "二维权重，换一组 beta"},
        args=(rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), 0.1 * rng.normal(size=(4, 3)), 0.1 * rng.random((4, 3)), 7),
        kwargs={"lr": 0.05, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6},
        atol=1e-12,
        hidden=True,
    )
