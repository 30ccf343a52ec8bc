import numpy as np


def finetune_step(params, grads, lr, body_lr_factor, frozen=(), weight_decay=0.0):
    """One SGD step with weight decay: frozen prefixes untouched, body at lr * body_lr_factor, head at lr.

    params, grads: {name: array}. The head is every name starting with "head.".
    Returns a new {name: array} with the same keys.
    """
    new = {}
    for name, p in params.items():
        # TODO: frozen? head or body? then p - rate * (grads[name] + weight_decay * p)
        raise NotImplementedError
    return new
