from kdlab.classic.regression import gradient_descent


def fit_linear_gd(X, y, lr, n_iter, l2=0.0):
    """kdlab's batch gradient descent (tested against the closed form), returning (w, b)."""
    descent = gradient_descent(X, y, lr=lr, n_iter=n_iter, l2=l2)
    return descent.w, descent.b
