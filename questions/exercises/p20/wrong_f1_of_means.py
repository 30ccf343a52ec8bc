# Macro F1 computed as the F1 of the macro precision and macro recall, instead of the mean of the
# per-class F1 scores: a different number whenever the classes differ.
import numpy as np


def ratio(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.divide(a, b, out=np.zeros_like(a), where=b > 0)


def precision_recall_f1(C, average=None):
    C = np.asarray(C)
    tp = np.diag(C).astype(float)
    fp, fn = C.sum(axis=0) - tp, C.sum(axis=1) - tp
    if average == "micro":
        tp, fp, fn = tp.sum(), fp.sum(), fn.sum()
    p, r = ratio(tp, tp + fp), ratio(tp, tp + fn)
    if average in (None, "micro"):
        return p, r, ratio(2 * p * r, p + r)
    w = np.ones_like(tp) if average == "macro" else C.sum(axis=1) / C.sum()
    mp, mr = float(np.sum(w * p) / np.sum(w)), float(np.sum(w * r) / np.sum(w))
    return mp, mr, float(ratio(2 * mp * mr, mp + mr))
