# Takes the log of sigmoid(a) computed first: log(0) = -inf once a logit is large.
import numpy as np


def gan_losses(real_logits, fake_logits, kind="non_saturating"):
    sig = lambda a: 1.0 / (1.0 + np.exp(-a))  # noqa: E731
    d_loss = -(np.log(sig(real_logits)).mean() + np.log(1 - sig(fake_logits)).mean())
    if kind == "minimax":
        return d_loss, np.log(1 - sig(fake_logits)).mean()
    return d_loss, -np.log(sig(fake_logits)).mean()
