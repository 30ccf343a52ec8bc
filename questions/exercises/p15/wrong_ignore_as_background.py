# Treats ignored pixels as background (class 0) instead of leaving them out.
import numpy as np


def iou_dice(truth, pred, n_classes, ignore_index=255):
    t = np.where(truth == ignore_index, 0, truth).ravel().astype(int)
    p = pred.ravel().astype(int)
    m = np.bincount(n_classes * t + p, minlength=n_classes**2).reshape(n_classes, n_classes)
    tp = np.diag(m).astype(float)
    in_truth, in_pred = m.sum(axis=1), m.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return tp / (in_truth + in_pred - tp), 2 * tp / (in_truth + in_pred)
