# Bootstraps from the mean over next actions (a uniformly random next policy) instead of the best one.
import numpy as np


def q_learning_updates(Q, transitions, alpha, gamma):
    Q = np.array(Q, dtype=float, copy=True)
    for s, a, r, s_next, done in transitions:
        target = r if done else r + gamma * Q[s_next].mean()
        Q[s, a] += alpha * (target - Q[s, a])
    return Q
