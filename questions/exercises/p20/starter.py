import numpy as np


def precision_recall_f1(C, average=None):
    """Precision, recall and F1 from a confusion matrix.

    C:       integer array (K, K); C[i, j] counts the examples of true class i predicted as class j
    average: None (one value per class), "macro", "weighted" or "micro"

    Returns a tuple (precision, recall, f1):
      - average=None or "micro": three arrays, of shape (K,) for None and () (or floats) for "micro"
      - "macro" or "weighted": three floats (per-class values averaged, equally or by class support)
    A ratio 0 / 0 (a class never predicted, or never present) counts as 0.
    """
    raise NotImplementedError("write it here")
