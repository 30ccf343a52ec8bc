# Forgets to clip: pixels leave [0, 1], so the "image" is no longer a valid input.
import numpy as np


def fgsm_logistic(x, y, w, b, eps):
    p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
    grad = (p - y)[:, None] * w[None, :]
    return x + eps * np.sign(grad)
