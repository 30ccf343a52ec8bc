import numpy as np

from kdlab.classic.tree import best_split as cart_best_split


def best_split(X, y):
    """kdlab's CART split search (the same rules as scikit-learn), with unit weights and Gini."""
    onehot = np.eye(int(y.max()) + 1)[y]
    found = cart_best_split(X, onehot, np.ones(len(y)), "gini", 1, range(X.shape[1]))
    return None if found is None else (found[0], found[1], found[2])
