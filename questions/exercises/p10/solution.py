import numpy as np


def finetune_step(params, grads, lr, body_lr_factor, frozen=(), weight_decay=0.0):
    """The head/body split of kdlab.deep.transfer (is_body, body_and_head_lr), as one torch.optim.SGD step."""
    new = {}
    for name, p in params.items():
        if name.startswith(tuple(frozen)):
            new[name] = np.array(p, copy=True)  # not in the optimiser at all: no step, no weight decay
            continue
        rate = lr if name.startswith("head.") else lr * body_lr_factor
        new[name] = p - rate * (grads[name] + weight_decay * p)
    return new
