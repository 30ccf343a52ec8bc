# A gradient step of size eps instead of a step along the gradient's sign (not an L-infinity attack).
import numpy as np


def fgsm_logistic(x, y, w, b, eps):
    p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
    grad = (p - y)[:, None] * w[None, :]
    return np.clip(x + eps * grad, 0.0, 1.0)
