# Leaves out SAMME's log(K - 1): with K > 2 classes a learner whose error is between 1/2 and 1 - 1/K
# (still better than chance) gets a negative vote, and the reweighting is too weak.
import numpy as np


def adaboost_round(weights, y, pred, n_classes):
    wrong = pred != y
    error = np.sum(weights[wrong]) / np.sum(weights)
    alpha = np.log((1 - error) / error)
    new = weights * np.exp(alpha * wrong)
    return alpha, new / new.sum()
