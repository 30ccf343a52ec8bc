import numpy as np


def conv2d(x, weight, bias, stride=1, padding=0):
    """Cross-correlation of x (N, C_in, H, W) with weight (C_out, C_in, kH, kW), plus bias (C_out,).

    Zero padding on every side, the same stride on both axes.
    Returns (N, C_out, H_out, W_out), H_out = (H + 2 * padding - kH) // stride + 1.
    """
    N, C_in, H, W = x.shape
    C_out, _, kH, kW = weight.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    H_out = (H + 2 * padding - kH) // stride + 1
    W_out = (W + 2 * padding - kW) // stride + 1
    out = np.zeros((N, C_out, H_out, W_out))
    # TODO: fill out[n, o, i, j] from the window x_pad[n, :, i*stride : i*stride + kH, j*stride : j*stride + kW]
    raise NotImplementedError
