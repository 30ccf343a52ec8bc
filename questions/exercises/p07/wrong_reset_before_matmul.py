# Applies the reset gate to h before the matrix product (Keras' reset_after=False), so b_hn is not reset.
import numpy as np


def gru_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    H = h.shape[1]
    sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    xr, xz, xn = np.split(x @ W_ih.T + b_ih, 3, axis=1)
    hr, hz, _ = np.split(h @ W_hh.T + b_hh, 3, axis=1)
    r = sig(xr + hr)
    z = sig(xz + hz)
    n = np.tanh(xn + (r * h) @ W_hh[2 * H :].T + b_hh[2 * H :])
    return (1 - z) * n + z * h
