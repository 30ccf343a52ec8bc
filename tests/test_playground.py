"""The playground's numpy backprop against torch.autograd; training lowers the loss; the page's numbers."""

from pathlib import Path

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from kdlab.deep import playground as pg

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def torch_loss(params, X, y, activation, l2):
    """The same objective in torch, float64, so autograd gives the reference gradients."""
    acts = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid, "linear": lambda z: z}
    h = torch.as_tensor(X, dtype=torch.float64)
    tensors = [
        (torch.tensor(W, dtype=torch.float64, requires_grad=True), torch.tensor(b, dtype=torch.float64, requires_grad=True))
        for W, b in params
    ]
    for i, (W, b) in enumerate(tensors):
        h = h @ W + b
        if i < len(tensors) - 1:
            h = acts[activation](h)
    loss = torch.nn.functional.cross_entropy(h, torch.as_tensor(y)) + l2 / 2 * sum((W**2).sum() for W, _ in tensors)
    loss.backward()
    return loss.item(), [(W.grad.numpy(), b.grad.numpy()) for W, b in tensors]


@pytest.mark.parametrize("activation", pg.ACTIVATIONS)
@pytest.mark.parametrize("sizes", [[2, 2], [2, 5, 2], [2, 8, 3, 4, 2], [6, 7, 4]], ids=str)
@pytest.mark.parametrize("l2", [0.0, 0.05])
def test_backprop_equals_torch_autograd(activation, sizes, l2):
    rng = np.random.default_rng(1)
    params = pg.init_params(sizes, activation, rng)
    params = [(W, b + rng.normal(0, 0.3, b.shape)) for W, b in params]  # nonzero biases too
    X = rng.normal(0, 1, (13, sizes[0]))
    y = rng.integers(0, sizes[-1], 13)
    loss, grads = pg.loss_and_grads(params, X, y, activation, l2)
    ref_loss, ref_grads = torch_loss(params, X, y, activation, l2)
    assert loss == pytest.approx(ref_loss, abs=1e-10)
    for (dW, db), (rW, rb) in zip(grads, ref_grads, strict=True):
        np.testing.assert_allclose(dW, rW, atol=1e-6, rtol=0)
        np.testing.assert_allclose(db, rb, atol=1e-6, rtol=0)


def test_training_lowers_the_loss_and_separates_the_circle():
    r = pg.run(dataset="circle", n_points=200, epochs=60)
    assert not r.diverged
    assert r.objective[-1] < 0.5 * r.objective[0]
    assert r.train_loss[-1] < r.train_loss[0] and r.test_loss[-1] < r.test_loss[0]
    assert r.test_acc >= 0.85


def test_a_linear_network_cannot_bend_the_boundary():
    """Linear activations: the whole net is one affine map, so the circle stays near chance."""
    r = pg.run(dataset="circle", activation="linear", n_points=200, epochs=60)
    assert r.test_acc < 0.7
    # the log-odds over the plane is affine: its second differences vanish
    p = np.clip(r.snapshots[-1].boundary, 1e-12, 1 - 1e-12)
    logit = np.log(p / (1 - p))
    assert np.abs(np.diff(logit, 2, axis=0)).max() < 1e-6
    assert np.abs(np.diff(logit, 2, axis=1)).max() < 1e-6


def test_boundary_and_unit_pictures_are_the_network_on_the_grid():
    r = pg.run(n_points=80, epochs=5, layers=2, units=3)
    assert [u.shape for u in r.units] == [(3, pg.GRID, pg.GRID)] * 2
    assert r.snapshots[0].epoch == 0 and r.snapshots[-1].epoch == 5
    assert r.snapshots[-1].train_loss == pytest.approx(r.train_loss[-1])
    # a first-layer unit is tanh(x W[:, k] + b[k]): check it with the picture's own corner values
    corner = r.units[0][:, 0, 0]  # at (x1, x2) = (-EXTENT, -EXTENT)
    assert np.all(np.abs(corner) <= 1)
    assert len(r.y_train) + len(r.y_test) == 80 and len(r.y_test) == 40


def test_same_seed_same_run_and_data_within_bounds():
    a, b = pg.run(**pg.QUICK), pg.run(**pg.QUICK)
    np.testing.assert_array_equal(a.train_loss, b.train_loss)
    for name in pg.DATASETS:
        X, y = pg.make_data(name, 300, 0.0, np.random.default_rng(0))
        assert X.shape == (300, 2) and set(y) == {0, 1} and abs(y.mean() - 0.5) < 0.1
        assert np.abs(X).max() <= pg.EXTENT


def test_a_huge_learning_rate_is_reported_not_crashed():
    r = pg.run(lr=3.0, activation="relu", layers=3, units=8, n_points=100, epochs=50, batch_size=1)
    assert isinstance(pg.summarize(r), str)
    assert r.diverged or np.all(np.isfinite(r.train_loss))


def open_page(lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    at._page_hash = calc_hash("demo-playground")
    return at.run()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_shows_the_runs_numbers(lang):
    at = open_page(lang)
    assert not at.exception, at.exception
    r = pg.run()  # the defaults, computed here independently of the page's cache
    values = [m.value for m in at.metric]
    assert f"{r.test_acc:.1%}" in values and f"{r.test_loss[-1]:.3f}" in values
    assert str(r.n_weights) in values
    charts = at.get("plotly_chart")
    assert len(charts) == 3  # boundary, losses, hidden units
    # Change the data set and the activation, press Train: the page shows that run.
    at.selectbox(key="playground_dataset").set_value("xor")
    at.selectbox(key="playground_activation").set_value("relu")
    at.button[0].click().run()
    assert not at.exception, at.exception
    r2 = pg.run(dataset="xor", activation="relu")
    assert f"{r2.test_acc:.1%}" in [m.value for m in at.metric]


def set_controls(at: AppTest, demo: str, values: dict) -> AppTest:
    """Move each control of the page's form to `values`, then press its button."""
    for name, value in values.items():
        for kind in ("selectbox", "slider", "select_slider", "toggle"):
            try:
                widget = getattr(at, kind)(key=f"{demo}_{name}")
            except KeyError:
                continue
            widget.set_value(value)
            break
        else:
            raise AssertionError(f"no control for {name}")
    at = at.button[0].click().run()
    assert at.session_state[f"{demo}_params"] == values  # every control took its new value
    return at


def test_every_control_moves_and_the_page_shows_that_run():
    values = dict(dataset="moons", noise=0.2, n_points=100, test_fraction=0.3, layers=1, units=3,
                  activation="sigmoid", lr=0.29, l2=0.01, batch_size=5, epochs=20, seed=3)
    assert set(values) == {p.name for p in pg.PARAMS}
    at = set_controls(open_page("en"), "playground", values)
    assert not at.exception, at.exception
    r = pg.run(**values)
    shown = [m.value for m in at.metric]
    assert shown == [f"{r.test_acc:.1%}", f"{r.train_acc:.1%}", f"{r.test_loss[-1]:.3f}", str(r.n_weights)]
