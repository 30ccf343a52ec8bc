"""Product images: the core demo's CNN teacher and MLP student on catalogue-like pictures.

Fashion-MNIST when its IDX files are on disk, otherwise the digits bundled with scikit-learn.
"""

from __future__ import annotations

import time
from functools import lru_cache

import numpy as np

from kdlab.core import progress
from kdlab.core.torch_env import seeded, torch
from kdlab.data.images import available_datasets, data_root, load_idx_split
from kdlab.deep.cnn import CNN, count_parameters, predict_logits, train_epochs
from kdlab.distill.experiment import compare
from kdlab.distill.loss import distillation_loss
from kdlab.distill.students import StudentMLP, fit_student
from kdlab.distill.teacher import BATCH_SIZE, choose_labelled, default_teacher, shared_split
from kdlab.shop.scenario import ModelRow, ScenarioResult, finish, ms_per_1000

IMAGE_T, IMAGE_HIDDEN, IMAGE_EPOCHS, IMAGE_LR = 4.0, 32, 30, 0.01  # the core demo's defaults
FASHION_MAX_TRAIN = 3000  # of the official 60,000: a CNN on 2 cores in seconds
FASHION_TEACHER = dict(channels=16, layers=2, epochs=5, lr=0.01, batch_size=64)


def image_dataset(data_dir: str | None = None) -> str:
    """Fashion-MNIST (clothes and shoes: product photos) when its files are on disk, else digits."""
    return "fashion-mnist" if "fashion-mnist" in available_datasets(data_dir) else "digits"


@lru_cache(maxsize=2)
def fashion_teacher(data_dir: str | None = None):
    """(split, CNN teacher) for Fashion-MNIST, trained once per process."""
    split = load_idx_split(
        data_root(data_dir) / "fashion-mnist", "fashion-mnist", max_train=FASHION_MAX_TRAIN
    )
    cfg = dict(FASHION_TEACHER)
    epochs, lr, batch_size = cfg.pop("epochs"), cfg.pop("lr"), cfg.pop("batch_size")
    with seeded(0):
        model = CNN(**cfg, n_classes=len(split.classes), image_size=split.image_size)
    for _ in train_epochs(model, split, epochs=epochs, lr=lr, batch_size=batch_size, seed=0):
        pass
    return split, model.eval()


def distill_images(
    split,
    teacher,
    *,
    seeds: int,
    alpha: float,
    n_labels: int,
    T: float = IMAGE_T,
    hidden: int = IMAGE_HIDDEN,
    epochs: int = IMAGE_EPOCHS,
    lr: float = IMAGE_LR,
) -> dict:
    """kdlab.distill.compare's recipe for any ImageSplit: {kind: [model per seed]}.

    The same loss, labelled subset, initial weights and step count as the core demo; only
    the student's input size follows the images (28x28 for Fashion-MNIST). On the digits
    it trains the very same students as distill.compare (a test checks it).
    """

    F = torch.nn.functional
    t = torch.from_numpy
    x, y, x_val, y_val = t(split.x_train), t(split.y_train), t(split.x_val), t(split.y_val)
    soft = t(predict_logits(teacher, split.x_train))
    steps = max(1, len(x) // BATCH_SIZE)
    transfer = np.arange(len(x))
    students = {"alone": [], "distilled": []}
    for seed in progress.steps(range(seeds), "seed"):
        labelled = choose_labelled(split.y_train, n_labels, seed)
        mask = torch.zeros(len(y), dtype=torch.bool)
        mask[torch.as_tensor(labelled)] = True
        losses = {
            "alone": (labelled, lambda logits, idx: F.cross_entropy(logits, y[idx])),
            "distilled": (
                transfer,
                lambda logits, idx, mask=mask: distillation_loss(
                    logits, soft[idx], y[idx], T, alpha, mask[idx]
                ),
            ),
        }
        for kind in progress.steps(losses, "student"):
            pool, loss_fn = losses[kind]
            with seeded(seed):  # both kinds start from the same weights, as in kdlab.distill
                model = StudentMLP(hidden, n_inputs=split.image_size**2, n_classes=len(split.classes))
            fit_student(model, x, pool, loss_fn, epochs=epochs, steps_per_epoch=steps, batch_size=BATCH_SIZE,
                        lr=lr, seed=seed, x_val=x_val, y_val=y_val)  # fmt: skip
            students[kind].append(model.eval())
    return students


def run_images(
    seeds: int = 3, alpha: float = 0.7, n_labels: int = 100, data_dir: str | None = None
) -> ScenarioResult:
    """The core demo's teacher and students on product-like images, scored on held-out images."""
    start = time.perf_counter()
    dataset = image_dataset(data_dir)
    if dataset == "digits":
        teacher, split = default_teacher(), shared_split()
        n_labels = min(n_labels, len(split.y_train))
        students = compare(T=IMAGE_T, alpha=alpha, student_hidden=IMAGE_HIDDEN, n_labels=n_labels,
                                   epochs=IMAGE_EPOCHS, lr=IMAGE_LR, seeds=seeds, teacher=teacher).students  # fmt: skip
    else:
        split, teacher = fashion_teacher(data_dir)
        n_labels = min(n_labels, len(split.y_train))
        students = distill_images(split, teacher, seeds=seeds, alpha=alpha, n_labels=n_labels)

    x_test, y_test = split.x_test, split.y_test
    logits = {"teacher": [predict_logits(teacher, x_test)] * seeds} | {
        k: [predict_logits(m, x_test) for m in models] for k, models in students.items()
    }
    x_serve = x_test[:1000]
    rows = []
    for k in ("teacher", "alone", "distilled"):
        model = teacher if k == "teacher" else students[k][0]
        ms = ms_per_1000(lambda m=model: predict_logits(m, x_serve), len(x_serve))
        scores = {"accuracy": np.array([_accuracy(z, y_test) for z in logits[k]]),
                  "log_loss": np.array([_log_loss(z, y_test) for z in logits[k]])}  # fmt: skip
        rows.append(ModelRow(k, count_parameters(model), ms, scores))
    settings = {"dataset": dataset, "alpha": alpha, "T": IMAGE_T, "labelled": n_labels,
                "transfer": len(split.y_train), "test": len(y_test), "student_hidden": IMAGE_HIDDEN,
                "epochs": IMAGE_EPOCHS, "image_size": split.image_size}  # fmt: skip
    design = (
        f"{dataset}: teacher CNN on every labelled training image; students: a {IMAGE_HIDDEN}-unit MLP, "
        f"alone on {n_labels} labelled images, distilled on all {len(split.y_train)} training images "
        f"(teacher's soft targets, T = {IMAGE_T:g}) plus those labels; same initial weights and steps"
    )
    extra = {"samples": x_test[:8, 0], "sample_labels": [split.classes[c] for c in y_test[:8]],
             "classes": list(split.classes)}  # fmt: skip
    return finish("images", list(range(seeds)), ["accuracy", "log_loss"], {"accuracy": True, "log_loss": False},
                  rows, design, settings, start, extra)  # fmt: skip


def _accuracy(logits: np.ndarray, y: np.ndarray) -> float:
    return float((logits.argmax(1) == y).mean())


def _log_loss(logits: np.ndarray, y: np.ndarray) -> float:
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(y)), y].mean())


