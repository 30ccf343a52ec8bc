import numpy as np


def fit_ar(series, p):
    """Ordinary least squares on lagged values (kdlab.shop.forecast.windows + fit_linear do the same on
    the shop's data, with a tiny ridge and promotion flags)."""
    T = len(series)
    lags = np.column_stack([series[p - k - 1 : T - k - 1] for k in range(p)])  # column k: y_{t-1-k}
    A = np.column_stack([lags, np.ones(T - p)])
    theta = np.linalg.lstsq(A, series[p:], rcond=None)[0]
    return theta[:p], float(theta[p])
