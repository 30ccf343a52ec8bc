# The generator reuses the discriminator's "fake" label: it minimises -log(1 - D(G(z))), which helps D
# instead of fooling it (the label must be flipped to "real" for the non-saturating loss).
import numpy as np


def gan_losses(real_logits, fake_logits, kind="non_saturating"):
    log_sig = lambda a: -np.logaddexp(0.0, -a)  # noqa: E731
    d_loss = -(log_sig(real_logits).mean() + log_sig(-fake_logits).mean())
    if kind == "minimax":
        return d_loss, log_sig(-fake_logits).mean()
    return d_loss, -log_sig(-fake_logits).mean()
