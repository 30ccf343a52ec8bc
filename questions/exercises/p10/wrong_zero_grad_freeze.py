# "Freezes" by zeroing the gradient: weight decay still shrinks the frozen weights every step.
import numpy as np


def finetune_step(params, grads, lr, body_lr_factor, frozen=(), weight_decay=0.0):
    new = {}
    for name, p in params.items():
        g = np.zeros_like(p) if any(name.startswith(f) for f in frozen) else grads[name]
        rate = lr if name.startswith("head.") else lr * body_lr_factor
        new[name] = p - rate * (g + weight_decay * p)
    return new
