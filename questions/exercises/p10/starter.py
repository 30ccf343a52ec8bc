import numpy as np


def finetune_step(params, grads, lr, body_lr_factor,
                  frozen=(), weight_decay=0.0):
    """One SGD step with weight decay for fine-tuning.

    params, grads: {name: array}. The head: every name starting
    with "head."; the body: every other name. Names starting with
    a prefix in `frozen` stay exactly as they are.
    Body rate lr * body_lr_factor, head rate lr.
    Returns a new {name: array} with the same keys.
    """
    new = {}
    for name, p in params.items():
        # TODO: frozen? head or body?
        #       then p - rate * (grads[name] + weight_decay * p)
        raise NotImplementedError
    return new
