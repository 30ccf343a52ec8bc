import numpy as np


def gauc(y, scores, users):
    """Impression-weighted mean of per-user AUC, over users with both a click and a non-click.

    y: (n,) in {0, 1}, scores: (n,), users: (n,) ids. Ties count 1/2. Returns a float.
    """
    total, weight = 0.0, 0
    for u in np.unique(users):
        mine = users == u
        pos, neg = scores[mine & (y == 1)], scores[mine & (y == 0)]
        # TODO: skip users without both classes; the user's AUC over all (pos, neg) pairs, ties 1/2;
        #       add it to total with weight n_u = mine.sum()
        raise NotImplementedError
    return total / weight
