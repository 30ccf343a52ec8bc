"""Object detection: a one-stage grid detector on generated shapes, with IoU, NMS and mAP@0.5 written out.

Each image is a 32x32 canvas with 1 to 3 shapes (square, circle, triangle). The network is a few
conv layers that turn the image into an 8x8 grid of cells (one cell per 4x4 pixels); every cell
predicts, in one pass (YOLO-style, one stage, no proposals):

    objectness  o      is there an object centred near this cell?
    box         (dx, dy, log w, log h)   centre offset from the cell centre (in cells) and size
    class       3 logits

A cell is trained as a positive for every object whose central region (the box shrunk to half
its width and height) contains the cell's centre, so several neighbouring cells predict the
same object: that is why detectors need non-maximum suppression. Decoding:

    score = σ(o) · max softmax(class)       keep cells with score ≥ the score threshold
    NMS, per class: take the best box, drop the others of its class with IoU > the NMS threshold, repeat
    IoU(A, B) = |A ∩ B| / |A ∪ B|          boxes as (x1, y1, x2, y2) in pixels

mAP@0.5 is COCO's AP at IoU 0.5: per class, detections sorted by score over the whole test set,
each matched to the unmatched ground-truth box it overlaps most if that IoU is ≥ 0.5 (else a false
positive); precision made non-increasing from the right and read at 101 recall points; the mean
over classes. The tests check it against pycocotools, IoU against counting lattice cells, and NMS
against a second, loop-by-loop formulation.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from kdlab.core import budget
from kdlab.core.params import Param, validate
from kdlab.core.torch_env import seeded, torch

nn = torch.nn
F = torch.nn.functional

CLASSES = ("square", "circle", "triangle")
SIZE = 32  # canvas side, pixels
STRIDE = 4  # pixels per grid cell
GRID = SIZE // STRIDE
N_TEST = 200
BATCH = 32

PARAMS = (
    Param("n_train", 800, 100, 2000, help="training images"),
    Param("epochs", 12, 1, 30, help="passes over the training images"),
    Param("channels", 12, 4, 32, help="feature maps of the first conv layer (doubled after each pooling)"),
    Param("lr", 0.005, 1e-4, 0.05, help="Adam learning rate"),
    Param("score_threshold", 0.3, 0.05, 0.95, help="keep boxes whose score (objectness x class probability) is at least this"),
    Param("nms_iou", 0.5, 0.1, 0.9, help="NMS drops a box that overlaps a better box of its class by more than this IoU"),
    Param("seed", 0, 0, 10000, help="generated images, initial weights and batch order"),
)

# A small run of the same code path, for the common test of every experiment (tests/test_registry.py).
QUICK = {"n_train": 100, "epochs": 1, "channels": 4}


# ---------------------------------------------------------------------------------------------
# The three measures, written out.


def iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise IoU of boxes a (n, 4) and b (m, 4), as an (n, m) matrix; boxes are (x1, y1, x2, y2)."""
    a, b = np.asarray(a, float).reshape(-1, 4), np.asarray(b, float).reshape(-1, 4)
    w = np.clip(np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0]), 0, None)
    h = np.clip(np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1]), 0, None)
    inter = w * h
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def nms(boxes: np.ndarray, scores: np.ndarray, threshold: float) -> np.ndarray:
    """Greedy non-maximum suppression: indices of the kept boxes, best score first."""
    order = np.argsort(-np.asarray(scores), kind="stable")
    overlaps = iou(boxes, boxes)
    keep, suppressed = [], np.zeros(len(order), bool)
    for i in order:
        if suppressed[i]:
            continue
        keep.append(i)
        suppressed |= overlaps[i] > threshold  # every box this one covers too much is dropped
    return np.array(keep, dtype=int)


def average_precision(
    detections: list[tuple[int, int, float, np.ndarray]], truths: list[tuple[int, int, np.ndarray]], n_classes: int,
    iou_threshold: float = 0.5,
) -> np.ndarray:  # fmt: skip
    """COCO-style AP per class at one IoU threshold (NaN for a class with no ground truth).

    detections: (image, class, score, box); truths: (image, class, box)."""
    recall_points = np.linspace(0, 1, 101)
    ap = np.full(n_classes, np.nan)
    for c in range(n_classes):
        gts = [(img, box) for img, cls, box in truths if cls == c]
        if not gts:
            continue
        dets = sorted((d for d in detections if d[1] == c), key=lambda d: -d[2])
        if not dets:  # objects of this class, none found
            ap[c] = 0.0
            continue
        matched = np.zeros(len(gts), bool)
        tp = np.zeros(len(dets))
        for k, (img, _, _, box) in enumerate(dets):
            best, best_iou = -1, iou_threshold
            for g, (g_img, g_box) in enumerate(gts):
                if g_img != img or matched[g]:
                    continue
                overlap = iou(box, g_box)[0, 0]
                if overlap >= best_iou:
                    best, best_iou = g, overlap
            if best >= 0:
                matched[best], tp[k] = True, 1
        hits = np.cumsum(tp)
        recall = hits / len(gts)
        precision = hits / np.arange(1, len(dets) + 1)
        precision = np.maximum.accumulate(precision[::-1])[::-1]  # the best precision at this recall or more
        at = np.searchsorted(recall, recall_points, side="left")
        ap[c] = np.where(at < len(precision), precision[np.minimum(at, len(precision) - 1)], 0).mean()
    return ap


# ---------------------------------------------------------------------------------------------
# The data.


@dataclass
class Scenes:
    images: np.ndarray  # (N, 1, SIZE, SIZE) in [0, 1]
    boxes: list[np.ndarray]  # per image, (k, 4) as (x1, y1, x2, y2)
    labels: list[np.ndarray]  # per image, (k,) class ids


def draw(kind: int, cx: float, cy: float, r: float) -> np.ndarray:
    """A filled shape's pixel mask (SIZE, SIZE): a pixel is in if its centre is. Box = (cx ± r, cy ± r)."""
    y, x = np.mgrid[0:SIZE, 0:SIZE] + 0.5
    if kind == 0:  # square
        return (abs(x - cx) <= r) & (abs(y - cy) <= r)
    if kind == 1:  # circle
        return (x - cx) ** 2 + (y - cy) ** 2 <= r * r
    # triangle, apex at the top centre, base at the bottom
    return (y <= cy + r) & (abs(x - cx) <= (y - (cy - r)) / 2)


def generate(n: int, seed: int) -> Scenes:
    """n noisy canvases of 1-3 shapes whose centres lie in different grid cells and whose boxes overlap < 0.3 IoU."""
    rng = np.random.default_rng(seed)
    images = np.zeros((n, 1, SIZE, SIZE), np.float32)
    all_boxes, all_labels = [], []
    for i in range(n):
        boxes, labels, canvas = [], [], np.zeros((SIZE, SIZE))
        for _ in range(int(rng.integers(1, 4))):
            for _attempt in range(20):
                r = rng.uniform(3.5, 7.0)
                cx, cy = rng.uniform(r, SIZE - r, size=2)
                box = np.array([cx - r, cy - r, cx + r, cy + r])
                cell = (int(cx // STRIDE), int(cy // STRIDE))
                cells = {(int((b[0] + b[2]) / 2 // STRIDE), int((b[1] + b[3]) / 2 // STRIDE)) for b in boxes}
                if cell not in cells and (not boxes or iou(box, np.array(boxes)).max() < 0.3):
                    break
            else:
                continue
            kind = int(rng.integers(len(CLASSES)))
            canvas[draw(kind, cx, cy, r)] = rng.uniform(0.6, 1.0)
            boxes.append(box)
            labels.append(kind)
        images[i, 0] = np.clip(canvas + rng.normal(0, 0.08, canvas.shape), 0, 1)
        all_boxes.append(np.array(boxes).reshape(-1, 4))
        all_labels.append(np.array(labels, dtype=int))
    return Scenes(images, all_boxes, all_labels)


def targets(scenes: Scenes) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per cell: positive?, box target (dx, dy, log w, log h), class; a cell inside two central regions takes the smaller box."""
    n = len(scenes.boxes)
    positive = torch.zeros(n, GRID, GRID, dtype=torch.bool)
    box = torch.zeros(n, GRID, GRID, 4)
    cls = torch.zeros(n, GRID, GRID, dtype=torch.long)
    centres = (np.arange(GRID) + 0.5) * STRIDE
    for i, (boxes, labels) in enumerate(zip(scenes.boxes, scenes.labels, strict=True)):
        for b, c in sorted(zip(boxes, labels, strict=True), key=lambda bc: -(bc[0][2] - bc[0][0])):
            cx, cy, w, h = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2, b[2] - b[0], b[3] - b[1]
            cols = np.flatnonzero(abs(centres - cx) <= w / 4 + STRIDE / 2 - 1e-9)  # the centre cell at least
            rows = np.flatnonzero(abs(centres - cy) <= h / 4 + STRIDE / 2 - 1e-9)
            for gy in rows:
                for gx in cols:
                    positive[i, gy, gx] = True
                    cls[i, gy, gx] = int(c)
                    box[i, gy, gx] = torch.tensor(
                        [(cx - centres[gx]) / STRIDE, (cy - centres[gy]) / STRIDE, np.log(w / STRIDE), np.log(h / STRIDE)]
                    )
    return positive, box, cls, torch.as_tensor(scenes.images)


# ---------------------------------------------------------------------------------------------
# The detector.


class GridDetector(nn.Module):
    """conv-ReLU-pool twice (32 -> 8 pixels), one more conv (each cell then sees 18x18 pixels), and a 1x1 conv to 1 + 4 + classes per cell."""

    def __init__(self, channels: int = 16, n_classes: int = len(CLASSES)):
        super().__init__()
        c = channels
        self.body = nn.Sequential(
            nn.Conv2d(1, c, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(c, 2 * c, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(2 * c, 2 * c, 3, padding=1), nn.ReLU(),
        )  # fmt: skip
        self.head = nn.Conv2d(2 * c, 1 + 4 + n_classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 1, 32, 32) -> (N, 8, 8, 1 + 4 + classes): objectness logit, box, class logits per cell."""
        return self.head(self.body(x)).permute(0, 2, 3, 1)


def detection_loss(out: torch.Tensor, positive: torch.Tensor, box: torch.Tensor, cls: torch.Tensor) -> torch.Tensor:
    """Objectness BCE on every cell + smooth-L1 box and class cross-entropy on positive cells."""
    objectness = F.binary_cross_entropy_with_logits(out[..., 0], positive.float())
    if not positive.any():
        return objectness
    p = out[positive]
    return objectness + F.smooth_l1_loss(p[:, 1:5], box[positive]) + F.cross_entropy(p[:, 5:], cls[positive])


def decode(out: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raw cell outputs (N, G, G, 5 + C) -> every cell's box (N, G*G, 4), score (N, G*G) and class (N, G*G)."""
    out = np.asarray(out, float)
    n = len(out)
    centres = (np.arange(GRID) + 0.5) * STRIDE
    cx = centres[None, None, :] + out[..., 1] * STRIDE
    cy = centres[None, :, None] + out[..., 2] * STRIDE
    w, h = STRIDE * np.exp(np.clip(out[..., 3], -5, 5)), STRIDE * np.exp(np.clip(out[..., 4], -5, 5))
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=-1).reshape(n, -1, 4)
    logits = out[..., 5:].reshape(n, GRID * GRID, -1)
    probs = np.exp(logits - logits.max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    objectness = 1 / (1 + np.exp(-out[..., 0].reshape(n, -1)))
    return boxes, objectness * probs.max(-1), probs.argmax(-1)


def postprocess(boxes, scores, classes, score_threshold: float, nms_iou: float) -> tuple[list, list]:
    """For one image: (before, after) NMS, each a list of (class, score, box) above the score threshold."""
    chosen = np.flatnonzero(scores >= score_threshold)
    before = [(int(classes[i]), float(scores[i]), boxes[i]) for i in chosen]
    after = []
    for c in np.unique(classes[chosen]):
        of_class = chosen[classes[chosen] == c]
        after += [(int(c), float(scores[i]), boxes[i]) for i in of_class[nms(boxes[of_class], scores[of_class], nms_iou)]]
    return before, sorted(after, key=lambda d: -d[1])


# ---------------------------------------------------------------------------------------------
# Training and bookkeeping for the page.


def train(
    model: nn.Module, scenes: Scenes, *, epochs: int, lr: float, seed: int,
    on_epoch: Callable[[int, float], None] | None = None,
) -> list[float]:  # fmt: skip
    """Adam on the detection loss over shuffled mini-batches; the mean loss of each epoch."""
    positive, box, cls, x = targets(scenes)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    order = torch.Generator().manual_seed(seed)
    losses = []
    for epoch in range(1, epochs + 1):
        budget.check()
        model.train()
        total = 0.0
        for idx in torch.randperm(len(x), generator=order).split(BATCH):
            loss = detection_loss(model(x[idx]), positive[idx], box[idx], cls[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        losses.append(total / len(x))
        if on_epoch is not None:
            on_epoch(epoch, losses[-1])
    return losses


@dataclass
class Evaluation:
    """What the thresholds give on the test images."""

    score_threshold: float
    nms_iou: float
    ap: list[float]  # per class, AP at IoU 0.5
    map50: float
    n_before: int  # boxes above the score threshold, before NMS, over all test images
    n_after: int
    n_truth: int


def evaluate(test: Scenes, boxes, scores, classes, score_threshold: float, nms_iou: float) -> tuple[Evaluation, list]:
    """mAP@0.5 and box counts at these thresholds; also each image's (before, after) detections."""
    per_image = [postprocess(boxes[i], scores[i], classes[i], score_threshold, nms_iou) for i in range(len(boxes))]
    detections = [(i, c, s, b) for i, (_, after) in enumerate(per_image) for c, s, b in after]
    truths = [(i, int(c), b) for i in range(len(test.boxes)) for b, c in zip(test.boxes[i], test.labels[i], strict=True)]
    ap = average_precision(detections, truths, len(CLASSES))
    ev = Evaluation(
        score_threshold=score_threshold,
        nms_iou=nms_iou,
        ap=[float(a) for a in ap],
        map50=float(np.nanmean(ap)),
        n_before=sum(len(b) for b, _ in per_image),
        n_after=len(detections),
        n_truth=len(truths),
    )
    return ev, per_image


@dataclass
class DetectResult:
    params: dict
    losses: list[float]
    evaluation: Evaluation  # at the run's thresholds
    n_params: int
    train_seconds: float
    n_train: int
    n_test: int
    boxes: np.ndarray = field(repr=False, metadata={"json": False})  # (N_test, G*G, 4) every cell's box
    scores: np.ndarray = field(repr=False, metadata={"json": False})
    classes: np.ndarray = field(repr=False, metadata={"json": False})
    test: Scenes | None = field(default=None, repr=False, metadata={"json": False})
    model: GridDetector | None = field(default=None, repr=False, metadata={"json": False})


def run(on_epoch: Callable[[int, float], None] | None = None, **params) -> DetectResult:
    """Generate scenes, train the grid detector, decode the test images and score them at the thresholds."""
    p = validate(PARAMS, params)
    train_scenes = generate(p["n_train"], p["seed"])
    test = generate(N_TEST, p["seed"] + 10_000)
    with seeded(p["seed"]):
        model = GridDetector(p["channels"])
    start = time.perf_counter()
    losses = train(model, train_scenes, epochs=p["epochs"], lr=p["lr"], seed=p["seed"], on_epoch=on_epoch)
    seconds = time.perf_counter() - start
    model.eval()
    with torch.no_grad():
        out = model(torch.as_tensor(test.images)).numpy()
    boxes, scores, classes = decode(out)
    ev, _ = evaluate(test, boxes, scores, classes, p["score_threshold"], p["nms_iou"])
    return DetectResult(
        params=p,
        losses=losses,
        evaluation=ev,
        n_params=sum(q.numel() for q in model.parameters()),
        train_seconds=seconds,
        n_train=p["n_train"],
        n_test=N_TEST,
        boxes=boxes,
        scores=scores,
        classes=classes,
        test=test,
        model=model,
    )


def summarize(r: DetectResult) -> str:
    e = r.evaluation
    aps = ", ".join(f"{c} {a:.3f}" for c, a in zip(CLASSES, e.ap, strict=True))
    return "\n".join([
        f"grid detector: {r.n_params:,} parameters, {len(r.losses)} epochs on {r.n_train} images in {r.train_seconds:.1f} s "
        f"(final loss {r.losses[-1]:.3f})",
        f"{r.n_test} test images, {e.n_truth} objects; score ≥ {e.score_threshold:g}: {e.n_before} boxes before NMS, "
        f"{e.n_after} after NMS at IoU {e.nms_iou:g}",
        f"mAP@0.5 {e.map50:.3f}   (AP per class: {aps})",
    ])  # fmt: skip
