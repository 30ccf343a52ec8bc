# Off by one: the window ends at y_t itself, so the target leaks into the features (a perfect,
# useless fit).
import numpy as np


def fit_ar(series, p):
    T = len(series)
    lags = np.column_stack([series[p - k : T - k] for k in range(p)])
    A = np.column_stack([lags, np.ones(T - p)])
    theta = np.linalg.lstsq(A, series[p:], rcond=None)[0]
    return theta[:p], float(theta[p])
