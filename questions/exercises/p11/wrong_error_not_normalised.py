# Takes the error as the sum of the wrong rows' weights, assuming the weights already sum to 1.
import numpy as np


def adaboost_round(weights, y, pred, n_classes):
    wrong = pred != y
    error = np.sum(weights[wrong])
    alpha = np.log((1 - error) / error) + np.log(n_classes - 1)
    new = weights * np.exp(alpha * wrong)
    return alpha, new / new.sum()
