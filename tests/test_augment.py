"""The augmentations against scipy.ndimage and direct formulas; batched training equals separate training;
the verdicts follow from the per-seed numbers; the page's numbers."""

from pathlib import Path

import numpy as np
import pytest
import torch
from scipy import ndimage
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from kdlab.deep import augment as aug

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def batch():
    return torch.rand(6, 1, 8, 8, generator=torch.Generator().manual_seed(0), dtype=torch.float64)


@pytest.mark.parametrize("s", [1, 2])
def test_shift_equals_scipy_integer_shift(batch, s):
    out = aug.shift(batch, torch.Generator().manual_seed(3), s)
    dy, dx = torch.randint(0, 2 * s + 1, (2, len(batch)), generator=torch.Generator().manual_seed(3))
    for i in range(len(batch)):
        ref = ndimage.shift(batch[i, 0].numpy(), (s - int(dy[i]), s - int(dx[i])), order=0, mode="constant", cval=0)
        np.testing.assert_array_equal(out[i, 0].numpy(), ref)


@pytest.mark.parametrize("degrees", [-40.0, 7.5, 30.0, 90.0])
def test_rotation_equals_scipy_rotate(batch, degrees):
    out = aug.rotate_by(batch, torch.full((len(batch),), degrees))
    for i in range(len(batch)):
        ref = ndimage.rotate(batch[i, 0].numpy(), degrees, reshape=False, order=1, mode="grid-constant")
        np.testing.assert_allclose(out[i, 0].numpy(), ref, atol=1e-12)
    if degrees == 90.0:  # counter-clockwise as displayed, row 0 at the top
        np.testing.assert_allclose(out[0, 0].numpy(), np.rot90(batch[0, 0].numpy()), atol=1e-12)


def test_scaling_equals_scipy_affine_transform(batch):
    g = torch.Generator().manual_seed(5)
    out = aug.scale(batch, g, 0.3)
    z = 1 + (torch.rand(len(batch), generator=torch.Generator().manual_seed(5)) * 2 - 1) * 0.3
    c = 3.5  # the centre of an 8-pixel axis, in pixel coordinates
    for i in range(len(batch)):
        zi = float(z[i])
        ref = ndimage.affine_transform(batch[i, 0].numpy(), np.eye(2) / zi, offset=c - c / zi, order=1, mode="grid-constant")
        np.testing.assert_allclose(out[i, 0].numpy(), ref, atol=1e-6)


def test_identities(batch):
    g = torch.Generator()
    torch.testing.assert_close(aug.rotate_by(batch, torch.zeros(len(batch))), batch)
    torch.testing.assert_close(aug.scale(batch, g, 0.0), batch)
    torch.testing.assert_close(aug.shift(batch, g, 0), batch)
    torch.testing.assert_close(aug.hflip(batch, g, p=1.0), batch.flip(-1))
    torch.testing.assert_close(aug.hflip(batch, g, p=0.0), batch)


def test_cutout_zeros_exactly_one_square(batch):
    out = aug.cutout(batch + 0.5, torch.Generator().manual_seed(1), 3)  # no zero pixels before
    for i in range(len(batch)):
        zero = (out[i, 0] == 0).numpy()
        rows, cols = np.flatnonzero(zero.any(1)), np.flatnonzero(zero.any(0))
        assert zero.sum() == 9 and len(rows) == len(cols) == 3 and np.ptp(rows) == np.ptp(cols) == 2
        np.testing.assert_array_equal(out[i, 0].numpy()[~zero], (batch[i, 0] + 0.5).numpy()[~zero])


def test_noise_stays_in_range_with_the_right_spread():
    x = torch.full((200, 1, 8, 8), 0.5)
    out = aug.noise(x, torch.Generator().manual_seed(0), 0.1)
    assert float(out.min()) >= 0 and float(out.max()) <= 1
    assert float((out - x).std()) == pytest.approx(0.1, rel=0.05)


def test_mixup_mixes_images_and_labels_with_the_same_lambda(batch):
    y = torch.nn.functional.one_hot(torch.arange(6) % 3, 10).double()
    g = torch.Generator().manual_seed(2)
    x_mix, y_mix = aug.mixup(batch, y, g, alpha=0.4)
    torch.testing.assert_close(y_mix.sum(1), torch.ones(6, dtype=torch.float64))
    replay = torch.Generator().manual_seed(2)  # the same draws, in the same order
    u = torch._standard_gamma(torch.full((2, 6), 0.4), generator=replay)
    lam = (u[0] / (u[0] + u[1])).double()
    perm = torch.randperm(6, generator=replay)
    assert torch.all((lam >= 0) & (lam <= 1))
    torch.testing.assert_close(x_mix, lam[:, None, None, None] * batch + (1 - lam[:, None, None, None]) * batch[perm])
    torch.testing.assert_close(y_mix, lam[:, None] * y + (1 - lam[:, None]) * y[perm])


def test_batched_training_equals_separate_training():
    x, y, _, _ = aug.few_labels(0, 5)
    together = aug.train_together(["none", "shift", "mixup"], [x] * 3, [y] * 3, [0, 0, 1], epochs=4)
    for model, (name, seed) in zip(together, [("none", 0), ("shift", 0), ("mixup", 1)], strict=True):
        alone = aug.train(name, x, y, epochs=4, seed=seed)
        for p, q in zip(model.parameters(), alone.parameters(), strict=True):
            torch.testing.assert_close(p, q, atol=1e-5, rtol=1e-5)


def test_verdicts_follow_the_per_seed_gains():
    r = aug.run(n_per_class=5, epochs=10, seeds=3)
    base = r.rows[0]
    assert base.name == "none" and base.verdict is None
    for row in r.rows[1:]:
        gains = np.subtract(row.accs, base.accs)
        assert row.gain == pytest.approx(gains.mean())
        assert row.gain_std == pytest.approx(gains.std(ddof=1))
        expected = "helped" if row.gain > row.gain_std else "hurt" if row.gain < -row.gain_std else "unclear"
        assert row.verdict == expected
    by = {row.name: row for row in r.rows}
    assert by["hflip"].gain < 0  # a mirrored digit is another symbol


def test_too_long_a_run_is_refused():
    with pytest.raises(aug.ParamError, match="training steps"):
        aug.run(n_per_class=50, epochs=100, seeds=5)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_shows_the_runs_numbers(lang):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at._page_hash = calc_hash("demo-augment")
    at.run()
    assert not at.exception, at.exception
    r = aug.run()
    table = at.dataframe[0].value
    assert list(table.iloc[:, 1]) == [f"{row.mean:.1%} ± {row.std:.1%}" for row in r.rows]
    assert list(table.iloc[1:, 2]) == [f"{row.gain:+.1%} ± {row.gain_std:.1%}" for row in r.rows[1:]]
    assert len(at.get("plotly_chart")) == 2


def test_every_control_moves_and_the_page_shows_that_run():
    from tests.test_playground import set_controls

    values = dict(n_per_class=4, strength=0.5, epochs=6, seeds=2, seed=5)
    assert set(values) == {p.name for p in aug.PARAMS}
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = "zh"
    at.run()
    at._page_hash = calc_hash("demo-augment")
    at = set_controls(at.run(), "augment", values)
    assert not at.exception, at.exception
    r = aug.run(**values)
    table = at.dataframe[0].value
    assert list(table.iloc[:, 1]) == [f"{row.mean:.1%} ± {row.std:.1%}" for row in r.rows]
