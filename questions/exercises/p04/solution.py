import numpy as np


def pegasos(X, y, C, batches):
    """Pegasos as in kdlab.classic.svm.pegasos (step 1/(lambda t), bias unpenalised), on given batches."""
    n, d = X.shape
    lam = 1.0 / (n * C)
    w, b = np.zeros(d), 0.0
    for t, rows in enumerate(batches, start=1):
        eta = 1.0 / (lam * t)
        Xb, yb = X[rows], y[rows]
        violated = yb * (Xb @ w + b) < 1
        w = (1 - eta * lam) * w + eta / len(rows) * (yb[violated] @ Xb[violated])
        b = b + eta / len(rows) * yb[violated].sum()
    return w, float(b)
