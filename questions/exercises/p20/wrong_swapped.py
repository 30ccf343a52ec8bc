# Precision and recall swapped: precision divides by the row (the true class's count) instead of
# the column (how often the class was predicted).
import numpy as np


def precision_recall_f1(C, average=None):
    C = np.asarray(C)
    tp = np.diag(C).astype(float)
    rows, cols = C.sum(axis=1), C.sum(axis=0)
    if average == "micro":
        tp, rows, cols = tp.sum(), rows.sum(), cols.sum()
    p = np.divide(tp, rows, out=np.zeros_like(tp, dtype=float), where=rows > 0)
    r = np.divide(tp, cols, out=np.zeros_like(tp, dtype=float), where=cols > 0)
    f1 = np.divide(2 * p * r, p + r, out=np.zeros_like(p), where=(p + r) > 0)
    if average in (None, "micro"):
        return p, r, f1
    w = np.ones_like(tp) if average == "macro" else C.sum(axis=1) / C.sum()
    return tuple(float(np.sum(w * m) / np.sum(w)) for m in (p, r, f1))
