# Also tries the largest value as a threshold, which leaves the right side empty (scored as 0).
import numpy as np


def gini(labels):
    if len(labels) == 0:
        return 0.0
    p = np.bincount(labels) / len(labels)
    return 1.0 - np.sum(p**2)


def best_split(X, y):
    n = len(y)
    best = None
    for j in range(X.shape[1]):
        for t in np.unique(X[:, j]):
            left = X[:, j] <= t
            score = left.sum() / n * gini(y[left]) + (~left).sum() / n * gini(y[~left])
            if best is None or score < best[2]:
                best = (j, float(t), float(score))
    return best
