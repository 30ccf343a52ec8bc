# A learner's solution in plain numpy (the page grades against
# kdlab.classic.metrics.precision_recall_f1).
import numpy as np


def ratio(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.divide(a, b, out=np.zeros_like(a), where=b > 0)  # 0 / 0 counts as 0


def precision_recall_f1(C, average=None):
    C = np.asarray(C)
    tp = np.diag(C).astype(float)
    fp = C.sum(axis=0) - tp  # predicted as k, but another class
    fn = C.sum(axis=1) - tp  # class k, predicted as another
    if average == "micro":
        tp, fp, fn = tp.sum(), fp.sum(), fn.sum()
    p, r = ratio(tp, tp + fp), ratio(tp, tp + fn)
    f1 = ratio(2 * p * r, p + r)
    if average in (None, "micro"):
        return p, r, f1
    support = C.sum(axis=1)
    w = np.ones_like(tp) if average == "macro" else support / support.sum()
    return tuple(float(np.sum(w * m) / np.sum(w)) for m in (p, r, f1))
