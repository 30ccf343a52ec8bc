"""Transfer learning: the batched per-run Adam equals torch.optim.Adam with parameter groups, run by run;
frozen means frozen; the new head replaces the old one; the page's numbers."""

import copy
from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from kdlab.data.images import load_digits_split
from kdlab.deep import transfer as tr

APP = str(Path(__file__).resolve().parent.parent / "app.py")
F = torch.nn.functional


@pytest.fixture(scope="module")
def source():
    split = load_digits_split(0)
    x, y = tr._task(split.x_train, split.y_train, tr.SOURCE)
    return tr.pretrain(x, y, epochs=2, lr=0.01, seed=0), split


def separate(start, lrs, x, y, gen, steps):
    """One run the plain way: torch.optim.Adam with a body group and a head group."""
    model = copy.deepcopy(start)
    body = [p for n, p in model.named_parameters() if tr.is_body(n)]
    head = [p for n, p in model.named_parameters() if not tr.is_body(n)]
    opt = torch.optim.Adam([{"params": body, "lr": lrs[0]}, {"params": head, "lr": lrs[1]}])
    for _ in range(steps):
        idx = torch.randint(0, len(x), (tr.BATCH,), generator=gen)
        loss = F.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


def test_batched_runs_equal_torch_adam_with_parameter_groups(source):
    model, split = source
    xt, yt = tr._task(split.x_train, split.y_train, tr.TARGET)
    runs = [("scratch", 5), ("frozen", 5), ("finetune", 15), ("lower_lr", 15)]
    starts = [tr.start_weights(m, model, head_seed=3) for m, _ in runs]
    lrs = [tr.body_and_head_lr(m, 0.01, 0.1) for m, _ in runs]
    xs = [torch.as_tensor(xt[:n]) for _, n in runs]
    ys = [torch.as_tensor(yt[:n], dtype=torch.long) for _, n in runs]
    together = tr.train_together(starts, lrs, xs, ys, [torch.Generator().manual_seed(k) for k in range(4)], 30)
    for k, trained in enumerate(together):
        alone = separate(starts[k], lrs[k], xs[k], ys[k], torch.Generator().manual_seed(k), 30)
        for (name, p), q in zip(trained.named_parameters(), alone.parameters(), strict=True):
            torch.testing.assert_close(p, q, atol=1e-5, rtol=1e-4, msg=f"{runs[k]} {name}")


def test_start_weights_keep_the_body_and_replace_the_head(source):
    model, _ = source
    new = tr.start_weights("finetune", model, head_seed=1)
    scratch = tr.start_weights("scratch", model, head_seed=1)
    for (name, w), src in zip(new.state_dict().items(), model.state_dict().values(), strict=True):
        if tr.is_body(name):
            assert torch.equal(w, src)
        else:
            assert w.shape[0] == len(tr.TARGET) and torch.equal(w, scratch.state_dict()[name])
    assert not torch.equal(scratch.state_dict()["blocks.0.0.weight"], model.state_dict()["blocks.0.0.weight"])
    assert tr.body_and_head_lr("frozen", 0.01, 0.1) == (0.0, 0.01)
    assert tr.body_and_head_lr("lower_lr", 0.01, 0.1) == pytest.approx((0.001, 0.01))


def test_run_reports_every_point_and_frozen_bodies_stay_put():
    r = tr.run(steps=30, pretrain_epochs=2, seeds=2)
    assert r.frozen_unchanged and r.source_acc > 0.9
    assert len(r.points) == len(tr.METHODS) * len(tr.N_GRID)
    for pt in r.points:
        assert len(pt.accs) == 2 and 0.0 <= pt.mean <= 1.0
    # more labels help every method
    for m in tr.METHODS:
        curve = r.curve(m)
        assert curve[-1].mean > curve[0].mean


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_shows_the_runs_numbers(lang):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at._page_hash = calc_hash("demo-transfer")
    at.run()
    assert not at.exception, at.exception
    r = tr.run()
    table = at.dataframe[0].value
    for j, m in enumerate(tr.METHODS, start=1):
        assert list(table.iloc[:, j]) == [f"{pt.mean:.1%} ± {pt.std:.1%}" for pt in r.curve(m)]
    assert len(at.get("plotly_chart")) == 1


def test_every_control_moves_and_the_page_shows_that_run():
    from tests.test_playground import set_controls

    values = dict(steps=30, lr=0.0056, body_lr_factor=0.38, pretrain_epochs=2, seeds=1, seed=4)
    assert set(values) == {p.name for p in tr.PARAMS}
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = "en"
    at.run()
    at._page_hash = calc_hash("demo-transfer")
    at = set_controls(at.run(), "transfer", values)
    assert not at.exception, at.exception
    r = tr.run(**values)
    table = at.dataframe[0].value
    for j, m in enumerate(tr.METHODS, start=1):
        assert list(table.iloc[:, j]) == [f"{pt.mean:.1%} ± {pt.std:.1%}" for pt in r.curve(m)]
