import numpy as np


def best_split(X, y):
    """The split x[:, j] <= t with the smallest weighted Gini impurity.

    X: (n, d) floats, y: (n,) integer labels in [0, C).
    Returns (j, t, score), or None when every feature is constant.
    """
    n, d = X.shape
    best = None
    for j in range(d):
        values = np.unique(X[:, j])
        # midpoints between neighbouring values: both sides non-empty
        for t in (values[:-1] + values[1:]) / 2:
            left = X[:, j] <= t
            # TODO: the Gini impurity of y[left] and of y[~left],
            #       weighted by their share of the n rows;
            #       keep (j, t, score) if it beats best
            raise NotImplementedError
    return best
