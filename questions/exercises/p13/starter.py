import numpy as np


def softmax_cross_entropy(logits, y, label_smoothing=0.0):
    """Mean cross-entropy between softmax(logits) and the (smoothed) one-hot targets, and d loss / d logits.

    logits: (n, C), y: (n,) ints. Returns (loss, grad) with grad of shape (n, C).
    """
    n, C = logits.shape
    shifted = logits - logits.max(axis=1, keepdims=True)
    # TODO: log_p = shifted - log(sum(exp(shifted))); the targets q; the loss; grad = (p - q) / n
    raise NotImplementedError
