import numpy as np


def sigmoid(a):
    e = np.exp(-np.abs(a))  # never overflows
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def gru_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    """As kdlab.deep.rnn_text.GRUCell and torch.nn.GRUCell: r, z, n stacked in that order."""
    xr, xz, xn = np.split(x @ W_ih.T + b_ih, 3, axis=1)
    hr, hz, hn = np.split(h @ W_hh.T + b_hh, 3, axis=1)
    r = sigmoid(xr + hr)  # reset gate
    z = sigmoid(xz + hz)  # update gate: how much of the old state is kept
    n = np.tanh(xn + r * hn)  # candidate
    return (1 - z) * n + z * h
