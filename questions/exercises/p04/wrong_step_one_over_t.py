# Step 1/t: the 1/lambda is forgotten, so every step is n*C times too small.
import numpy as np


def pegasos(X, y, C, batches):
    n, d = X.shape
    lam = 1.0 / (n * C)
    w, b = np.zeros(d), 0.0
    for t, rows in enumerate(batches, start=1):
        eta = 1.0 / t
        Xb, yb = X[rows], y[rows]
        violated = yb * (Xb @ w + b) < 1
        w = (1 - eta * lam) * w + eta / len(rows) * (yb[violated] @ Xb[violated])
        b = b + eta / len(rows) * yb[violated].sum()
    return w, b
