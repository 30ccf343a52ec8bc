import numpy as np


def adaboost_round(weights, y, pred, n_classes):
    """One round of kdlab.classic.ensemble.adaboost (SAMME), for given predictions."""
    wrong = pred != y
    error = np.average(wrong, weights=weights)
    alpha = np.log((1 - error) / error) + np.log(n_classes - 1)
    new = weights * np.exp(alpha * wrong)  # the rows it got wrong count e^alpha times more
    return float(alpha), new / new.sum()
