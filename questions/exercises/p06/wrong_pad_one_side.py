# Puts all 2*padding zeros after the image instead of padding each side.
import numpy as np


def conv2d(x, weight, bias, stride=1, padding=0):
    N = x.shape[0]
    C_out, _, kH, kW = weight.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (0, 2 * padding), (0, 2 * padding)))
    H_out = (x_pad.shape[2] - kH) // stride + 1
    W_out = (x_pad.shape[3] - kW) // stride + 1
    kernel = weight
    out = np.zeros((N, C_out, H_out, W_out))
    for n in range(N):
        for o in range(C_out):
            for i in range(H_out):
                for j in range(W_out):
                    patch = x_pad[n, :, i * stride : i * stride + kH, j * stride : j * stride + kW]
                    out[n, o, i, j] = np.sum(patch * kernel[o]) + bias[o]
    return out
