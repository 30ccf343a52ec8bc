# Divides without guarding 0 / 0: a class that is never predicted gets precision NaN (and F1 NaN),
# and a NaN poisons the macro average.
import numpy as np


def precision_recall_f1(C, average=None):
    C = np.asarray(C)
    tp = np.diag(C).astype(float)
    fp, fn = C.sum(axis=0) - tp, C.sum(axis=1) - tp
    if average == "micro":
        tp, fp, fn = tp.sum(), fp.sum(), fn.sum()
    p, r = tp / (tp + fp), tp / (tp + fn)
    f1 = 2 * p * r / (p + r)
    if average in (None, "micro"):
        return p, r, f1
    w = np.ones_like(tp) if average == "macro" else C.sum(axis=1) / C.sum()
    return tuple(float(np.sum(w * m) / np.sum(w)) for m in (p, r, f1))
