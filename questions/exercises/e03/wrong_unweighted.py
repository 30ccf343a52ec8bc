# A plain mean of the users' AUCs: a user with 2 impressions weighs as much as one with 200.
import numpy as np


def gauc(y, scores, users):
    total, weight = 0.0, 0
    for u in np.unique(users):
        mine = users == u
        pos, neg = scores[mine & (y == 1)], scores[mine & (y == 0)]
        if len(pos) == 0 or len(neg) == 0:
            continue
        diff = pos[:, None] - neg[None, :]
        auc = np.mean((diff > 0) + 0.5 * (diff == 0))
        w = 1
        total, weight = total + w * auc, weight + w
    return total / weight
