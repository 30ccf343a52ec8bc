"""FGSM and PGD on the digits CNN: ε = 0 is clean accuracy, every perturbation stays in the ε-ball and the
pixel range, PGD is at least as strong as FGSM, and both agree with a second formulation; the page's numbers."""

from pathlib import Path

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash
from torch.func import functional_call, grad

from kdlab.core.torch_env import seeded
from kdlab.data.images import load_split
from kdlab.deep import adversarial as adv
from kdlab.deep.cnn import CNN, train_epochs

APP = str(Path(__file__).resolve().parent.parent / "app.py")
F = torch.nn.functional


@pytest.fixture(scope="module")
def trained():
    split = load_split("digits", seed=0)
    with seeded(0):
        model = CNN(8, 2, 10, 8)
    for _ in train_epochs(model, split, epochs=4, lr=0.01, batch_size=32, seed=0):
        pass
    model.eval()
    x, y = torch.as_tensor(split.x_test[:200]), torch.as_tensor(split.y_test[:200], dtype=torch.long)
    return model, x, y


def test_epsilon_zero_is_the_clean_image_and_clean_accuracy(trained):
    model, x, y = trained
    assert torch.equal(adv.fgsm(model, x, y, 0.0), x)
    assert torch.equal(adv.pgd(model, x, y, 0.0, steps=5), x)
    clean = adv.accuracy(model, x, y)
    assert adv.accuracy(model, adv.pgd(model, x, y, 0.0, steps=5), y) == clean
    fgsm_acc, pgd_acc, _ = adv.attack_curve(model, x, y, [0.0, 0.1], 5, seed=0)
    assert fgsm_acc[0] == pgd_acc[0] == clean


@pytest.mark.parametrize("eps", [0.02, 0.1, 0.3, 0.5])
def test_every_perturbation_stays_in_the_ball_and_the_pixel_range(trained, eps):
    model, x, y = trained
    for x_adv in (adv.fgsm(model, x, y, eps), adv.pgd(model, x, y, eps, steps=7, alpha=eps)):  # large steps: must clip
        assert float((x_adv - x).abs().max()) <= eps + 1e-6
        assert float(x_adv.min()) >= 0.0 and float(x_adv.max()) <= 1.0
        assert float((x_adv - x).abs().max()) > 0.5 * eps  # and it does move


def test_pgd_is_at_least_as_strong_as_fgsm(trained):
    model, x, y = trained
    fgsm_acc, pgd_acc, _ = adv.attack_curve(model, x, y, [0.05, 0.1, 0.15, 0.2], 10, seed=0)
    clean = adv.accuracy(model, x, y)
    for f, p in zip(fgsm_acc, pgd_acc, strict=True):
        assert p <= f <= clean
    assert pgd_acc[1] < clean - 0.2  # a real attack, not a no-op


def test_fgsm_is_one_pgd_step_of_size_epsilon_without_random_start(trained):
    model, x, y = trained
    a = adv.fgsm(model, x, y, 0.1)
    b = adv.pgd(model, x, y, 0.1, steps=1, alpha=0.1, random_start=False)
    assert torch.equal(a, b)


def pgd_delta_form(model, x, y, eps, steps, alpha, start_noise):
    """The second formulation: optimise the perturbation δ itself, gradient from torch.func over the
    model's parameters as plain tensors, projection written on δ (δ ∈ [-ε, ε] and x + δ ∈ [0, 1])."""
    params = {k: v.detach() for k, v in model.named_parameters()}

    def loss(delta):
        return F.cross_entropy(functional_call(model, params, (x + delta,)), y, reduction="sum")

    delta = (x + eps * start_noise).clamp(0, 1) - x
    for _ in range(steps):
        delta = delta + alpha * torch.sign(grad(loss)(delta))
        delta = delta.clamp(-eps, eps)
        delta = (x + delta).clamp(0, 1) - x
    return x + delta


@pytest.mark.parametrize("eps,steps", [(0.05, 3), (0.1, 10), (0.2, 5)])
def test_pgd_agrees_with_the_delta_formulation(trained, eps, steps):
    model, x, y = trained
    gen = torch.Generator().manual_seed(7)
    ours = adv.pgd(model, x, y, eps, steps, generator=gen)
    noise = torch.rand(x.shape, generator=torch.Generator().manual_seed(7), dtype=x.dtype) * 2 - 1
    ref = pgd_delta_form(model, x, y, eps, steps, 2.5 * eps / steps, noise)
    torch.testing.assert_close(ours, ref, atol=1e-6, rtol=0)  # measured: at most 6e-8 apart
    assert adv.accuracy(model, ours, y) == adv.accuracy(model, ref, y)


def test_input_gradient_equals_finite_differences(trained):
    model, x, y = trained
    # a little noise: blank 8x8 borders give exact ties in max-pooling, where the loss has a kink
    x64, y1 = x[:1].double() + 0.01 * torch.rand(x[:1].shape, generator=torch.Generator().manual_seed(0)), y[:1]
    model64 = CNN(8, 2, 10, 8).double()
    model64.load_state_dict({k: v.double() for k, v in model.state_dict().items()})
    g = adv.input_gradient(model64, x64, y1)
    rng = np.random.default_rng(0)
    with torch.no_grad():
        for _ in range(5):
            i, j = rng.integers(0, 8, 2)
            e = torch.zeros_like(x64)
            e[0, 0, i, j] = 1e-6
            up = F.cross_entropy(model64(x64 + e), y1, reduction="sum")
            down = F.cross_entropy(model64(x64 - e), y1, reduction="sum")
            assert float(g[0, 0, i, j]) == pytest.approx(float(up - down) / 2e-6, rel=1e-5, abs=1e-7)


def test_adversarial_training_raises_robust_accuracy():
    r = adv.run(epochs=4, pgd_steps=5)
    s, a = r.robust["standard"], r.robust["adversarial"]
    assert a["pgd"] > s["pgd"] + 0.05
    split = load_split("digits", seed=0)  # clean accuracy from the model itself, not the curve's first point
    with torch.no_grad():
        clean = float((r.model(torch.as_tensor(split.x_test)).argmax(1).numpy() == split.y_test).mean())
    assert r.clean_acc == pytest.approx(clean) and r.pgd_acc[0] == pytest.approx(clean)
    assert all(p <= f for f, p in zip(r.fgsm_acc, r.pgd_acc, strict=True))
    assert np.all(np.diff(r.pgd_acc) <= 0)
    for e in r.examples:
        assert np.abs(e.adversarial - e.image).max() <= 0.1 + 1e-6


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_shows_the_runs_numbers(lang):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at._page_hash = calc_hash("demo-adversarial")
    at.run()
    assert not at.exception, at.exception
    r = adv.run()  # the defaults, recomputed here
    values = [m.value for m in at.metric]
    assert values[:3] == [f"{r.acc_at_eps['clean']:.1%}", f"{r.acc_at_eps['fgsm']:.1%}", f"{r.acc_at_eps['pgd']:.1%}"]
    charts = at.get("plotly_chart")
    assert len(charts) == 3  # accuracy against ε, the examples, adversarial training
    assert any(f"{r.robust['adversarial']['pgd']:.1%}" in m.value for m in at.markdown)


def test_attacks_leave_the_weights_and_their_gradients_alone(trained):
    model, x, y = trained
    before = {k: v.clone() for k, v in model.state_dict().items()}
    for p in model.parameters():
        p.grad = None  # training left its last gradients here
    adv.fgsm(model, x, y, 0.1)
    adv.pgd(model, x, y, 0.1, steps=3)
    assert all(p.grad is None for p in model.parameters())
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_every_control_moves_and_the_page_shows_that_run():
    from tests.test_playground import set_controls

    values = dict(epsilon=0.2, pgd_steps=3, epochs=2, train_steps=1, adversarial_training=False, seed=1)
    assert set(values) == {p.name for p in adv.PARAMS}
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = "en"
    at.run()
    at._page_hash = calc_hash("demo-adversarial")
    at = set_controls(at.run(), "adversarial", values)
    assert not at.exception, at.exception
    r = adv.run(**values)
    shown = [m.value for m in at.metric][:3]
    assert shown == [f"{r.acc_at_eps['clean']:.1%}", f"{r.acc_at_eps['fgsm']:.1%}", f"{r.acc_at_eps['pgd']:.1%}"]
    assert len(at.get("plotly_chart")) == 2  # no adversarial-training chart when it is off
