# Binary AdaBoost's formulas for every K: alpha = 1/2 log((1 - e)/e), wrong rows times e^alpha,
# right rows times e^-alpha.
import numpy as np


def adaboost_round(weights, y, pred, n_classes):
    wrong = pred != y
    error = np.sum(weights[wrong]) / np.sum(weights)
    alpha = 0.5 * np.log((1 - error) / error)
    new = weights * np.exp(np.where(wrong, alpha, -alpha))
    return alpha, new / new.sum()
