import numpy as np


def fit_ar(series, p):
    """Least-squares AR(p) with an intercept.

    y_t = c + phi[0] y_{t-1} + ... + phi[p-1] y_{t-p}
    series: (T,) oldest first.
    Returns (phi, c): phi of shape (p,), c a float.
    """
    T = len(series)
    # TODO: one row per t = p .. T-1: the p previous values (most
    #       recent first) and a 1; targets series[p:];
    #       then np.linalg.lstsq
    raise NotImplementedError
