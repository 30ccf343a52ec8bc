import numpy as np

from kdlab.practice.exercises import Case


def cases():
    rng = np.random.default_rng(19)
    w, g = np.array([1.0, -2.0, 0.5]), np.array([0.3, -0.1, 0.0])
    yield Case("the first step (t = 1, buffers at zero)", args=(w, g, np.zeros(3), np.zeros(3), 1), kwargs={"lr": 0.1}, atol=1e-12)
    yield Case(
        "a second step",
        args=(w, np.array([0.2, 0.1, -0.4]), np.array([0.03, -0.01, 0.0]), np.array([9e-5, 1e-5, 0.0]), 2),
        kwargs={"lr": 0.1},
        atol=1e-12,
    )

    m, v = 0.1 * rng.normal(size=10), 0.01 * rng.random(10)
    yield Case("step 1000", args=(rng.normal(size=10), rng.normal(size=10), m, v, 1000), atol=1e-12, hidden=True)
    tiny = 1e-7 * rng.normal(size=6)
    yield Case("gradients of about 1e-7", args=(rng.normal(size=6), tiny, 0.5 * tiny, tiny**2, 3), kwargs={"lr": 0.01}, atol=1e-12, hidden=True)
    yield Case("a zero gradient", args=(rng.normal(size=4), np.zeros(4), 0.1 * rng.normal(size=4), 0.01 * rng.random(4), 5), atol=1e-12, hidden=True)
    yield Case(
        "a 2-D weight, other betas",
        args=(rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), 0.1 * rng.normal(size=(4, 3)), 0.1 * rng.random((4, 3)), 7),
        kwargs={"lr": 0.05, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6},
        atol=1e-12,
        hidden=True,
    )
