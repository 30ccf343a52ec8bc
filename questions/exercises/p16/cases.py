import numpy as np

from kdlab.practice.exercises import Case


def _simulate(rng, phi, c, T, burn=100):
    y = np.zeros(T + burn)
    for t in range(len(phi), T + burn):
        y[t] = c + np.dot(phi, y[t - len(phi) : t][::-1]) + rng.normal()
    return y[burn:]


def cases():
    rng = np.random.default_rng(16)
    yield Case("six points, one lag", args=(np.array([1.0, 2.0, 3.5, 4.0, 5.5, 6.0]), 1))
    yield Case("two lags, eight points", args=(np.array([0.5, 1.0, 0.2, -0.3, 0.8, 1.1, 0.1, -0.2]), 2))

    yield Case("a simulated AR(2), 500 points", args=(_simulate(rng, [0.6, -0.3], 1.0, 500), 2), hidden=True)
    yield Case("three lags", args=(_simulate(rng, [0.3, 0.2, 0.25], 0.5, 200), 3), hidden=True)
    yield Case("a level far from zero", args=(1000.0 + _simulate(rng, [0.7], 0.0, 120), 1), hidden=True)
    yield Case("the shortest series: T = 2p + 1", args=(rng.normal(size=7), 3), hidden=True)
