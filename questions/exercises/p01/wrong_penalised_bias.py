# Penalises the intercept too: b is shrunk towards 0 like w.
import numpy as np


def fit_linear_gd(X, y, lr, n_iter, l2=0.0):
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    for _ in range(n_iter):
        r = X @ w + b - y
        grad_w = X.T @ r / n + l2 * w
        grad_b = r.mean() + l2 * b
        w, b = w - lr * grad_w, b - lr * grad_b
    return w, b
