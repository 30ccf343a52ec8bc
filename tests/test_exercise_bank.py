"""The exercise bank (questions/exercises/): every reference passes its cases, every known-wrong
solution fails one, the starters do not pass, no case is slow (under 0.5 s of CPU); and where a
reference is written out in numpy, it equals the tested kdlab function or the PyTorch behaviour its
statement promises.

Runs outside the sandbox (kdlab.practice.exercises.run_trusted), like `python -m kdlab check-bank`.
"""

import time

import numpy as np
import pytest

from kdlab.core.torch_env import torch
from kdlab.practice.exercises import check_exercise, grade, load_exercises, reference_function, run_trusted
from kdlab.practice.sandbox_runner import to_torch

EXERCISES, PROBLEMS = load_exercises()
IDS = sorted(EXERCISES)
F = torch.nn.functional


def solution(pid: str):
    """The exercise's reference (solution.py, or the kdlab function its meta.toml names)."""
    return reference_function(EXERCISES[pid])


def test_every_programming_problem_has_an_exercise():
    assert not PROBLEMS
    assert {f"p{i:02d}" for i in range(1, 21)} <= set(IDS)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the wrong solutions overflow on purpose
@pytest.mark.parametrize("pid", IDS)
def test_reference_passes_and_every_wrong_solution_fails(pid):
    problems = check_exercise(EXERCISES[pid])
    assert not problems, "\n".join(map(str, problems))


@pytest.mark.parametrize("pid", IDS)
def test_starter_does_not_pass_and_cases_are_quick(pid):
    ex = EXERCISES[pid]
    report = grade(ex, ex.starter, everything=False, run=run_trusted)
    assert report.load is None and not report.passed
    cases = ex.cases()
    assert 1 <= sum(not c.hidden for c in cases) <= 4 and sum(c.hidden for c in cases) >= 3
    reference = reference_function(ex)
    for case in cases:
        args, kwargs = (to_torch(case.args), to_torch(case.kwargs)) if ex.tensors else (case.args, case.kwargs)
        start = time.process_time()  # CPU time: a loaded machine does not make a case slow
        reference(*args, **kwargs)
        assert time.process_time() - start < 0.5, case.name


# ---------------------------------------------------------------- numpy references against the originals


def cases_of(pid: str):
    return EXERCISES[pid].cases()


def test_p04_pegasos_on_kdlabs_batches_is_kdlabs_pegasos():
    from kdlab.classic.svm import pegasos

    rng = np.random.default_rng(7)
    X = rng.normal(size=(30, 2))
    y = np.sign(X[:, 0] + 0.3 * rng.normal(size=30))
    draws = np.random.default_rng(11)  # kdlab draws 8 rows per step from default_rng(seed)
    batches = np.array([draws.integers(0, 30, 8) for _ in range(500)])
    w, b, _ = pegasos(X, y, 1.0, 500, seed=11)
    w2, b2 = solution("p04")(X, y, 1.0, batches)
    assert np.allclose(w2, w, rtol=1e-12) and np.isclose(b2, b, rtol=1e-12)


def test_p06_conv2d_is_torchs():
    for case in cases_of("p06"):
        x, weight, bias = (torch.from_numpy(a) for a in case.args)
        expected = F.conv2d(x, weight, bias, **case.kwargs).numpy()
        assert np.allclose(solution("p06")(*case.args, **case.kwargs), expected, rtol=1e-10, atol=1e-12), case.name


def test_p07_gru_cell_is_torchs_and_kdlabs():
    from kdlab.deep.rnn_text import GRUCell

    for case in cases_of("p07"):
        x, h, W_ih, W_hh, b_ih, b_hh = case.args
        for cell in (torch.nn.GRUCell(x.shape[1], h.shape[1]), GRUCell(x.shape[1], h.shape[1])):
            cell = cell.double()
            with torch.no_grad():
                for name, value in (("weight_ih", W_ih), ("weight_hh", W_hh), ("bias_ih", b_ih), ("bias_hh", b_hh)):
                    getattr(cell, name).copy_(torch.from_numpy(value))
                expected = cell(torch.from_numpy(x), torch.from_numpy(h)).numpy()
            assert np.allclose(solution("p07")(*case.args), expected, rtol=1e-10, atol=1e-12), case.name


def test_p08_gan_losses_are_kdlabs_and_bce_with_logits():
    from kdlab.deep.gan import d_loss, g_loss

    for case in cases_of("p08"):
        real, fake = (torch.from_numpy(a) for a in case.args)
        kind = case.kwargs.get("kind", "non_saturating")
        bce = F.binary_cross_entropy_with_logits(fake, torch.ones_like(fake)).item()
        expected = (d_loss(real, fake).item(), g_loss(fake, kind).item())
        got = solution("p08")(*case.args, **case.kwargs)
        assert np.allclose(got, expected, rtol=1e-10), case.name
        if kind == "non_saturating":
            assert np.isclose(got[1], bce, rtol=1e-10)


def test_p10_finetune_step_is_torch_sgd_with_parameter_groups():
    for case in cases_of("p10"):
        params, grads, lr, factor = case.args
        frozen, decay = tuple(case.kwargs.get("frozen", ())), case.kwargs.get("weight_decay", 0.0)
        tensors = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
        groups = [
            {"params": [t for k, t in tensors.items() if not k.startswith(frozen) and k.startswith("head.")], "lr": lr},
            {"params": [t for k, t in tensors.items() if not k.startswith(frozen) and not k.startswith("head.")],
             "lr": lr * factor},
        ]  # fmt: skip
        groups = [g for g in groups if g["params"]]  # frozen parameters are not in the optimiser at all
        for k, t in tensors.items():
            t.grad = torch.from_numpy(grads[k].copy())
        if groups:
            torch.optim.SGD(groups, lr=lr, weight_decay=decay).step()
        got = solution("p10")(*case.args, **case.kwargs)
        for k, t in tensors.items():
            assert np.allclose(got[k], t.detach().numpy(), rtol=1e-12, atol=1e-15), (case.name, k)


def test_p11_adaboost_round_gives_kdlabs_votes():
    from kdlab.classic.ensemble import adaboost

    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 0] > 1).astype(int)  # 3 classes
    trees, alphas = adaboost(X, y, 6)
    w = np.full(len(y), 1 / len(y))
    for tree, alpha in zip(trees, alphas, strict=True):
        mine, w = solution("p11")(w, y, tree.predict(X), 3)
        assert np.isclose(mine, alpha, rtol=1e-12)


def test_p12_translate_is_kdlabs_shift_at_its_drawn_offsets():
    from kdlab.deep.augment import shift

    x = torch.rand(16, 1, 8, 8, dtype=torch.float64)
    for s in (1, 2, 3):
        out = shift(x, torch.Generator().manual_seed(5), s)
        oy, ox = torch.randint(0, 2 * s + 1, (2, 16), generator=torch.Generator().manual_seed(5))
        got = solution("p12")(x[:, 0].numpy(), (s - oy).numpy(), (s - ox).numpy())
        assert np.array_equal(got, out[:, 0].numpy())


def test_p13_cross_entropy_and_gradient_are_torchs():
    for case in cases_of("p13"):
        logits = torch.tensor(case.args[0], requires_grad=True)
        loss = F.cross_entropy(logits, torch.from_numpy(case.args[1]), label_smoothing=case.kwargs.get("label_smoothing", 0.0))
        loss.backward()
        got_loss, got_grad = solution("p13")(*case.args, **case.kwargs)
        assert np.isclose(got_loss, loss.item(), rtol=1e-10), case.name
        assert np.allclose(got_grad, logits.grad.numpy(), rtol=1e-10, atol=1e-14), case.name


def test_p15_scores_are_kdlabs_on_the_kept_pixels():
    from kdlab.deep.segment import confusion, iou_dice

    for case in cases_of("p15"):
        truth, pred, n_classes = case.args
        keep = truth != 255
        expected = iou_dice(confusion(truth[keep], pred[keep], n_classes))
        got = solution("p15")(*case.args)
        assert all(np.allclose(a, b, equal_nan=True) for a, b in zip(got, expected, strict=True)), case.name


def test_p16_recovers_a_simulated_ar2():
    rng = np.random.default_rng(1)
    y = np.zeros(5000)
    for t in range(2, len(y)):
        y[t] = 2.0 + 0.6 * y[t - 1] - 0.3 * y[t - 2] + rng.normal()
    phi, c = solution("p16")(y, 2)
    assert np.allclose(phi, [0.6, -0.3], atol=0.03) and abs(c - 2.0) < 0.1


def test_p18_fgsm_is_kdlabs_on_the_same_logistic_model():
    from kdlab.deep.adversarial import fgsm

    for case in cases_of("p18"):
        x, y, w, b, eps = case.args
        model = torch.nn.Linear(len(w), 2).double()  # logits (0, w.x + b): softmax = (1 - p, p)
        with torch.no_grad():
            model.weight.copy_(torch.from_numpy(np.stack([np.zeros_like(w), w])))
            model.bias.copy_(torch.tensor([0.0, b]))
        expected = fgsm(model, torch.from_numpy(x), torch.from_numpy(y).long(), eps).detach().numpy()
        assert np.allclose(solution("p18")(*case.args), expected, rtol=1e-12, atol=1e-14), case.name


def test_p19_adam_steps_are_torch_optim_adams():
    rng = np.random.default_rng(0)
    for betas, eps, lr in (((0.9, 0.999), 1e-8, 1e-3), ((0.5, 0.9), 1e-6, 0.05)):
        w0 = rng.normal(size=(4, 3))
        p = torch.tensor(w0.copy(), requires_grad=True)
        optimizer = torch.optim.Adam([p], lr=lr, betas=betas, eps=eps)
        w, m, v = w0.copy(), np.zeros_like(w0), np.zeros_like(w0)
        for t in range(1, 101):
            g = rng.normal(size=w0.shape) * (1e-7 if t % 3 == 0 else 1.0)  # tiny gradients: eps matters
            p.grad = torch.from_numpy(g.copy())
            optimizer.step()
            w, m, v = solution("p19")(w, g, m, v, t, lr=lr, beta1=betas[0], beta2=betas[1], eps=eps)
        assert np.allclose(w, p.detach().numpy(), rtol=1e-10, atol=1e-14)


def test_c03_soft_targets_are_kdlabs():
    from kdlab.distill.loss import soft_targets

    for case in cases_of("c03"):
        logits, T = case.args
        expected = soft_targets(torch.from_numpy(logits), T).numpy()
        assert np.allclose(solution("c03")(logits, T), expected, rtol=1e-10, atol=1e-14), case.name
