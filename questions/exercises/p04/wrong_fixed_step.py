# A constant learning rate (0.01) instead of 1/(lambda t), as in many blog versions.
import numpy as np


def pegasos(X, y, C, batches):
    n, d = X.shape
    lam = 1.0 / (n * C)
    w, b = np.zeros(d), 0.0
    eta = 0.01
    for rows in batches:
        Xb, yb = X[rows], y[rows]
        violated = yb * (Xb @ w + b) < 1
        w = (1 - eta * lam) * w + eta / len(rows) * (yb[violated] @ Xb[violated])
        b = b + eta / len(rows) * yb[violated].sum()
    return w, b
