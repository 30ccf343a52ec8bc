# The original article's update: always r + gamma * max Q(s'), even after a terminal transition.
import numpy as np


def q_learning_updates(Q, transitions, alpha, gamma):
    Q = np.array(Q, dtype=float, copy=True)
    for s, a, r, s_next, _done in transitions:
        Q[s, a] = Q[s, a] + alpha * (r + gamma * np.max(Q[s_next]) - Q[s, a])
    return Q
