"""The from-scratch optimizers against torch.optim, step for step; the surfaces' gradients against autograd;
the race, the digits runs and the learning-rate range test; the page's numbers."""

from pathlib import Path

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from kdlab.deep import optimizers as opt

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def torch_optimizer(name, params, lr, momentum, weight_decay):
    o = torch.optim
    return {
        "sgd": lambda: o.SGD(params, lr=lr),
        "momentum": lambda: o.SGD(params, lr=lr, momentum=momentum),
        "nesterov": lambda: o.SGD(params, lr=lr, momentum=momentum, nesterov=True),
        "adagrad": lambda: o.Adagrad(params, lr=lr),
        "rmsprop": lambda: o.RMSprop(params, lr=lr),
        "adam": lambda: o.Adam(params, lr=lr, betas=(momentum, 0.999)),
        "adamw": lambda: o.AdamW(params, lr=lr, betas=(momentum, 0.999), weight_decay=weight_decay),
    }[name]()


def torch_path(surface, name, lr, steps, momentum=0.9, weight_decay=0.01):
    w = torch.tensor(opt.SURFACE_INFO[surface].start, dtype=torch.float64, requires_grad=True)
    o = torch_optimizer(name, [w], lr, momentum, weight_decay)
    path = [w.detach().numpy().copy()]
    for _ in range(steps):
        o.zero_grad()
        opt.surface_value(surface, w[0], w[1]).backward()
        o.step()
        path.append(w.detach().numpy().copy())
    return np.array(path)


@pytest.mark.parametrize("name", opt.OPTIMIZERS)
@pytest.mark.parametrize("surface", opt.SURFACES)
@pytest.mark.parametrize("lr,momentum,weight_decay", [(1e-3, 0.9, 0.01), (2e-2, 0.5, 0.2)])
def test_every_iterate_equals_torch_optim(name, surface, lr, momentum, weight_decay):
    if surface == "rosenbrock" and lr > 1e-2 and name in ("sgd", "momentum", "nesterov"):
        lr = 1e-3  # plain SGD at 0.02 leaves Rosenbrock's valley for infinity; compare a finite path
    ours = opt.descend(surface, name, lr, 60, momentum, weight_decay)
    ref = torch_path(surface, name, lr, 60, momentum, weight_decay)
    assert ours.shape == ref.shape
    np.testing.assert_allclose(ours, ref, atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("name", opt.OPTIMIZERS)
def test_updates_on_a_vector_equal_torch_optim(name):
    """Many coordinates and gradients of very different sizes, as in a network."""
    rng = np.random.default_rng(0)
    A = np.diag(np.geomspace(1e-2, 1e2, 30))
    w0 = rng.normal(0, 1, 30)
    w, state = w0.copy(), {}
    t = torch.tensor(w0, requires_grad=True)
    o = torch_optimizer(name, [t], 1e-3, 0.9, 0.05)
    At = torch.tensor(A)
    for _ in range(40):
        w = opt.step(name, w, A @ w, state, 1e-3, 0.9, 0.05)
        o.zero_grad()
        (0.5 * t @ At @ t).backward()
        o.step()
        np.testing.assert_allclose(w, t.detach().numpy(), atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("surface", opt.SURFACES)
def test_surface_gradients_equal_autograd(surface):
    rng = np.random.default_rng(2)
    for w in rng.uniform(-2, 2, (5, 2)):
        t = torch.tensor(w, requires_grad=True)
        opt.surface_value(surface, t[0], t[1]).backward()
        np.testing.assert_allclose(opt.surface_grad(surface, w), t.grad.numpy(), rtol=1e-10, atol=1e-10)


def test_the_race_tunes_each_learning_rate_and_reaches_the_quadratic_minimum():
    r = opt.run(surface="quadratic", steps=200, epochs=1)
    for c in r.racers:
        assert c.lr in opt.LR_GRID and not c.diverged
        assert c.final < 1e-3, c.name  # every optimizer at its own best lr finds the bowl's bottom
        assert c.values[-1] == pytest.approx(opt.surface_value("quadratic", *c.path[-1]))


def test_a_shared_learning_rate_too_large_for_sgd_diverges_it():
    # curvature 20 along y: plain gradient descent is stable only for lr < 2/20 = 0.1
    r = opt.run(surface="quadratic", lr_mode="shared", lr=0.2, steps=100, epochs=1)
    by = {c.name: c for c in r.racers}
    assert by["sgd"].diverged
    assert not by["adam"].diverged  # Adam's step is about lr per coordinate whatever the curvature


def test_range_test_finds_divergence_and_digits_train():
    data = opt._digits(0)
    lrs, losses, diverges = opt.lr_range_test("sgd", data, 0, lr_max=50.0)
    assert diverges is not None and diverges > 0.1
    assert losses.min() < 0.9 * losses[0] and losses[-1] > min(4 * losses.min(), losses[0])
    assert np.all(np.diff(lrs) > 0)
    losses, acc = opt.train_digits("adam", 0.005, 3, 0, data)
    assert losses[-1] < losses[0] and acc > 0.85


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_shows_the_runs_numbers(lang):
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["lang"] = lang
    at.run()
    at._page_hash = calc_hash("demo-optimizers")
    at.run()
    assert not at.exception, at.exception
    r = opt.run()  # the defaults, computed independently of the page's cache
    race, digits = (df.value for df in at.dataframe)
    assert len(race) == len(digits) == len(opt.OPTIMIZERS)
    # every optimizer's tuned learning rate and every test accuracy, as the run computed them
    assert list(race.iloc[:, 1]) == [f"{c.lr:g}" for c in r.racers]
    assert list(digits.iloc[:, 3]) == [f"{d.test_acc:.1%}" for d in r.digits]
    assert list(digits.iloc[:, 4]) == [f"{rt.diverges_at:.2g}" if rt.diverges_at else "—" for rt in r.range_tests]
    assert len(at.get("plotly_chart")) == 4


def test_every_control_moves_and_the_page_shows_that_run():
    from tests.test_playground import set_controls

    values = dict(surface="saddle", steps=60, lr_mode="shared", lr=0.035, momentum=0.5, weight_decay=0.1,
                  epochs=2, digits_lr="default", seed=2)
    assert set(values) == {p.name for p in opt.PARAMS}
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["lang"] = "zh"
    at.run()
    at._page_hash = calc_hash("demo-optimizers")
    at = set_controls(at.run(), "optimizers", values)
    assert not at.exception, at.exception
    r = opt.run(**values)
    race, digits = (df.value for df in at.dataframe)
    assert list(race.iloc[:, 1]) == ["0.035"] * len(opt.OPTIMIZERS)
    assert list(race.iloc[:, 2]) == ["发散" if c.diverged else f"{c.final - r.f_min:.3g}" for c in r.racers]
    assert list(digits.iloc[:, 3]) == [f"{d.test_acc:.1%}" for d in r.digits]
