# Tries each data value as the threshold but splits with <, not <=: the split it scores is not the
# split its returned (j, t) describes.
import numpy as np


def gini(labels):
    p = np.bincount(labels) / len(labels)
    return 1.0 - np.sum(p**2)


def best_split(X, y):
    n = len(y)
    best = None
    for j in range(X.shape[1]):
        for t in np.unique(X[:, j])[1:]:
            left = X[:, j] < t
            score = left.sum() / n * gini(y[left]) + (~left).sum() / n * gini(y[~left])
            if best is None or score < best[2]:
                best = (j, float(t), float(score))
    return best
