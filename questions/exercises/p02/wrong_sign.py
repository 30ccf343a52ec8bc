# Uses y - p instead of p - y: the gradient of the log-LIKELIHOOD, so descent climbs the loss.
import numpy as np


def logistic_loss_grad(X, y, w, b, l2=0.0):
    z = X @ w + b
    p = np.exp(-np.logaddexp(0.0, -z))
    loss = np.mean(np.logaddexp(0.0, z) - y * z) + l2 / 2 * w @ w
    return loss, X.T @ (y - p) / len(y) + l2 * w, np.mean(y - p)
