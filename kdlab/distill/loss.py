"""The distillation loss: a student matches a teacher's softened answers and the hard labels.

Hinton, Vinyals & Dean (2015), "Distilling the Knowledge in a Neural Network", arXiv:1503.02531.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kdlab.core.torch_env import torch

F = torch.nn.functional


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


@dataclass
class LossParts:
    """One image's distillation loss, term by term: what the page's step-through shows in turn."""

    T: float
    alpha: float
    label: int
    teacher_logits: np.ndarray  # z_t, one per class
    student_logits: np.ndarray  # z_s
    teacher_1: np.ndarray  # softmax(z_t): the teacher's own answer
    teacher_T: np.ndarray  # p = softmax(z_t / T): the soft targets
    student_T: np.ndarray  # q = softmax(z_s / T): the student's soft predictions
    student_1: np.ndarray  # softmax(z_s): what the hard term reads
    kl_terms: np.ndarray  # p_i (log p_i - log q_i): each class's share of the KL
    kl: float  # KL(p || q) = sum of kl_terms
    soft: float  # T^2 KL
    hard: float  # CE(y, softmax(z_s)) = -log softmax(z_s)[y]
    total: float  # alpha * soft + (1 - alpha) * hard, as distillation_loss computes it


def loss_parts(teacher_logits: np.ndarray, student_logits: np.ndarray, label: int, T: float, alpha: float) -> LossParts:
    """distillation_loss for one labelled image, in numpy, with every intermediate kept."""
    z_t = np.asarray(teacher_logits, dtype=np.float64)
    z_s = np.asarray(student_logits, dtype=np.float64)
    log_p, log_q = _log_softmax(z_t / T), _log_softmax(z_s / T)
    p = np.exp(log_p)
    kl_terms = p * (log_p - log_q)
    kl = float(kl_terms.sum())
    soft = T**2 * kl
    log_q1 = _log_softmax(z_s)
    hard = float(-log_q1[label])
    return LossParts(
        T=T, alpha=alpha, label=int(label), teacher_logits=z_t, student_logits=z_s,
        teacher_1=np.exp(_log_softmax(z_t)), teacher_T=p, student_T=np.exp(log_q), student_1=np.exp(log_q1),
        kl_terms=kl_terms, kl=kl, soft=soft, hard=hard, total=alpha * soft + (1 - alpha) * hard,
    )  # fmt: skip


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max()
    return z - np.log(np.exp(z).sum())


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


