# Every box suppresses the lower-scored boxes it overlaps, even a box that was itself suppressed:
# in a chain A > B > C, B (suppressed by A) wrongly removes C.
import numpy as np


def iou(box, boxes):
    w = np.clip(np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0]), 0, None)
    h = np.clip(np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1]), 0, None)
    inter = w * h
    union = (box[2] - box[0]) * (box[3] - box[1]) + (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]) - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def nms(boxes, scores, iou_threshold):
    order = np.argsort(-scores, kind="stable")
    suppressed = np.zeros(len(scores), bool)
    for rank, i in enumerate(order):
        later = order[rank + 1 :]
        suppressed[later[iou(boxes[i], boxes[later]) > iou_threshold]] = True
    return np.array([i for i in order if not suppressed[i]], dtype=int)
