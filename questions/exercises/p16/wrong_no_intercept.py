# No constant column: the process is forced through 0, which biases phi when the mean is not 0.
import numpy as np


def fit_ar(series, p):
    T = len(series)
    lags = np.column_stack([series[p - k - 1 : T - k - 1] for k in range(p)])
    A = lags
    theta = np.linalg.lstsq(A, series[p:], rcond=None)[0]
    return theta, 0.0
