# Counts only strictly higher scores: a tie counts 0 instead of 1/2.
import numpy as np


def gauc(y, scores, users):
    total, weight = 0.0, 0
    for u in np.unique(users):
        mine = users == u
        pos, neg = scores[mine & (y == 1)], scores[mine & (y == 0)]
        if len(pos) == 0 or len(neg) == 0:
            continue
        diff = pos[:, None] - neg[None, :]
        auc = np.mean(diff > 0)
        w = mine.sum()
        total, weight = total + w * auc, weight + w
    return total / weight
