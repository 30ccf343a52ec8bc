"""Knowledge distillation: a small student learns from a big teacher's softened answers.

After Hinton, Vinyals & Dean (2015), "Distilling the Knowledge in a Neural Network",
arXiv:1503.02531. Every model is scored on the same held-out test images.

The setup, and why:
- Teacher: the CNN of `kdlab.cnn`, trained on every labelled training image.
- Transfer set: all training images. The teacher can label an image nobody has
  labelled, so the soft (teacher) term of the loss sees every one of them.
- Labels: only `n_labels` training images (class-balanced, drawn per seed) keep
  their hard label; the hard-label term of the loss uses only those. This is the
  e-commerce case: a big model can score the whole catalogue, people can
  label only a little of it.
- Student alone: the same MLP, same initial weights, trained with plain
  cross-entropy on the `n_labels` labelled images only.
- Both students take the same number of optimiser steps (one pass over the
  transfer set per epoch), so the comparison is about what they learn from.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from kdlab._torch import seeded, torch
from kdlab.cnn import CNN, EpochStats, count_parameters, predict_logits, train_epochs
from kdlab.data import load_digits_split
from kdlab.params import Param
from kdlab.seeds import mean_std, verdict
from kdlab.students import (
    StudentHistory,
    StudentMLP,
    fit_student,
    make_student,
    ms_per_image,
    student_parameters,
)

if TYPE_CHECKING:
    from kdlab.dark_knowledge import OmitResult

nn = torch.nn
F = torch.nn.functional

SPLIT_SEED = 0  # one train/val/test split for teacher and students: the teacher never saw a test image
N_TRAIN = 1077  # training images in that split (the most labels a student can get)
BATCH_SIZE = 64
SWEEP_TS = (1.0, 2.0, 4.0, 8.0, 20.0)

DESIGN = (
    "teacher: CNN trained on all labelled training images; transfer set (soft term): all training "
    "images; hard-label term and student alone: only the n_labels labelled images; both students: "
    "same initial weights and number of steps per seed; scores: the same held-out test images"
)

PARAMS = (
    Param("experiment", "compare", choices=("compare", "sweep", "omit"),
          help="compare students; sweep the temperature; or omit one class from the transfer set"),
    Param("T", 4.0, 1.0, 20.0, help="softmax temperature of the soft targets"),
    Param("alpha", 0.7, 0.0, 1.0, help="weight of the soft (teacher) term; 1 - alpha on the hard labels"),
    Param("student_hidden", 32, 4, 128, help="hidden units of the student MLP"),
    Param("n_labels", 100, 20, N_TRAIN, help="labelled training images the students get"),
    Param("epochs", 30, 5, 60, help="passes over the transfer set"),
    Param("lr", 0.01, 1e-4, 0.1, help="Adam learning rate"),
    Param("seeds", 3, 1, 5, help="students per kind, each with its own seed"),
    Param("omit", 3, 0, 9, help="experiment=omit: the class left out of the transfer set"),
)  # fmt: skip


# --- the loss ----------------------------------------------------------------------


def soft_targets(logits: torch.Tensor, T: float) -> torch.Tensor:
    """softmax(logits / T): T > 1 lifts the small probabilities, where the dark knowledge is."""
    return torch.softmax(logits / T, dim=-1)


def distillation_loss(
    student_logits: torch.Tensor,
    teacher_logits: torch.Tensor,
    labels: torch.Tensor,
    T: float,
    alpha: float,
    labelled: torch.Tensor | None = None,
) -> torch.Tensor:
    """alpha * T² * KL(p_teacher^T || p_student^T) + (1 - alpha) * CE(student, labels).

    p^T = softmax(logits / T). Here alpha weighs the SOFT (teacher) term; some
    libraries and posts put alpha on the hard-label term instead, so check
    before comparing numbers.

    Why T²: the KL's gradient for a student logit z_i is (q_i - p_i) / T, and
    for large T about (z_i - v_i) / (K T²) (v: teacher logits, K: classes,
    logits centred). Soft-target gradients shrink as 1/T²; multiplying by T²
    keeps their pull the same size as T changes, so alpha keeps meaning the
    same mix of soft and hard.

    `labelled` (bool, per row) marks which rows have a hard label: the hard term
    averages over those only (other rows' labels are never read), the soft term
    over every row. None means every row is labelled.
    """
    # Soft term: how far the softened student is from the softened teacher.
    log_q = F.log_softmax(student_logits / T, dim=1)  # log q_i^T (student)
    log_p = F.log_softmax(teacher_logits.detach() / T, dim=1)  # log p_i^T (teacher: a fixed target)
    p = log_p.exp()
    kl = (p * (log_p - log_q)).sum(dim=1)  # KL(p || q), one per example
    soft = T**2 * kl.mean()

    # Hard term: ordinary cross-entropy at T = 1, on the labelled rows only.
    if labelled is None:
        labelled = torch.ones(len(labels), dtype=torch.bool)
    log_q1 = F.log_softmax(student_logits, dim=1)
    label = torch.where(labelled, labels, 0)  # a placeholder where there is no label
    nll = -log_q1.gather(1, label[:, None]).squeeze(1)
    hard = (nll * labelled).sum() / labelled.sum().clamp(min=1)

    return alpha * soft + (1 - alpha) * hard


def teacher_probabilities(teacher_logits_row: np.ndarray, T: float) -> np.ndarray:
    """softmax(row / T) in numpy: instant, for redrawing one image's soft targets as T moves."""
    z = np.asarray(teacher_logits_row, dtype=np.float64) / T
    e = np.exp(z - z.max())  # minus the max: exp never overflows, the ratios are unchanged
    return e / e.sum()


def entropy_bits(p: np.ndarray) -> float:
    """Shannon entropy in bits: 0 for a one-hot answer, log2(10) = 3.32 for ten equal guesses."""
    p = np.asarray(p, dtype=np.float64)
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum())


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


def default_teacher() -> CNN:
    return _cached_teacher()[0]


@lru_cache(maxsize=1)
def _split():
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
    s = _split()

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


def _accuracy(logits: np.ndarray, y: torch.Tensor) -> float:
    return float((logits.argmax(1) == y.numpy()).mean())


# --- experiment 1: student alone vs distilled student -------------------------------


@dataclass
class DistillResult:
    T: float
    alpha: float
    student_hidden: int
    n_labels: int  # labelled training images (hard-label term, student alone)
    n_transfer: int  # training images the teacher labels softly (all of them)
    epochs: int
    lr: float
    seeds: list[int]
    teacher_acc: float  # test accuracy of the teacher
    alone_acc: np.ndarray  # (seeds,) test accuracy per seed
    distilled_acc: np.ndarray  # (seeds,)
    alone_mean: float
    alone_std: float  # sample std over seeds
    distilled_mean: float
    distilled_std: float
    gain: float  # distilled_mean - alone_mean
    gain_std: float  # std of the per-seed differences (same seed = same labels and initial weights)
    verdict: str  # "helped" / "hurt": |gain| beats gain_std; else "unclear" (a rule of thumb, not a test)
    helped: bool
    alone_val_acc: np.ndarray  # (seeds, epochs) training curves, on the validation set
    distilled_val_acc: np.ndarray
    alone_train_loss: np.ndarray  # (seeds, epochs) each student's own training objective
    distilled_train_loss: np.ndarray
    teacher_params: int
    student_params: int
    teacher_ms: float  # per image, one image per call (a shopper's request)
    student_ms: float
    teacher_ms_batched: float  # per image, 256 images per call (offline scoring)
    student_ms_batched: float
    seconds: float  # wall time of the student training and scoring
    design: str = DESIGN
    students: dict = field(default_factory=dict, repr=False, metadata={"json": False})
    teacher_test_logits: np.ndarray | None = field(default=None, repr=False, metadata={"json": False})


def compare(
    T: float = 4.0,
    alpha: float = 0.7,
    student_hidden: int = 32,
    n_labels: int = 100,
    epochs: int = 30,
    lr: float = 0.01,
    seeds: int = 3,
    teacher: nn.Module | None = None,
) -> DistillResult:
    """Train `seeds` pairs of students (alone, distilled) and score them on the test set."""
    teacher = default_teacher() if teacher is None else teacher
    data = prepare(teacher)
    start = time.perf_counter()
    seed_list = list(range(seeds))
    acc = {"alone": [], "distilled": []}
    val_acc = {"alone": [], "distilled": []}
    loss = {"alone": [], "distilled": []}
    students = {"alone": [], "distilled": []}
    transfer = np.arange(len(data.x_train))
    for seed in seed_list:
        labelled = choose_labelled(data.y_train.numpy(), n_labels, seed)
        common = dict(hidden=student_hidden, seed=seed, epochs=epochs, lr=lr, labelled=labelled)
        runs = {
            "alone": train_student(data, **common),
            "distilled": train_student(data, **common, transfer=transfer, T=T, alpha=alpha),
        }
        for kind, (model, history) in runs.items():
            acc[kind].append(_accuracy(logits_on(model, data.x_test), data.y_test))
            val_acc[kind].append(history.val_acc)
            loss[kind].append(history.train_loss)
            students[kind].append(model)
    seconds = time.perf_counter() - start

    alone_mean, alone_std = mean_std(acc["alone"])
    distilled_mean, distilled_std = mean_std(acc["distilled"])
    gain, gain_std, word = verdict(np.subtract(acc["distilled"], acc["alone"]))
    x_serve = _split().x_test
    student = students["distilled"][0]
    return DistillResult(
        T=T, alpha=alpha, student_hidden=student_hidden, n_labels=n_labels, n_transfer=len(transfer),
        epochs=epochs, lr=lr, seeds=seed_list,
        teacher_acc=_accuracy(data.teacher_test.numpy(), data.y_test),
        alone_acc=np.array(acc["alone"]), distilled_acc=np.array(acc["distilled"]),
        alone_mean=alone_mean, alone_std=alone_std, distilled_mean=distilled_mean, distilled_std=distilled_std,
        gain=gain, gain_std=gain_std, verdict=word, helped=word == "helped",
        alone_val_acc=np.stack(val_acc["alone"]), distilled_val_acc=np.stack(val_acc["distilled"]),
        alone_train_loss=np.stack(loss["alone"]), distilled_train_loss=np.stack(loss["distilled"]),
        teacher_params=count_parameters(teacher), student_params=student_parameters(student_hidden),
        teacher_ms=ms_per_image(teacher, x_serve), student_ms=ms_per_image(student, x_serve),
        teacher_ms_batched=ms_per_image(teacher, x_serve, batch_size=256, repeats=20),
        student_ms_batched=ms_per_image(student, x_serve, batch_size=256, repeats=20),
        seconds=seconds, students=students, teacher_test_logits=data.teacher_test.numpy(),
    )  # fmt: skip


# --- experiment 2: how the temperature matters --------------------------------------


@dataclass
class SweepResult:
    Ts: np.ndarray  # (n_T,)
    distilled_acc: np.ndarray  # (n_T, seeds) test accuracy
    distilled_mean: np.ndarray  # (n_T,)
    distilled_std: np.ndarray  # (n_T,)
    alone_acc: np.ndarray  # (seeds,) the student alone does not depend on T: the baseline line
    alone_mean: float
    alone_std: float
    teacher_acc: float
    alpha: float
    student_hidden: int
    n_labels: int
    epochs: int
    seeds: list[int]
    seconds: float


def temperature_sweep(
    Ts: tuple[float, ...] = SWEEP_TS,
    alpha: float = 0.7,
    student_hidden: int = 32,
    n_labels: int = 100,
    epochs: int = 30,
    lr: float = 0.01,
    seeds: int = 3,
    teacher: nn.Module | None = None,
) -> SweepResult:
    """Test accuracy of distilled students (mean, std over seeds) for each temperature."""
    data = prepare(teacher)
    start = time.perf_counter()
    seed_list = list(range(seeds))
    transfer = np.arange(len(data.x_train))
    alone, distilled = [], np.zeros((len(Ts), seeds))
    for j, seed in enumerate(seed_list):
        labelled = choose_labelled(data.y_train.numpy(), n_labels, seed)
        common = dict(hidden=student_hidden, seed=seed, epochs=epochs, lr=lr, labelled=labelled)
        model, _ = train_student(data, **common)
        alone.append(_accuracy(logits_on(model, data.x_test), data.y_test))
        for i, T in enumerate(Ts):
            model, _ = train_student(data, **common, transfer=transfer, T=T, alpha=alpha)
            distilled[i, j] = _accuracy(logits_on(model, data.x_test), data.y_test)
    stats = np.array([mean_std(row) for row in distilled])
    alone_mean, alone_std = mean_std(alone)
    return SweepResult(
        Ts=np.array(Ts, dtype=float), distilled_acc=distilled,
        distilled_mean=stats[:, 0], distilled_std=stats[:, 1],
        alone_acc=np.array(alone), alone_mean=alone_mean, alone_std=alone_std,
        teacher_acc=_accuracy(data.teacher_test.numpy(), data.y_test),
        alpha=alpha, student_hidden=student_hidden, n_labels=n_labels, epochs=epochs, seeds=seed_list,
        seconds=time.perf_counter() - start,
    )  # fmt: skip


# --- the demo contract -------------------------------------------------------------


def run(
    *,
    experiment: str = "compare",
    T: float = 4.0,
    alpha: float = 0.7,
    student_hidden: int = 32,
    n_labels: int = 100,
    epochs: int = 30,
    lr: float = 0.01,
    seeds: int = 3,
    omit: int = 3,
    teacher: nn.Module | None = None,
) -> DistillResult | SweepResult | OmitResult:
    """experiment='compare' -> DistillResult, 'sweep' -> SweepResult, 'omit' -> OmitResult."""
    common = dict(
        alpha=alpha, student_hidden=student_hidden, epochs=epochs, lr=lr, seeds=seeds, teacher=teacher
    )
    if experiment == "sweep":
        return temperature_sweep(SWEEP_TS, n_labels=n_labels, **common)
    if experiment == "omit":
        from kdlab.dark_knowledge import omitted_class_experiment  # it imports this module

        return omitted_class_experiment(omit=omit, T=T, **common)
    if experiment != "compare":
        raise ValueError(f"experiment must be compare, sweep or omit, got {experiment!r}")
    return compare(T=T, n_labels=n_labels, **common)


def _pm(mean: float, std: float) -> str:
    return f"{mean:.1%} ± {std:.1%}"


def summarize(result: DistillResult | SweepResult | OmitResult) -> str:
    if isinstance(result, SweepResult):
        lines = [
            f"temperature sweep: student {result.student_hidden} hidden units, {result.n_labels} labels, "
            f"alpha {result.alpha}, {len(result.seeds)} seeds ({result.seconds:.1f} s)",
            f"teacher {result.teacher_acc:.1%}   student alone {_pm(result.alone_mean, result.alone_std)}",
        ]
        lines += [
            f"  T = {T:>4g}: distilled {_pm(m, s)}"
            for T, m, s in zip(result.Ts, result.distilled_mean, result.distilled_std, strict=True)
        ]
        return "\n".join(lines)
    if not isinstance(result, DistillResult):
        from kdlab.dark_knowledge import summarize_omit

        return summarize_omit(result)
    r = result
    return "\n".join(
        [
            f"T = {r.T:g}, alpha = {r.alpha:g}, {r.n_labels} labelled of {r.n_transfer} training images, "
            f"{len(r.seeds)} seeds, {r.epochs} epochs ({r.seconds:.1f} s)",
            f"teacher (CNN, {r.teacher_params:,} params)       test acc {r.teacher_acc:.1%}",
            f"student alone (MLP, {r.student_params:,} params) test acc {_pm(r.alone_mean, r.alone_std)}",
            f"distilled student                 test acc {_pm(r.distilled_mean, r.distilled_std)}",
            f"gain {r.gain:+.1%} (per-seed spread {r.gain_std:.1%}): {r.verdict}",
            f"inference per image: teacher {r.teacher_ms:.3f} ms, student {r.student_ms:.3f} ms one at a time; "
            f"{r.teacher_ms_batched * 1000:.1f} vs {r.student_ms_batched * 1000:.1f} µs in batches of 256",
        ]
    )
