import numpy as np


def fgsm_logistic(x, y, w, b, eps):
    """One FGSM step against p = sigmoid(x @ w + b), clipped to [0, 1].

    x: (n, d) in [0, 1], y: (n,) in {0, 1}, w: (d,), b: float.
    Returns x_adv of shape (n, d).
    """
    p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
    # TODO: the gradient of each row's cross-entropy with respect
    #       to x (chain rule through x @ w + b), its sign, the step,
    #       the clip
    raise NotImplementedError
