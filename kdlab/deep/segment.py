"""Semantic segmentation: a tiny U-Net with and without skip connections, IoU and Dice per class.

Each image is a 32x32 canvas with 1 to 3 shapes (square, circle, triangle; a later shape covers an
earlier one) and a label for every pixel: 0 background, 1 square, 2 circle, 3 triangle. The
network is fully convolutional, so it outputs one score per class per pixel:

    encoder   conv 32x32 -> pool -> conv 16x16 -> pool -> conv 8x8       (what: context, coarse)
    decoder   up-conv to 16x16 [+ the encoder's 16x16 maps] -> conv
              up-conv to 32x32 [+ the encoder's 32x32 maps] -> conv -> 1x1 conv to 4 classes

The bracketed concatenations are the skip connections of U-Net (Ronneberger et al. 2015): the
decoder gets back the fine, full-resolution maps that pooling threw away, so edges land on the
right pixel. Without them everything must pass through the 8x8 bottleneck. Both variants are
trained on the same images with the same settings.

Scores over all test pixels, per class c, from the confusion matrix M (rows: truth, columns:
prediction):

    IoU_c  = M_cc / (Σ_j M_cj + Σ_i M_ic − M_cc)        = |T ∩ P| / |T ∪ P|
    Dice_c = 2 M_cc / (Σ_j M_cj + Σ_i M_ic)              = 2 |T ∩ P| / (|T| + |P|)

(Dice = 2 IoU / (1 + IoU): it ranks models the same way, but forgives more.) The tests check both
against scikit-learn's jaccard_score and f1_score on the flattened pixels.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from kdlab.core import budget
from kdlab.core.params import Param, validate
from kdlab.core.torch_env import seeded, torch
from kdlab.deep.detect import SIZE, draw

nn = torch.nn
F = torch.nn.functional

CLASSES = ("background", "square", "circle", "triangle")
VARIANTS = ("plain", "unet")  # without and with skip connections
N_TEST = 100
BRIGHTNESS = (0.35, 0.65, 0.95)  # square, circle, triangle: a hint a pixel's neighbourhood can read through the noise
BATCH = 16

PARAMS = (
    Param("n_train", 300, 50, 1500, help="training images"),
    Param("epochs", 6, 1, 30, help="passes over the training images"),
    Param("channels", 8, 4, 24, help="feature maps at full resolution (doubled at each pooling)"),
    Param("lr", 0.01, 1e-4, 0.05, help="Adam learning rate"),
    Param("seed", 0, 0, 10000, help="generated images, initial weights and batch order"),
)

# A small run of the same code path, for the common test of every experiment (tests/test_registry.py).
QUICK = {"n_train": 50, "epochs": 1, "channels": 4}


# ---------------------------------------------------------------------------------------------
# The scores, written out.


def confusion(truth: np.ndarray, pred: np.ndarray, n_classes: int = len(CLASSES)) -> np.ndarray:
    """M[i, j] = pixels of true class i predicted as class j."""
    return np.bincount(n_classes * truth.ravel() + pred.ravel(), minlength=n_classes**2).reshape(n_classes, n_classes)


def iou_dice(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """IoU and Dice per class from a confusion matrix (NaN for a class absent from truth and prediction)."""
    hit = np.diag(m).astype(float)
    truth, pred = m.sum(1), m.sum(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return hit / (truth + pred - hit), 2 * hit / (truth + pred)


# ---------------------------------------------------------------------------------------------
# The data.


@dataclass
class Masks:
    images: np.ndarray  # (N, 1, SIZE, SIZE) in [0, 1]
    labels: np.ndarray  # (N, SIZE, SIZE) class per pixel


def generate(n: int, seed: int) -> Masks:
    """n noisy canvases of 1-3 shapes of radius 3.5-8 pixels and their per-pixel labels."""
    rng = np.random.default_rng(seed)
    images = np.zeros((n, 1, SIZE, SIZE), np.float32)
    labels = np.zeros((n, SIZE, SIZE), np.int64)
    for i in range(n):
        canvas = np.zeros((SIZE, SIZE))
        for _ in range(int(rng.integers(1, 4))):
            r = rng.uniform(3.5, 8.0)
            cx, cy = rng.uniform(r, SIZE - r, size=2)
            kind = int(rng.integers(3))
            inside = draw(kind, cx, cy, r)
            canvas[inside] = BRIGHTNESS[kind] + rng.uniform(-0.05, 0.05)
            labels[i][inside] = kind + 1
        images[i, 0] = np.clip(canvas + rng.normal(0, 0.1, canvas.shape), 0, 1)
    return Masks(images, labels)


# ---------------------------------------------------------------------------------------------
# The network.


def block(c_in: int, c_out: int) -> nn.Module:
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU())


class TinyUNet(nn.Module):
    """Two poolings down, two transposed convolutions up; `skips` concatenates the encoder's maps
    into the decoder at the same resolution. Returns class logits (N, classes, H, W)."""

    def __init__(self, channels: int = 8, skips: bool = True, n_classes: int = len(CLASSES)):
        super().__init__()
        c, self.skips = channels, skips
        self.enc1, self.enc2, self.bottom = block(1, c), block(c, 2 * c), block(2 * c, 4 * c)
        self.up2 = nn.ConvTranspose2d(4 * c, 2 * c, 2, stride=2)
        self.dec2 = block(4 * c if skips else 2 * c, 2 * c)
        self.up1 = nn.ConvTranspose2d(2 * c, c, 2, stride=2)
        self.dec1 = block(2 * c if skips else c, c)
        self.head = nn.Conv2d(c, n_classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        e1 = self.enc1(x)  # 32x32
        e2 = self.enc2(F.max_pool2d(e1, 2))  # 16x16
        d = self.bottom(F.max_pool2d(e2, 2))  # 8x8: all that passes without skips
        d = self.up2(d)
        d = self.dec2(torch.cat([d, e2], 1) if self.skips else d)
        d = self.up1(d)
        d = self.dec1(torch.cat([d, e1], 1) if self.skips else d)
        return self.head(d)


def train(
    model: nn.Module, data: Masks, *, epochs: int, lr: float, seed: int,
    on_epoch: Callable[[int, float], None] | None = None,
) -> list[float]:  # fmt: skip
    """Adam on per-pixel cross-entropy over shuffled mini-batches; the mean loss of each epoch."""
    x, y = torch.as_tensor(data.images), torch.as_tensor(data.labels)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    order = torch.Generator().manual_seed(seed)
    losses = []
    for epoch in range(1, epochs + 1):
        budget.check()
        model.train()
        total = 0.0
        for idx in torch.randperm(len(x), generator=order).split(BATCH):
            loss = F.cross_entropy(model(x[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        losses.append(total / len(x))
        if on_epoch is not None:
            on_epoch(epoch, losses[-1])
    return losses


@torch.no_grad()
def predict(model: nn.Module, images: np.ndarray) -> np.ndarray:
    """The most likely class of every pixel, (N, H, W)."""
    model.eval()
    return model(torch.as_tensor(images)).argmax(1).numpy()


# ---------------------------------------------------------------------------------------------
# Bookkeeping for the page.


@dataclass
class Scores:
    iou: list[float]  # per class, over all test pixels
    dice: list[float]
    mean_iou: float  # over the shape classes (background left out: it is most of every image)
    mean_dice: float
    pixel_accuracy: float
    edge_accuracy: float  # accuracy on pixels next to a class boundary in the truth
    confusion: np.ndarray


def edges(labels: np.ndarray) -> np.ndarray:
    """Pixels whose right or lower neighbour has another true class (and those neighbours)."""
    e = np.zeros(labels.shape, bool)
    dx = labels[..., :, 1:] != labels[..., :, :-1]
    dy = labels[..., 1:, :] != labels[..., :-1, :]
    e[..., :, 1:] |= dx
    e[..., :, :-1] |= dx
    e[..., 1:, :] |= dy
    e[..., :-1, :] |= dy
    return e


def score(truth: np.ndarray, pred: np.ndarray) -> Scores:
    m = confusion(truth, pred)
    iou, dice = iou_dice(m)
    near = edges(truth)
    return Scores(
        iou=[float(v) for v in iou],
        dice=[float(v) for v in dice],
        mean_iou=float(np.nanmean(iou[1:])),
        mean_dice=float(np.nanmean(dice[1:])),
        pixel_accuracy=float((truth == pred).mean()),
        edge_accuracy=float((truth == pred)[near].mean()),
        confusion=m,
    )


@dataclass
class SegmentResult:
    params: dict
    scores: dict[str, Scores]  # "plain", "unet"
    losses: dict[str, list[float]]
    n_params: dict[str, int]
    train_seconds: dict[str, float]
    n_train: int
    n_test: int
    test_images: np.ndarray = field(repr=False, metadata={"json": False})
    test_labels: np.ndarray = field(repr=False, metadata={"json": False})
    predictions: dict = field(default_factory=dict, repr=False, metadata={"json": False})  # variant -> (N, H, W)
    models: dict = field(default_factory=dict, repr=False, metadata={"json": False})


def run(on_epoch: Callable[[str, int, int, float], None] | None = None, **params) -> SegmentResult:
    """Generate images, train the network without and with skips, score both on held-out images.

    `on_epoch(variant, epoch, epochs, loss)` sees each epoch as it ends (a page's progress bar)."""
    p = validate(PARAMS, params)
    data, test = generate(p["n_train"], p["seed"]), generate(N_TEST, p["seed"] + 10_000)
    scores, losses, seconds, preds, models = {}, {}, {}, {}, {}
    for variant in VARIANTS:
        with seeded(p["seed"]):
            model = TinyUNet(p["channels"], skips=variant == "unet")
        report = None if on_epoch is None else (lambda e, loss, v=variant: on_epoch(v, e, p["epochs"], loss))
        start = time.perf_counter()
        losses[variant] = train(model, data, epochs=p["epochs"], lr=p["lr"], seed=p["seed"], on_epoch=report)
        seconds[variant] = time.perf_counter() - start
        preds[variant] = predict(model, test.images)
        scores[variant] = score(test.labels, preds[variant])
        models[variant] = model
    return SegmentResult(
        params=p,
        scores=scores,
        losses=losses,
        n_params={v: sum(q.numel() for q in m.parameters()) for v, m in models.items()},
        train_seconds=seconds,
        n_train=p["n_train"],
        n_test=N_TEST,
        test_images=test.images,
        test_labels=test.labels,
        predictions=preds,
        models=models,
    )


def summarize(r: SegmentResult) -> str:
    lines = [
        f"segmentation · {r.n_train} training images, {r.n_test} held out · {r.params['epochs']} epochs",
        f"{'variant':<22}{'mIoU':>7}{'mDice':>7}  " + "".join(f"{c[:6]:>8}" for c in CLASSES)
        + f"{'pixels':>8}{'edges':>8}{'params':>8}{'s':>6}",
    ]
    names = {"plain": "no skip connections", "unet": "U-Net (skips)"}
    for v in VARIANTS:
        s = r.scores[v]
        ious = "".join(f"{x:>8.3f}" for x in s.iou)
        lines.append(f"{names[v]:<22}{s.mean_iou:>7.3f}{s.mean_dice:>7.3f}  {ious}{s.pixel_accuracy:>8.1%}"
                     f"{s.edge_accuracy:>8.1%}{r.n_params[v]:>8,}{r.train_seconds[v]:>6.1f}")  # fmt: skip
    lines.append("(per-class columns: IoU over all test pixels; mIoU and mDice leave the background out)")
    return "\n".join(lines)
