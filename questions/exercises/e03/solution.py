from kdlab.classic.metrics import gauc as kdlab_gauc


def gauc(y, scores, users):
    """kdlab's GAUC (ranks within each user, all users at once), without its per-user details."""
    return kdlab_gauc(y, scores, users)[0]
