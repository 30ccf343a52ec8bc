import numpy as np


def q_learning_updates(Q, transitions, alpha, gamma):
    """The update of kdlab.rl.qlearning (Q-learning), for recorded transitions."""
    Q = np.array(Q, dtype=float, copy=True)
    for s, a, r, s_next, done in transitions:
        target = r if done else r + gamma * Q[s_next].max()  # nothing follows a terminal state
        Q[s, a] += alpha * (target - Q[s, a])
    return Q
