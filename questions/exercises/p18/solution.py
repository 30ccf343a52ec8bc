import numpy as np


def fgsm_logistic(x, y, w, b, eps):
    """kdlab.deep.adversarial.fgsm for a logistic model: the input gradient of the cross-entropy is (p - y) w."""
    p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
    grad = (p - y)[:, None] * w[None, :]  # dL/dx for each row
    return np.clip(x + eps * np.sign(grad), 0.0, 1.0)
