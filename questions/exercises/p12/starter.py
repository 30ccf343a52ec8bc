import numpy as np


def translate(images, dy, dx):
    """Move image b down by dy[b] and right by dx[b] pixels.

    Vacated pixels are 0; nothing wraps around.
    images: (B, H, W); dy, dx: (B,) ints.
    Returns a new (B, H, W) array.
    """
    B, H, W = images.shape
    out = np.zeros_like(images)
    for b in range(B):
        # TODO: the rows and columns of out that receive a pixel,
        #       and where in images[b] they come from
        raise NotImplementedError
    return out
