import numpy as np


def adaboost_round(weights, y, pred, n_classes):
    """SAMME: the weak learner's vote alpha and the new row weights.

    weights: (n,) positive, not necessarily summing to 1;
    y, pred: (n,) labels; n_classes: K.
    Returns (alpha, new_weights), new_weights summing to 1.
    """
    wrong = pred != y
    # TODO: the weighted error, alpha,
    #       then reweight the wrong rows and normalise
    raise NotImplementedError
