import numpy as np


def adam_step(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999,
              eps=1e-8):
    """One Adam update, as torch.optim.Adam.

    m, v: the moment buffers before this step (zeros at first);
    t: this step's number, from 1.
    Returns (new w, new m, new v).
    """
    m = beta1 * m + (1 - beta1) * g
    # TODO: v; the bias-corrected m_hat and v_hat; the step on w
    raise NotImplementedError
