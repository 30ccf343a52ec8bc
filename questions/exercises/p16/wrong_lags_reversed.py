# Builds the window oldest first, so phi[0] is the weight of y_{t-p}, not y_{t-1}.
import numpy as np


def fit_ar(series, p):
    T = len(series)
    lags = np.column_stack([series[k : T - p + k] for k in range(p)])
    A = np.column_stack([lags, np.ones(T - p)])
    theta = np.linalg.lstsq(A, series[p:], rcond=None)[0]
    return theta[:p], float(theta[p])
