# Forgets the ReLU's derivative: the error flows back through units that were off.
import numpy as np


def mlp_loss_grads(X, y, W1, b1, W2, b2):
    n = len(y)
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0.0)
    logits = h @ W2 + b2
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(n), y]).mean()
    delta = p.copy()
    delta[np.arange(n), y] -= 1.0
    delta /= n
    dW2, db2 = h.T @ delta, delta.sum(axis=0)
    delta1 = delta @ W2.T
    return loss, X.T @ delta1, delta1.sum(axis=0), dW2, db2
