import numpy as np


def fit_linear_gd(X, y, lr, n_iter, l2=0.0):
    """Batch gradient descent for linear regression.

    Minimises L(w, b) = (1/2n) ||Xw + b - y||^2 + (l2/2) ||w||^2
    (the intercept b is not penalised), from w = 0, b = 0,
    with n_iter steps of size lr.
    X: (n, d) floats, y: (n,) floats.
    Returns (w, b): w of shape (d,), b a float.
    """
    d = X.shape[1]
    w, b = np.zeros(d), 0.0
    for _ in range(n_iter):
        # TODO: the residual, the two gradients,
        #       then update w and b together
        raise NotImplementedError
    return w, b
