# alpha multiplies r only: Q + alpha * (r - Q) + gamma * max Q(s'), a misplaced parenthesis.
import numpy as np


def q_learning_updates(Q, transitions, alpha, gamma):
    Q = np.array(Q, dtype=float, copy=True)
    for s, a, r, s_next, done in transitions:
        bootstrap = 0.0 if done else gamma * Q[s_next].max()
        Q[s, a] = Q[s, a] + alpha * (r - Q[s, a]) + bootstrap
    return Q
