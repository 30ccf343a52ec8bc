import numpy as np


def gauc(y, scores, users):
    """GAUC: per-user AUC, weighted by the user's impressions.

    Only users with both a click and a non-click count.
    y: (n,) in {0, 1}, scores: (n,), users: (n,) integer ids.
    Ties count 1/2. Returns a float.
    """
    total, weight = 0.0, 0
    for u in np.unique(users):
        mine = users == u
        pos = scores[mine & (y == 1)]
        neg = scores[mine & (y == 0)]
        # TODO: skip users without both classes; the user's AUC
        #       over all (pos, neg) pairs, ties 1/2; add it to total
        #       with weight n_u = mine.sum()
        raise NotImplementedError
    return total / weight
