import numpy as np


def iou_dice(truth, pred, n_classes, ignore_index=255):
    """Per-class IoU and Dice, ignored pixels left out.

    truth, pred: integer masks of the same shape.
    Returns (iou, dice), each of shape (n_classes,);
    NaN for a class absent from both masks.
    """
    keep = truth != ignore_index
    t, p = truth[keep], pred[keep]
    # TODO: the confusion matrix M[i, j] = pixels of true class i
    #       predicted as j (np.bincount helps); TP on its diagonal,
    #       FP and FN from its column and row sums
    raise NotImplementedError
