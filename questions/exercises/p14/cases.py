import numpy as np

from kdlab.practice.exercises import Case


def cases():
    rng = np.random.default_rng(14)
    boxes = np.array([[0.0, 0.0, 10.0, 10.0], [1.0, 1.0, 11.0, 11.0], [20.0, 20.0, 30.0, 30.0]])
    yield Case({"en": "two overlapping, one apart", "zh": "两个框重叠，一个离得远"}, args=(boxes, np.array([0.9, 0.8, 0.7]), 0.5))
    yield Case({"en": "the lower score comes first in the input", "zh": "输入里得分低的框排在前面"}, args=(boxes, np.array([0.6, 0.95, 0.7]), 0.5))

    chain = np.array([[0.0, 0.0, 10.0, 10.0], [4.0, 0.0, 14.0, 10.0], [8.0, 0.0, 18.0, 10.0]])
    yield Case({"en": "a chain: A hides B, B would hide C", "zh": "一条链：A 抑制 B，B 本会抑制 C"}, args=(chain, np.array([0.9, 0.8, 0.7]), 0.3), hidden=True)
    yield Case({"en": "IoU exactly at the threshold is kept", "zh": "IoU 恰好等于阈值时保留"}, args=(np.array([[0.0, 0.0, 3.0, 1.0], [1.0, 0.0, 4.0, 1.0]]), np.array([0.9, 0.8]), 0.5), hidden=True)
    yield Case({"en": "tied scores", "zh": "得分并列"}, args=(np.array([[0.0, 0.0, 2.0, 2.0], [0.0, 0.0, 2.0, 2.0], [5.0, 5.0, 6.0, 6.0]]), np.array([0.5, 0.5, 0.5]), 0.5), hidden=True)
    yield Case({"en": "no boxes", "zh": "没有框"}, args=(np.zeros((0, 4)), np.zeros(0), 0.5), hidden=True)
    touching = np.array([[0.0, 0.0, 1.0, 1.0], [1.0, 0.0, 2.0, 1.0], [0.5, 0.5, 1.5, 1.5]])
    yield Case({"en": "threshold 0: any overlap suppresses, touching does not", "zh": "阈值为 0：有重叠就抑制，只是边挨着不算"}, args=(touching, np.array([0.9, 0.8, 0.7]), 0.0), hidden=True)
    centres = rng.uniform(0, 50, (40, 2))
    sizes = rng.uniform(5, 15, (40, 2))
    random_boxes = np.hstack([centres - sizes / 2, centres + sizes / 2])
    yield Case({"en": "40 random boxes", "zh": "40 个随机框"}, args=(random_boxes, rng.random(40), 0.3), hidden=True)
