import numpy as np


def log_sigmoid(a):
    """log sigma(a) = -log(1 + e^-a), computed by logaddexp: no overflow, no log(0)."""
    return -np.logaddexp(0.0, -np.asarray(a, dtype=float))


def gan_losses(real_logits, fake_logits, kind="non_saturating"):
    """The numpy twin of kdlab.deep.gan.d_loss and g_loss (log(1 - sigma(a)) = log sigma(-a))."""
    d_loss = -(log_sigmoid(real_logits).mean() + log_sigmoid(-fake_logits).mean())
    if kind == "minimax":  # log(1 - D(G(z))): the game as written; its gradient vanishes while D wins
        return float(d_loss), float(log_sigmoid(-fake_logits).mean())
    # non-saturating, -log D(G(z)): the same fixed point, strong gradients early
    return float(d_loss), float(-log_sigmoid(fake_logits).mean())
