# Sums the data term's gradient over rows instead of averaging it (the loss is a mean).
import numpy as np


def logistic_loss_grad(X, y, w, b, l2=0.0):
    z = X @ w + b
    p = np.exp(-np.logaddexp(0.0, -z))
    loss = np.mean(np.logaddexp(0.0, z) - y * z) + l2 / 2 * w @ w
    return loss, X.T @ (p - y) + l2 * w, np.sum(p - y)
