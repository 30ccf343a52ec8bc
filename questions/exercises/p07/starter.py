import numpy as np


def gru_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    """One GRU step in PyTorch's layout.

    The 3H rows of W_ih, W_hh, b_ih, b_hh stack [r; z; n].
    x: (B, E), h: (B, H). Returns the new hidden state (B, H).
    """
    H = h.shape[1]
    gi = x @ W_ih.T + b_ih  # (B, 3H): input parts of r, z, n
    gh = h @ W_hh.T + b_hh  # (B, 3H): hidden parts of r, z, n
    # TODO: split gi and gh into their r, z, n parts;
    #       the gates, the candidate, then h'
    raise NotImplementedError
