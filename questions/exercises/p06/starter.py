import numpy as np


def conv2d(x, weight, bias, stride=1, padding=0):
    """Conv2d forward (cross-correlation, as PyTorch).

    x: (N, C_in, H, W), weight: (C_out, C_in, kH, kW), bias: (C_out,).
    Zero padding on every side, the same stride on both axes.
    Returns (N, C_out, H_out, W_out),
    H_out = (H + 2 * padding - kH) // stride + 1 (W_out alike).
    """
    N, C_in, H, W = x.shape
    C_out, _, kH, kW = weight.shape
    p = padding
    x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    H_out = (H + 2 * p - kH) // stride + 1
    W_out = (W + 2 * p - kW) // stride + 1
    out = np.zeros((N, C_out, H_out, W_out))
    # TODO: out[n, o, i, j] = bias[o] + the sum of
    #       x_pad[n, :, i*stride : i*stride + kH, j*stride : j*stride + kW]
    #       times weight[o]
    raise NotImplementedError
