"""The teacher CNN, the shared data split and one student's training run.

Every student in `kdlab.distill` is scored on the same held-out split (SPLIT_SEED); the
teacher is trained once per process on its training images and never sees a test image.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from kdlab.core.torch_env import seeded, torch
from kdlab.data.images import load_digits_split
from kdlab.deep.cnn import CNN, EpochStats, predict_logits, train_epochs
from kdlab.distill.loss import distillation_loss
from kdlab.distill.students import StudentHistory, StudentMLP, fit_student, make_student

nn = torch.nn
F = torch.nn.functional

SPLIT_SEED = 0  # one train/val/test split for teacher and students: the teacher never saw a test image
N_TRAIN = 1077  # training images in that split (the most labels a student can get)
BATCH_SIZE = 64


# --- teacher and data --------------------------------------------------------------


def train_teacher(
    seed: int = 0,
    epochs: int = 12,
    channels: int = 64,
    layers: int = 2,
    lr: float = 0.01,
    batch_size: int = 32,
) -> tuple[CNN, list[EpochStats]]:
    """The teacher CNN on every labelled training image; deterministic for given arguments."""
    split = load_digits_split(SPLIT_SEED)
    with seeded(seed):
        model = CNN(channels, layers, len(split.classes), split.image_size)
    history = list(train_epochs(model, split, epochs=epochs, lr=lr, batch_size=batch_size, seed=seed))
    model.eval()
    return model, history


# CLI and bench runs call several experiments in one process: train the teacher once.
_cached_teacher = lru_cache(maxsize=4)(train_teacher)
_teacher_lock = threading.Lock()  # two jobs asking at once (the page, the e-commerce images) train it once


def default_teacher() -> CNN:
    with _teacher_lock:
        return _cached_teacher()[0]


@lru_cache(maxsize=1)
def shared_split():
    return load_digits_split(SPLIT_SEED)


@dataclass(frozen=True)
class Prepared:
    """The split as tensors plus the teacher's logits on every image: what a student run needs."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    teacher_train: torch.Tensor  # teacher logits on the training images (the soft targets' source)
    teacher_val: torch.Tensor
    teacher_test: torch.Tensor


def prepare(teacher: nn.Module | None = None) -> Prepared:
    """Tensors and teacher logits; `teacher` must have been trained on the SPLIT_SEED split."""
    teacher = default_teacher() if teacher is None else teacher
    s = shared_split()

    def logits(x: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(predict_logits(teacher, x))

    t = torch.from_numpy
    return Prepared(
        t(s.x_train), t(s.y_train), t(s.x_val), t(s.y_val), t(s.x_test), t(s.y_test),
        logits(s.x_train), logits(s.x_val), logits(s.x_test),
    )  # fmt: skip


def choose_labelled(y: np.ndarray, n_labels: int, seed: int) -> np.ndarray:
    """Indices of `n_labels` images to keep labelled, as class-balanced as possible."""
    y = np.asarray(y)
    order = np.random.default_rng(seed).permutation(len(y))
    rank = np.empty(len(y), dtype=np.int64)  # each image's place among its class, in shuffled order
    for c in np.unique(y):
        members = order[y[order] == c]
        rank[members] = np.arange(len(members))
    # Every class's first image, then every class's second, ...: round-robin over classes.
    return np.sort(order[np.argsort(rank[order], kind="stable")][:n_labels])


# --- training one student ----------------------------------------------------------


def train_student(
    data: Prepared,
    *,
    hidden: int,
    seed: int,
    epochs: int,
    lr: float,
    labelled: np.ndarray,
    transfer: np.ndarray | None = None,
    T: float = 1.0,
    alpha: float = 0.0,
) -> tuple[StudentMLP, StudentHistory]:
    """A student alone (transfer=None: cross-entropy on `labelled`) or distilled (soft term on `transfer`).

    Both kinds take len(transfer set) // BATCH_SIZE steps per epoch, where the
    transfer set defaults to all training images.
    """
    n_transfer = len(data.x_train) if transfer is None else len(transfer)
    steps = max(1, n_transfer // BATCH_SIZE)
    model = make_student(hidden, seed)
    y = data.y_train
    if transfer is None:
        pool = labelled

        def loss_fn(logits: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
            return F.cross_entropy(logits, y[idx])
    else:
        pool = transfer
        mask = torch.zeros(len(y), dtype=torch.bool)
        mask[torch.as_tensor(labelled, dtype=torch.long)] = True

        def loss_fn(logits: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
            return distillation_loss(logits, data.teacher_train[idx], y[idx], T, alpha, mask[idx])

    history = fit_student(
        model, data.x_train, pool, loss_fn, epochs=epochs, steps_per_epoch=steps, batch_size=BATCH_SIZE,
        lr=lr, seed=seed, x_val=data.x_val, y_val=data.y_val,
    )  # fmt: skip
    model.eval()
    return model, history


@torch.no_grad()
def logits_on(model: nn.Module, x: torch.Tensor) -> np.ndarray:
    model.eval()
    return model(x).numpy()


def logits_accuracy(logits: np.ndarray, y: torch.Tensor) -> float:
    return float((logits.argmax(1) == y.numpy()).mean())


