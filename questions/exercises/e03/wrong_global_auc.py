# The global AUC over every impression: it also compares users with each other, which never happens
# when one user's list is ranked online.
import numpy as np


def gauc(y, scores, users):
    pos, neg = scores[y == 1], scores[y == 0]
    diff = pos[:, None] - neg[None, :]
    return np.mean((diff > 0) + 0.5 * (diff == 0))
