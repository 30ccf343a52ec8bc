import numpy as np


def translate(images, dy, dx):
    """kdlab.deep.augment.shift with its random offsets given: zero padding, then a crop (here: index ranges)."""
    B, H, W = images.shape
    out = np.zeros_like(images)
    for b in range(B):
        sy, sx = int(dy[b]), int(dx[b])
        if abs(sy) >= H or abs(sx) >= W:
            continue  # moved entirely out of view: all background
        out[b, max(sy, 0) : H + min(sy, 0), max(sx, 0) : W + min(sx, 0)] = images[
            b, max(-sy, 0) : H + min(-sy, 0), max(-sx, 0) : W + min(-sx, 0)
        ]
    return out
