# Computes every target from the table as it was before any update (a "vectorised" replay), so an
# update never sees the ones before it.
import numpy as np


def q_learning_updates(Q, transitions, alpha, gamma):
    old = np.array(Q, dtype=float)
    Q = old.copy()
    for s, a, r, s_next, done in transitions:
        target = r if done else r + gamma * old[s_next].max()
        Q[s, a] += alpha * (target - Q[s, a])
    return Q
