# Gives users with only clicks or only non-clicks an AUC of 0.5 instead of leaving them out.
import numpy as np


def gauc(y, scores, users):
    total, weight = 0.0, 0
    for u in np.unique(users):
        mine = users == u
        pos, neg = scores[mine & (y == 1)], scores[mine & (y == 0)]
        if len(pos) == 0 or len(neg) == 0:
            total, weight = total + 0.5 * mine.sum(), weight + mine.sum()
            continue
        diff = pos[:, None] - neg[None, :]
        auc = np.mean((diff > 0) + 0.5 * (diff == 0))
        w = mine.sum()
        total, weight = total + w * auc, weight + w
    return total / weight
