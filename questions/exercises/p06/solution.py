import numpy as np


def conv2d(x, weight, bias, stride=1, padding=0):
    """One matrix product per kernel offset (u, v): out += weight[:, :, u, v] applied to the strided view."""
    N, _, H, W = x.shape
    C_out, _, kH, kW = weight.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    H_out = (H + 2 * padding - kH) // stride + 1
    W_out = (W + 2 * padding - kW) // stride + 1
    out = np.zeros((N, C_out, H_out, W_out)) + bias[None, :, None, None]
    for u in range(kH):
        for v in range(kW):
            window = x_pad[:, :, u : u + stride * H_out : stride, v : v + stride * W_out : stride]  # (N, C_in, H_out, W_out)
            out += np.einsum("nchw,oc->nohw", window, weight[:, :, u, v])
    return out
