import numpy as np

from kdlab.practice.exercises import Case


def _simulate(rng, phi, c, T, burn=100):
    y = np.zeros(T + burn)
    for t in range(len(phi), T + burn):
        y[t] = c + np.dot(phi, y[t - len(phi) : t][::-1]) + rng.normal()
    return y[burn:]


def cases():
    rng = np.random.default_rng(16)
    yield Case({"en": "six points, one lag", "zh": "六个点，一阶滞后"}, args=(np.array([1.0, 2.0, 3.5, 4.0, 5.5, 6.0]), 1))
    yield Case({"en": "two lags, eight points", "zh": "二阶滞后，八个点"}, args=(np.array([0.5, 1.0, 0.2, -0.3, 0.8, 1.1, 0.1, -0.2]), 2))

    yield Case({"en": "a simulated AR(2), 500 points", "zh": "模拟的 AR(2) 序列，500 个点"}, args=(_simulate(rng, [0.6, -0.3], 1.0, 500), 2), hidden=True)
    yield Case({"en": "three lags", "zh": "三阶滞后"}, args=(_simulate(rng, [0.3, 0.2, 0.25], 0.5, 200), 3), hidden=True)
    yield Case({"en": "a level far from zero", "zh": "序列的水平远离 0"}, args=(1000.0 + _simulate(rng, [0.7], 0.0, 120), 1), hidden=True)
    yield Case({"en": "the shortest series: T = 2p + 1", "zh": "最短的序列：T = 2p + 1"}, args=(rng.normal(size=7), 3), hidden=True)
