from kdlab.deep.playground import loss_and_grads


def mlp_loss_grads(X, y, W1, b1, W2, b2):
    """kdlab's backpropagation (checked against torch.autograd in tests/test_playground.py)."""
    loss, [(dW1, db1), (dW2, db2)] = loss_and_grads([(W1, b1), (W2, b2)], X, y, "relu")
    return loss, dW1, db1, dW2, db2
