from kdlab.classic.logistic import gradient, objective


def logistic_loss_grad(X, y, w, b, l2=0.0):
    """kdlab's objective (log(1 + e^z) by logaddexp) and gradient ((1/n) X^T (p - y) + l2 w, mean(p - y))."""
    grad_w, grad_b = gradient(X, y, w, b, l2)
    return objective(X, y, w, b, l2), grad_w, grad_b
