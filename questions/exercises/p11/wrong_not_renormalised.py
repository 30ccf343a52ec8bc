# Forgets to renormalise the weights after the update.
import numpy as np


def adaboost_round(weights, y, pred, n_classes):
    wrong = pred != y
    error = np.sum(weights[wrong]) / np.sum(weights)
    alpha = np.log((1 - error) / error) + np.log(n_classes - 1)
    new = weights * np.exp(alpha * wrong)
    return alpha, new
