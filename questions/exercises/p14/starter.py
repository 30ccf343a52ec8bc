import numpy as np


def iou(box, boxes):
    """IoU of one box (4,) with each of boxes (m, 4): (x1, y1, x2, y2)."""
    # TODO: intersection width and height (clipped at 0), the areas,
    #       the union; 0 where the union is 0
    raise NotImplementedError


def nms(boxes, scores, iou_threshold):
    """Indices kept by greedy NMS, best score first.

    Equal scores: the lower index first.
    """
    order = np.argsort(-scores, kind="stable")
    keep = []
    for i in order:
        # TODO: keep i unless a kept box overlaps it
        #       with IoU > iou_threshold
        raise NotImplementedError
    return np.array(keep, dtype=int)
