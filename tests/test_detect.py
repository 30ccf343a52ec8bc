"""The grid detector's IoU, NMS and mAP@0.5 against independent computations, and the page's numbers."""

import contextlib
import io
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from kdlab.core.torch_env import torch
from kdlab.deep import detect
from kdlab.deep.detect import CLASSES, GRID, average_precision, decode, evaluate, generate, iou, nms, targets

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def random_boxes(rng, n, step=0.25, span=20):
    """Boxes whose corners lie on a lattice of `step`, so a lattice count is exact."""
    xy = rng.integers(0, span / step, size=(n, 2)) * step
    wh = rng.integers(1, 8 / step, size=(n, 2)) * step
    return np.hstack([xy, xy + wh])


def lattice_iou(a, b, step=0.25):
    """Brute force: count the lattice cells inside each box."""
    top = max(a[2], a[3], b[2], b[3]) + step
    centres = np.arange(step / 2, top, step)
    x, y = np.meshgrid(centres, centres)

    def inside(box):
        return (x > box[0]) & (x < box[2]) & (y > box[1]) & (y < box[3])

    ia, ib = inside(a), inside(b)
    return (ia & ib).sum() / (ia | ib).sum()


def test_iou_equals_counting_lattice_cells():
    rng = np.random.default_rng(0)
    a, b = random_boxes(rng, 40), random_boxes(rng, 30)
    ours = iou(a, b)
    assert ours.shape == (40, 30) and (ours > 0).sum() > 20  # plenty of overlapping pairs
    for i in range(40):
        for j in range(30):
            assert ours[i, j] == pytest.approx(lattice_iou(a[i], b[j]), abs=1e-12)
    assert iou([0, 0, 2, 2], [2, 0, 4, 2])[0, 0] == 0  # touching edges do not overlap
    assert iou([0, 0, 4, 4], [1, 1, 2, 2])[0, 0] == pytest.approx(1 / 16)  # contained
    assert iou([0, 0, 2, 2], [1, 1, 3, 3])[0, 0] == pytest.approx(1 / 7)  # the question's quiz
    assert iou([0, 0, 0.5, 0.5], [0, 0, 0.5, 0.5])[0, 0] == pytest.approx(1.0)  # small boxes: union 0.25
    assert iou([1, 1, 1, 1], [1, 1, 1, 1])[0, 0] == 0  # boxes of no area: no overlap, not 0/0


def nms_loop(boxes, scores, threshold):
    """A second formulation: pop the best, drop whatever overlaps it too much, repeat."""

    def overlap(a, b):
        w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
        h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
        union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
        return w * h / union

    remaining = sorted(range(len(boxes)), key=lambda i: -scores[i])
    keep = []
    while remaining:
        best = remaining.pop(0)
        keep.append(best)
        remaining = [j for j in remaining if overlap(boxes[best], boxes[j]) <= threshold]
    return keep


@pytest.mark.parametrize("threshold", [0.1, 0.3, 0.5, 0.7, 0.9])
def test_nms_equals_the_loop_formulation(threshold):
    rng = np.random.default_rng(int(threshold * 10))
    for _ in range(20):
        boxes = random_boxes(rng, 30, span=8)
        scores = rng.random(30)
        assert nms(boxes, scores, threshold).tolist() == nms_loop(boxes, scores, threshold)


def cocoeval_map50(detections, truths, n_images):
    """mAP@0.5 from pycocotools (stats[1]: IoU 0.5, all areas, 100 detections per image)."""
    COCO = pytest.importorskip("pycocotools.coco").COCO
    COCOeval = pytest.importorskip("pycocotools.cocoeval").COCOeval

    def xywh(b):
        return [float(b[0]), float(b[1]), float(b[2] - b[0]), float(b[3] - b[1])]

    gt = COCO()
    gt.dataset = {
        "images": [{"id": i} for i in range(n_images)],
        "categories": [{"id": c} for c in range(len(CLASSES))],
        "annotations": [
            {"id": k + 1, "image_id": i, "category_id": c, "bbox": xywh(b), "area": float((b[2] - b[0]) * (b[3] - b[1])), "iscrowd": 0}
            for k, (i, c, b) in enumerate(truths)
        ],
    }  # fmt: skip
    with contextlib.redirect_stdout(io.StringIO()):
        gt.createIndex()
        dt = gt.loadRes([{"image_id": i, "category_id": c, "bbox": xywh(b), "score": s} for i, c, s, b in detections])
        ev = COCOeval(gt, dt, "bbox")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return ev.stats[1]


def test_ap_of_a_class_found_never_and_a_class_found_exactly():
    # class 0 has one object and no detection (AP 0); class 1 one object found exactly (AP 1); class 2
    # has no object at all (NaN, left out of the mean)
    box = np.array([1.0, 1.0, 5.0, 5.0])
    ap = average_precision([(0, 1, 0.9, box)], [(0, 0, box), (0, 1, box)], 3)
    assert ap[:2].tolist() == [0.0, 1.0] and np.isnan(ap[2])


def test_map_equals_pycocotools_on_random_detections():
    rng = np.random.default_rng(3)
    truths, detections = [], []
    for img in range(15):
        for box in random_boxes(rng, int(rng.integers(1, 5)), span=20):
            c = int(rng.integers(3))
            truths.append((img, c, box))
            for _ in range(int(rng.integers(0, 4))):  # near-misses and duplicates, some of the wrong class
                jitter = box + rng.normal(0, 0.4, 4)
                jitter[2:] = np.maximum(jitter[2:], jitter[:2] + 0.5)
                detections.append((img, c if rng.random() < 0.8 else int(rng.integers(3)), float(rng.random()), jitter))
        for box in random_boxes(rng, 2, span=20):  # false positives
            detections.append((img, int(rng.integers(3)), float(rng.random()), box))
    ours = np.nanmean(average_precision(detections, truths, 3))
    assert 0.05 < ours < 0.95  # neither trivial case
    assert ours == pytest.approx(cocoeval_map50(detections, truths, 15), abs=1e-9)
    # a class with objects but no detection scores 0; one with no objects is left out of the mean
    missing = [d for d in detections if d[1] != 0]
    assert average_precision(missing, truths, 3)[0] == 0
    assert np.nanmean(average_precision(missing, truths, 3)) == pytest.approx(cocoeval_map50(missing, truths, 15), abs=1e-9)
    assert np.isnan(average_precision(detections, [t for t in truths if t[1] != 2], 3)[2])


def test_the_targets_decode_back_to_the_true_boxes():
    """Perfect cell outputs (from the training targets) decode, after NMS, to exactly the true boxes: mAP 1."""
    scenes = generate(30, 1)
    positive, box, cls, _ = targets(scenes)
    for i, boxes in enumerate(scenes.boxes):  # every object has a positive cell: the one holding its centre
        for b in boxes:
            gx, gy = int((b[0] + b[2]) / 2 // detect.STRIDE), int((b[1] + b[3]) / 2 // detect.STRIDE)
            assert positive[i, gy, gx]
    out = torch.full((30, GRID, GRID, 5 + len(CLASSES)), -20.0)
    out[..., 0] = torch.where(positive, 20.0, -20.0)
    out[..., 1:5] = box
    out[..., 5:] = torch.where(torch.nn.functional.one_hot(cls, len(CLASSES)).bool(), 20.0, -20.0)
    boxes, scores, classes = decode(out.numpy())
    ev, per_image = evaluate(scenes, boxes, scores, classes, 0.5, 0.5)
    assert ev.map50 == pytest.approx(1.0) and ev.n_after == ev.n_truth < ev.n_before
    for i, (_, after) in enumerate(per_image):
        found = np.array(sorted(b.tolist() for _, _, b in after))
        assert np.allclose(found, np.array(sorted(scenes.boxes[i].tolist())), atol=1e-6)


def test_the_generator_is_deterministic_and_shapes_are_where_the_boxes_say():
    a, b = generate(20, 4), generate(20, 4)
    assert np.array_equal(a.images, b.images) and all(np.array_equal(x, y) for x, y in zip(a.boxes, b.boxes, strict=True))
    for boxes in a.boxes:
        assert 1 <= len(boxes) <= 3 and (boxes >= 0).all() and (boxes <= detect.SIZE).all()


@pytest.fixture(scope="module")
def small_run():
    return detect.run(n_train=300, epochs=6, channels=8)


def test_a_small_run_learns_and_its_map_equals_pycocotools(small_run):
    r = small_run
    assert r.losses[-1] < r.losses[0]
    ev, per_image = evaluate(r.test, r.boxes, r.scores, r.classes, 0.3, 0.5)
    assert ev.map50 > 0.1 and ev.n_before > ev.n_after  # a small run: the point is the comparison below
    detections = [(i, c, s, b) for i, (_, after) in enumerate(per_image) for c, s, b in after]
    truths = [(i, int(c), b) for i in range(len(r.test.boxes)) for b, c in zip(r.test.boxes[i], r.test.labels[i], strict=True)]
    assert max(len(after) for _, after in per_image) <= 100  # pycocotools keeps 100 per image
    assert ev.map50 == pytest.approx(cocoeval_map50(detections, truths, len(r.test.boxes)), abs=1e-9)


def open_page(lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["lang"] = lang
    at.run()
    at._page_hash = calc_hash("demo-detect")
    return at.run()


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.shared_results  # the default run the question pages and tests/test_registry.py also open
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_moving_the_nms_threshold_recounts_the_pages_own_run(lang, page_results, monkeypatch):
    # At the defaults every number shown is checked against pycocotools and the loop NMS from the page's
    # own outputs by tests/test_registry.py (tests/page_oracles.py); here the slider moves them.
    at = open_page(lang)
    assert not at.exception, at.exception
    r = page_results["detect"][0]
    labels = {"en": ("mAP@0.5", "Boxes before NMS", "Boxes after NMS"), "zh": ("mAP@0.5", "NMS 前的框", "NMS 后的框")}[lang]

    def no_training(**_):
        raise AssertionError("the page retrained to move a threshold")

    monkeypatch.setattr(detect, "run", no_training)
    at.slider(key="detect_nms_iou").set_value(0.9).run()  # re-decodes the stored outputs
    assert not at.exception, at.exception
    kept = 0
    for i in range(len(r.boxes)):  # the score threshold, then the loop NMS per class at 0.9
        above = np.flatnonzero(r.scores[i] >= 0.3)
        for c in np.unique(r.classes[i][above]):
            idx = above[r.classes[i][above] == c]
            kept += len(nms_loop(r.boxes[i][idx], r.scores[i][idx], 0.9))
    assert metric(at, labels[1]) == f"{int(np.sum(r.scores >= 0.3)):,}"
    assert metric(at, labels[2]) == f"{kept:,}"
