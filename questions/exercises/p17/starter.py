import numpy as np


def q_learning_updates(Q, transitions, alpha, gamma):
    """Q-learning's update for each (s, a, r, s_next, done), in order.

    Q: (n_states, n_actions), left unchanged.
    Returns the updated copy.
    """
    Q = np.array(Q, dtype=float, copy=True)
    for s, a, r, s_next, done in transitions:
        # TODO: the target (no bootstrap after a terminal
        #       transition), then move Q[s, a] towards it
        raise NotImplementedError
    return Q
