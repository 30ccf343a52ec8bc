"""Knowledge distillation: a small student learns from a big teacher's softened answers.

After Hinton, Vinyals & Dean (2015), "Distilling the Knowledge in a Neural Network",
arXiv:1503.02531. Every model is scored on the same held-out test images.

The setup, and why:
- Teacher: the CNN of `kdlab.deep.cnn`, trained on every labelled training image.
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

import numpy as np

from kdlab.core import progress
from kdlab.core.params import Param
from kdlab.core.seeds import mean_std, verdict
from kdlab.core.torch_env import torch
from kdlab.deep.cnn import count_parameters
from kdlab.distill.dark_knowledge import OmitResult, omitted_class_experiment, summarize_omit
from kdlab.distill.students import ms_per_image, student_parameters
from kdlab.distill.teacher import (
    N_TRAIN,
    choose_labelled,
    default_teacher,
    logits_accuracy,
    logits_on,
    prepare,
    shared_split,
    train_student,
)

nn = torch.nn

SWEEP_TS = (1.0, 2.0, 4.0, 8.0, 20.0)

DESIGN = (
    "teacher: CNN trained on all labelled training images; transfer set (soft term): all training "
    "images; hard-label term and student alone: only the n_labels labelled images; both students: "
    "same initial weights and number of steps per seed; scores: the same held-out test images"
)

PARAMS = (
    Param("experiment", "compare", choices=("compare", "sweep", "omit"),
          help="compare students; sweep the temperature; or omit one class from the transfer set"),
    Param("T", 4.0, 1.0, 20.0, help="softmax temperature of the soft targets", step=0.5),
    Param("alpha", 0.7, 0.0, 1.0, help="weight of the soft (teacher) term; 1 - alpha on the hard labels"),
    Param("student_hidden", 32, 4, 128, help="hidden units of the student MLP"),
    Param("n_labels", 100, 20, N_TRAIN, help="labelled training images the students get"),
    Param("epochs", 30, 5, 60, help="passes over the transfer set"),
    Param("lr", 0.01, 1e-4, 0.1, help="Adam learning rate"),
    Param("seeds", 3, 1, 5, help="students per kind, each with its own seed"),
    Param("omit", 3, 0, 9, help="experiment=omit: the class left out of the transfer set"),
)  # fmt: skip

# A small run of the same code path, for the common test of every experiment (tests/test_registry.py).
QUICK = {"epochs": 5, "seeds": 1, "student_hidden": 8, "n_labels": 20}




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
    for seed in progress.steps(seed_list, "seed"):
        labelled = choose_labelled(data.y_train.numpy(), n_labels, seed)
        common = dict(hidden=student_hidden, seed=seed, epochs=epochs, lr=lr, labelled=labelled)
        distilled = dict(transfer=transfer, T=T, alpha=alpha)
        runs = {
            kind: train_student(data, **common, **(distilled if kind == "distilled" else {}))
            for kind in progress.steps(("alone", "distilled"), "student")
        }
        for kind, (model, history) in runs.items():
            acc[kind].append(logits_accuracy(logits_on(model, data.x_test), data.y_test))
            val_acc[kind].append(history.val_acc)
            loss[kind].append(history.train_loss)
            students[kind].append(model)
    seconds = time.perf_counter() - start

    alone_mean, alone_std = mean_std(acc["alone"])
    distilled_mean, distilled_std = mean_std(acc["distilled"])
    gain, gain_std, word = verdict(np.subtract(acc["distilled"], acc["alone"]))
    x_serve = shared_split().x_test
    student = students["distilled"][0]
    return DistillResult(
        T=T, alpha=alpha, student_hidden=student_hidden, n_labels=n_labels, n_transfer=len(transfer),
        epochs=epochs, lr=lr, seeds=seed_list,
        teacher_acc=logits_accuracy(data.teacher_test.numpy(), data.y_test),
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
    for j, seed in enumerate(progress.steps(seed_list, "seed")):
        labelled = choose_labelled(data.y_train.numpy(), n_labels, seed)
        common = dict(hidden=student_hidden, seed=seed, epochs=epochs, lr=lr, labelled=labelled)
        for i in progress.steps(range(-1, len(Ts)), "student"):  # -1: the student alone, then each T
            if i < 0:
                model, _ = train_student(data, **common)
                alone.append(logits_accuracy(logits_on(model, data.x_test), data.y_test))
            else:
                model, _ = train_student(data, **common, transfer=transfer, T=Ts[i], alpha=alpha)
                distilled[i, j] = logits_accuracy(logits_on(model, data.x_test), data.y_test)
    stats = np.array([mean_std(row) for row in distilled])
    alone_mean, alone_std = mean_std(alone)
    return SweepResult(
        Ts=np.array(Ts, dtype=float), distilled_acc=distilled,
        distilled_mean=stats[:, 0], distilled_std=stats[:, 1],
        alone_acc=np.array(alone), alone_mean=alone_mean, alone_std=alone_std,
        teacher_acc=logits_accuracy(data.teacher_test.numpy(), data.y_test),
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
