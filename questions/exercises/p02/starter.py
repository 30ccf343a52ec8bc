import numpy as np


def logistic_loss_grad(X, y, w, b, l2=0.0):
    """Logistic regression's objective and its gradient.

    loss = mean log-loss of p = sigmoid(X @ w + b) + (l2/2) ||w||^2
    X: (n, d), y: (n,) in {0, 1}, w: (d,), b: float.
    Returns (loss, grad_w, grad_b): a float, a (d,) array, a float.
    Must stay exact when |X @ w + b| is in the hundreds.
    """
    # TODO: the logits z = X @ w + b; the loss with log(1 + e^z)
    #       computed stably (np.logaddexp); then grad_w and grad_b
    raise NotImplementedError
