# Gives the small learning rate to the new head and the full one to the pretrained body.


def finetune_step(params, grads, lr, body_lr_factor, frozen=(), weight_decay=0.0):
    new = {}
    for name, p in params.items():
        if any(name.startswith(f) for f in frozen):
            new[name] = p.copy()
            continue
        rate = lr * body_lr_factor if name.startswith("head.") else lr
        new[name] = p - rate * (grads[name] + weight_decay * p)
    return new
