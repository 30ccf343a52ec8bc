import numpy as np


def pegasos(X, y, C, batches):
    """Mini-batch Pegasos for a linear SVM, bias not penalised.

    X: (n, d), y: (n,) in {-1, +1}, C > 0,
    batches: (T, k) row indices, one row of indices per step.
    Returns (w, b): w of shape (d,), b a float.
    """
    n, d = X.shape
    lam = 1.0 / (n * C)
    w, b = np.zeros(d), 0.0
    for t, rows in enumerate(batches, start=1):
        # TODO: the step size; the rows of this batch that violate
        #       the margin; then update w and b
        raise NotImplementedError
    return w, b
