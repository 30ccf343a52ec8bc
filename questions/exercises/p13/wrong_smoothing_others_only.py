# Spreads the smoothing mass over the C - 1 wrong classes only (1 - eps on the true one): a common
# variant, but not what PyTorch's label_smoothing (or the statement) does.
import numpy as np


def softmax_cross_entropy(logits, y, label_smoothing=0.0):
    n, C = logits.shape
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    q = np.full((n, C), label_smoothing / (C - 1))
    q[np.arange(n), y] = 1.0 - label_smoothing
    return -(q * log_p).sum() / n, (np.exp(log_p) - q) / n
