# Walks the boxes in the order given instead of by score.
import numpy as np


def iou(box, boxes):
    w = np.clip(np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0]), 0, None)
    h = np.clip(np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1]), 0, None)
    inter = w * h
    union = (box[2] - box[0]) * (box[3] - box[1]) + (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]) - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def nms(boxes, scores, iou_threshold):
    order = range(len(scores))
    keep = []
    for i in order:
        if not keep or not np.any(iou(boxes[i], boxes[keep]) > iou_threshold):
            keep.append(int(i))
    return np.array(keep, dtype=int)
