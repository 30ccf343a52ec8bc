# Updates w first, then computes b's gradient from the NEW w (not one gradient step).
import numpy as np


def fit_linear_gd(X, y, lr, n_iter, l2=0.0):
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    for _ in range(n_iter):
        r = X @ w + b - y
        w = w - lr * (X.T @ r / n + l2 * w)
        r = X @ w + b - y
        b = b - lr * r.mean()
    return w, b
