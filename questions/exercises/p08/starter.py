import numpy as np


def gan_losses(real_logits, fake_logits, kind="non_saturating"):
    """(discriminator loss, generator loss) from D's logits.

    real_logits: (m,) on real samples, fake_logits: (k,) on
    generated ones. kind: "non_saturating" or "minimax".
    Both losses must stay finite and exact for logits of +-800.
    """

    def log_sigmoid(a):
        # TODO: log(sigmoid(a)) without overflow or log(0),
        #       e.g. with np.logaddexp
        raise NotImplementedError

    # TODO: d_loss from both batches;
    #       g_loss of the requested kind from the fake batch
    raise NotImplementedError
