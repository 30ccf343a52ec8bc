# The discriminator is trained with the labels swapped: generated samples as real, real ones as fake.
import numpy as np


def gan_losses(real_logits, fake_logits, kind="non_saturating"):
    log_sig = lambda a: -np.logaddexp(0.0, -a)  # noqa: E731
    d_loss = -(log_sig(fake_logits).mean() + log_sig(-real_logits).mean())
    if kind == "minimax":
        return d_loss, log_sig(-fake_logits).mean()
    return d_loss, -log_sig(fake_logits).mean()
