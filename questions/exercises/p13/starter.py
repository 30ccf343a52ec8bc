import numpy as np


def softmax_cross_entropy(logits, y, label_smoothing=0.0):
    """Mean cross-entropy of softmax(logits) against smoothed targets.

    logits: (n, C), y: (n,) ints in [0, C).
    Returns (loss, grad): grad = d loss / d logits, shape (n, C).
    """
    n, C = logits.shape
    shifted = logits - logits.max(axis=1, keepdims=True)
    # TODO: log_p = shifted - log(sum(exp(shifted)));
    #       the targets q; the loss; grad = (p - q) / n
    raise NotImplementedError
