import numpy as np


def mlp_loss_grads(X, y, W1, b1, W2, b2):
    """Cross-entropy of a one-hidden-layer ReLU MLP, and its gradients.

    X: (n, d), y: (n,) ints in [0, C),
    W1: (d, H), b1: (H,), W2: (H, C), b2: (C,).
    Returns (loss, dW1, db1, dW2, db2).
    """
    n = len(y)
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0.0)
    logits = h @ W2 + b2
    # TODO: a stable softmax and the mean loss;
    #       delta = dL/dlogits = (p - onehot(y)) / n;
    #       then back through W2, the ReLU and W1
    raise NotImplementedError
