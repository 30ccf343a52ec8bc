# Multiplies the logits by T instead of dividing: a high temperature sharpens instead of softening.
import numpy as np


def soft_targets(logits, T):
    z = logits * T
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
