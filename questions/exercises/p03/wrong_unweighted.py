# Averages the two children's Gini without weighting them by their size: a tiny pure child wins.
import numpy as np


def gini(labels):
    p = np.bincount(labels) / len(labels)
    return 1.0 - np.sum(p**2)


def best_split(X, y):
    best = None
    for j in range(X.shape[1]):
        values = np.unique(X[:, j])
        for t in (values[:-1] + values[1:]) / 2:
            left = X[:, j] <= t
            score = (gini(y[left]) + gini(y[~left])) / 2
            if best is None or score < best[2]:
                best = (j, float(t), float(score))
    return best
