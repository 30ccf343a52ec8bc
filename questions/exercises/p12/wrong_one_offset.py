# Draws (here: uses) a single offset for the whole batch, the first image's.
import numpy as np


def translate(images, dy, dx):
    _, H, W = images.shape
    padded = np.pad(images, ((0, 0), (H, H), (W, W)))
    sy, sx = int(dy[0]), int(dx[0])
    return padded[:, H - sy : 2 * H - sy, W - sx : 2 * W - sx].copy()
