"""Knowledge distillation: the loss against PyTorch's own functions, and the experiments' claims."""

from __future__ import annotations

import inspect
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from kdlab import distill
from kdlab.core.params import defaults, validate
from kdlab.core.torch_env import torch
from kdlab.data.images import load_digits_split
from kdlab.deep.cnn import count_parameters
from kdlab.distill import (
    PARAMS,
    choose_labelled,
    distillation_loss,
    entropy_bits,
    soft_targets,
    teacher_probabilities,
    temperature_sweep,
)
from kdlab.distill.dark_knowledge import BIAS_GRID, PAPER_OMITTED_3, best_bias_shift, omitted_class_experiment
from kdlab.distill.students import StudentMLP, student_parameters

F = torch.nn.functional
ROOT = Path(__file__).resolve().parents[1]


def _reference(s, t, y, T, alpha):
    """The same loss from PyTorch's own pieces: kl_div on log-probabilities and cross_entropy."""
    log_q, log_p = F.log_softmax(s / T, dim=1), F.log_softmax(t / T, dim=1)
    kl = F.kl_div(log_q, log_p, log_target=True, reduction="batchmean")
    return alpha * T**2 * kl + (1 - alpha) * F.cross_entropy(s, y)


def _logits(seed: int, n: int = 32, scale: float = 3.0):
    g = torch.Generator().manual_seed(seed)
    student = torch.randn(n, 10, generator=g) * scale
    teacher = torch.randn(n, 10, generator=g) * scale
    labels = torch.randint(0, 10, (n,), generator=g)
    return student, teacher, labels


# --- the loss ------------------------------------------------------------------------


@pytest.mark.parametrize("T", [1.0, 2.0, 4.0, 20.0])
@pytest.mark.parametrize("alpha", [0.0, 0.3, 0.7, 1.0])
def test_loss_equals_pytorch_reference(T, alpha):
    s, t, y = _logits(int(T * 10 + alpha * 100))
    expected = _reference(s, t, y, T, alpha)
    torch.testing.assert_close(distillation_loss(s, t, y, T, alpha), expected, rtol=1e-5, atol=1e-6)


def test_kl_against_softmax_probabilities():
    # KL written with F.softmax probabilities, a third way to the same number.
    s, t, y = _logits(1)
    T = 3.0
    p, q = F.softmax(t / T, dim=1), F.softmax(s / T, dim=1)
    kl = (p * (p.log() - q.log())).sum(1).mean()
    torch.testing.assert_close(distillation_loss(s, t, y, T, 1.0), T**2 * kl, rtol=1e-5, atol=1e-6)


def test_mask_uses_labels_of_labelled_rows_only():
    s, t, y = _logits(2)
    mask = torch.arange(len(y)) % 3 == 0
    y_hidden = torch.where(mask, y, -1)  # an unlabelled row's label must never be read
    T, alpha = 4.0, 0.6
    # Soft term over every row, hard term over the labelled rows only.
    soft = _reference(s, t, y, T, 1.0)
    expected = alpha * soft + (1 - alpha) * F.cross_entropy(s[mask], y[mask])
    loss = distillation_loss(s, t, y_hidden, T, alpha, mask)
    torch.testing.assert_close(loss, expected, rtol=1e-5, atol=1e-6)
    # No labelled row at all: only the soft term is left.
    none = torch.zeros(len(y), dtype=torch.bool)
    torch.testing.assert_close(distillation_loss(s, t, y_hidden, T, alpha, none), alpha * soft)
    # One labelled row: the hard term is that row's cross-entropy, not a share of it.
    one = torch.arange(len(y)) == 6  # a row whose label is kept in y_hidden
    expected = alpha * soft + (1 - alpha) * F.cross_entropy(s[one], y[one])
    torch.testing.assert_close(distillation_loss(s, t, y_hidden, T, alpha, one), expected, rtol=1e-5, atol=1e-6)


def test_alpha_zero_is_cross_entropy_whatever_the_teacher():
    s, t, y = _logits(3)
    for T in (1.0, 5.0, 20.0):
        torch.testing.assert_close(distillation_loss(s, t, y, T, 0.0), F.cross_entropy(s, y))
        torch.testing.assert_close(distillation_loss(s, -t, y, T, 0.0), F.cross_entropy(s, y))


def test_soft_term_is_zero_when_student_copies_teacher():
    _, t, y = _logits(4)
    assert distillation_loss(t.clone(), t, y, 5.0, 1.0).item() == pytest.approx(0.0, abs=1e-6)


def test_teacher_gets_no_gradient():
    s, t, y = _logits(5)
    t.requires_grad_(True)
    distillation_loss(s.requires_grad_(True), t, y, 4.0, 0.7).backward()
    assert t.grad is None and s.grad is not None


def _soft_grad_norm(T: float, scale_back: bool) -> float:
    s, t, y = _logits(6)
    s.requires_grad_(True)
    loss = distillation_loss(s, t, y, T, alpha=1.0)
    if not scale_back:
        loss = loss / T**2  # the soft term as it would be without the T² factor
    loss.backward()
    return s.grad.norm().item()


def test_t_squared_keeps_soft_gradient_comparable_across_temperatures():
    with_t2 = _soft_grad_norm(2.0, True) / _soft_grad_norm(10.0, True)
    without = _soft_grad_norm(2.0, False) / _soft_grad_norm(10.0, False)
    assert 0.5 < with_t2 < 2.0
    assert without > 10  # ~ (10 / 2)² = 25: without T² the soft targets fade as T grows


# --- soft targets --------------------------------------------------------------------


def test_soft_targets_and_numpy_view_match_softmax():
    _, t, _ = _logits(7)
    for T in (1.0, 3.0, 17.0):
        torch.testing.assert_close(soft_targets(t, T), F.softmax(t / T, dim=1))
        expected = F.softmax(t[0] / T, dim=0).numpy()
        np.testing.assert_allclose(teacher_probabilities(t[0].numpy(), T), expected, rtol=1e-5)
    # Huge logits: no overflow.
    p = teacher_probabilities(np.array([1000.0, 0.0, -1000.0]), 1.0)
    assert np.isfinite(p).all() and p.sum() == pytest.approx(1.0)


def test_higher_temperature_gives_softer_targets():
    _, t, _ = _logits(8)
    Ts = [1, 1.5, 2, 3, 4, 6, 8, 12, 16, 20]
    for row in t.numpy():
        h = [entropy_bits(teacher_probabilities(row, T)) for T in Ts]
        assert all(b > a for a, b in itertools.pairwise(h))
        assert h[-1] < np.log2(10)
    assert entropy_bits(np.eye(10)[3]) == 0.0
    assert entropy_bits(np.full(10, 0.1)) == pytest.approx(np.log2(10))


# --- students and data ---------------------------------------------------------------


@pytest.mark.parametrize("hidden", [4, 32, 128])
def test_student_parameter_count_closed_form(hidden):
    assert count_parameters(StudentMLP(hidden)) == student_parameters(hidden) == 75 * hidden + 10


def test_choose_labelled_is_balanced_and_deterministic():
    y = load_digits_split(distill.SPLIT_SEED).y_train
    for n in (20, 25, 100):
        idx = choose_labelled(y, n, seed=1)
        assert len(idx) == len(set(idx)) == n
        counts = np.bincount(y[idx], minlength=10)
        assert counts.max() - counts.min() <= 1
    np.testing.assert_array_equal(choose_labelled(y, 50, 3), choose_labelled(y, 50, 3))
    assert not np.array_equal(choose_labelled(y, 50, 3), choose_labelled(y, 50, 4))


def test_params_bounds_and_defaults_agree_with_the_code():
    assert len(load_digits_split(distill.SPLIT_SEED).y_train) == distill.N_TRAIN
    validate(PARAMS, {})
    signature = inspect.signature(distill.run).parameters
    for name, value in defaults(PARAMS).items():
        assert signature[name].default == value, name


def test_train_teacher_is_deterministic():
    a, history_a = distill.train_teacher(seed=3, epochs=1, channels=4)
    b, _ = distill.train_teacher(seed=3, epochs=1, channels=4)
    assert len(history_a) == 1
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        torch.testing.assert_close(pa, pb, rtol=0, atol=0)


# --- experiments ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def compared():
    """Two seeds of the comparison at T = 8, 5 epochs: shared by the two tests below."""
    return distill.run(experiment="compare", T=8.0, seeds=2, epochs=5, n_labels=60)


def test_compare_returns_sane_numbers(compared):
    r = compared
    assert r.teacher_acc >= 0.95
    for acc in (r.alone_acc, r.distilled_acc):
        assert acc.shape == (2,) and ((acc >= 0) & (acc <= 1)).all()
    assert r.alone_val_acc.shape == r.distilled_train_loss.shape == (2, 5)
    # The means, the gain and its verdict, recomputed by hand from the per-seed accuracies (paired by seed):
    # for two values the mean is (a + b) / 2 and the sample standard deviation |a - b| / sqrt(2).
    a, d = r.alone_acc, r.distilled_acc - r.alone_acc
    assert (r.alone_mean, r.alone_std) == pytest.approx(((a[0] + a[1]) / 2, abs(a[0] - a[1]) / np.sqrt(2)))
    assert (r.gain, r.gain_std) == pytest.approx(((d[0] + d[1]) / 2, abs(d[0] - d[1]) / np.sqrt(2)))
    expected = "helped" if r.gain > r.gain_std else "hurt" if r.gain < -r.gain_std else "unclear"
    assert r.verdict == expected and r.helped == (expected == "helped")
    assert r.student_params < r.teacher_params
    assert r.teacher_ms > 0 and r.student_ms > 0
    assert r.n_labels == 60 and r.n_transfer == distill.N_TRAIN
    assert len(r.students["distilled"]) == 2


def test_temperature_sweep_rows_are_temperatures_and_match_the_comparison(compared):
    r = temperature_sweep(Ts=(1.0, 8.0), seeds=2, epochs=5, n_labels=60)
    assert r.distilled_acc.shape == (2, 2) and r.distilled_mean.shape == r.distilled_std.shape == (2,)
    # Each row is one T over the two seeds: mean (a + b) / 2, sample std |a - b| / sqrt(2), by hand.
    a, b = r.distilled_acc[:, 0], r.distilled_acc[:, 1]
    np.testing.assert_allclose(r.distilled_mean, (a + b) / 2)
    np.testing.assert_allclose(r.distilled_std, np.abs(a - b) / np.sqrt(2))
    # Row T = 8 is what the comparison experiment trains at T = 8 with the same seeds and settings.
    c = compared
    assert (c.alpha, c.student_hidden, c.n_labels, c.lr) == (r.alpha, r.student_hidden, r.n_labels, 0.01)
    np.testing.assert_allclose(r.distilled_acc[1], c.distilled_acc)
    np.testing.assert_allclose(r.alone_acc, c.alone_acc)


def test_best_bias_shift_on_a_made_up_case():
    # Each image's own class scores 1, the others 0, but class 2's logit is 4 lower:
    # its images need a shift above 3, and above 5 the other images turn into 2s.
    y = np.array([0, 1, 2, 2])
    logits = np.zeros((4, 3))
    logits[np.arange(4), y] = 1.0
    logits[:, 2] -= 4.0
    shift, acc = best_bias_shift(logits, y, 2)
    assert acc.shape == BIAS_GRID.shape and acc[0] == 0.5 and acc.max() == 1.0
    assert shift == 3.25  # the smallest grid value that gets every image right


def test_omitted_class_is_learned_from_soft_targets_only():
    r = omitted_class_experiment(omit=3, T=20.0, seeds=2, epochs=20)
    assert r.n_removed > 0 and r.n_transfer + r.n_removed == distill.N_TRAIN
    assert r.recall_before["alone"].max() == 0.0  # hard labels never name a 3
    assert r.recall_before["distilled"].mean() > 0.5
    assert r.recall_after["distilled"].mean() > r.recall_after["alone"].mean() + 0.3
    assert r.recall_after["distilled"].mean() >= r.recall_before["distilled"].mean()
    assert set(np.concatenate(list(r.shift.values()))) <= set(BIAS_GRID)
    assert r.paper == PAPER_OMITTED_3


def test_cli_prints_json():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = ["distill", "--json", "--seeds", "1", "--epochs", "5", "--n-labels", "40"]
    cmd = [sys.executable, "-m", "kdlab", *args]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=True)
    result = json.loads(out.stdout)
    assert result["n_labels"] == 40 and len(result["alone_acc"]) == 1
    assert "students" not in result and "teacher_test_logits" not in result
