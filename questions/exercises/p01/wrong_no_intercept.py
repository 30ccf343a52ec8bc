# The original article's version: h = X.dot(theta), no intercept at all (b stays 0).
import numpy as np


def fit_linear_gd(X, y, lr, n_iter, l2=0.0):
    m = len(y)
    theta = np.zeros(X.shape[1])
    for _ in range(n_iter):
        error = X.dot(theta) - y
        theta = theta - lr / m * (X.T.dot(error)) - lr * l2 * theta
    return theta, 0.0
