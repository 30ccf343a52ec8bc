# Regularises the intercept as well.
import numpy as np


def logistic_loss_grad(X, y, w, b, l2=0.0):
    z = X @ w + b
    p = np.exp(-np.logaddexp(0.0, -z))
    loss = np.mean(np.logaddexp(0.0, z) - y * z) + l2 / 2 * (w @ w + b * b)
    return loss, X.T @ (p - y) / len(y) + l2 * w, np.mean(p - y) + l2 * b
