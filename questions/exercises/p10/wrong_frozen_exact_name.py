# Looks the parameter's whole name up in `frozen`, so a prefix such as "blocks.0." freezes nothing.


def finetune_step(params, grads, lr, body_lr_factor, frozen=(), weight_decay=0.0):
    new = {}
    for name, p in params.items():
        if name in frozen:
            new[name] = p.copy()
            continue
        rate = lr if name.startswith("head.") else lr * body_lr_factor
        new[name] = p - rate * (grads[name] + weight_decay * p)
    return new
