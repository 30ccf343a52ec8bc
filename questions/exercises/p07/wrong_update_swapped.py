# h' = z * n + (1 - z) * h: the convention of Cho et al. (2014), the opposite of PyTorch's.
import numpy as np


def gru_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    xr, xz, xn = np.split(x @ W_ih.T + b_ih, 3, axis=1)
    hr, hz, hn = np.split(h @ W_hh.T + b_hh, 3, axis=1)
    r = sig(xr + hr)
    z = sig(xz + hz)
    n = np.tanh(xn + r * hn)
    return z * n + (1 - z) * h
