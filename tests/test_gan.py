"""GAN losses against binary cross-entropy, mode counting against a loop, and the GAN page's numbers."""

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from kdlab.core.params import defaults
from kdlab.core.torch_env import torch
from kdlab.deep import gan
from kdlab.deep.gan import CENTRES, STD, d_loss, g_loss, mode_coverage, real_samples

APP = str(Path(__file__).resolve().parent.parent / "app.py")
bce = torch.nn.functional.binary_cross_entropy_with_logits


def test_losses_equal_binary_cross_entropy():
    torch.manual_seed(0)
    real, fake = torch.randn(50) * 3, torch.randn(50) * 3
    ones, zeros = torch.ones(50), torch.zeros(50)
    assert torch.allclose(d_loss(real, fake), bce(real, ones) + bce(fake, zeros), atol=1e-6)
    assert torch.allclose(g_loss(fake, "non_saturating"), bce(fake, ones), atol=1e-6)
    assert torch.allclose(g_loss(fake, "minimax"), -bce(fake, zeros), atol=1e-6)


def test_minimax_gradient_vanishes_where_d_wins():
    """Where D confidently rejects a fake (logit -8), minimax's gradient is ~σ(-8); non-saturating's ~1."""
    a = torch.tensor([-8.0], requires_grad=True)
    (grad_mm,) = torch.autograd.grad(g_loss(a, "minimax"), a)
    (grad_ns,) = torch.autograd.grad(g_loss(a, "non_saturating"), a)
    assert abs(grad_mm.item()) < 1e-3 and abs(grad_ns.item()) > 0.99


def test_mode_coverage_equals_a_loop():
    rng = np.random.default_rng(0)
    near_three = CENTRES[rng.integers(3, size=600)] + rng.normal(0, 0.3, (600, 2))  # loosely around 3 modes
    points = np.vstack([real_samples(rng, 300), near_three])
    points = np.vstack([points, CENTRES[5] + rng.normal(0, 0.01, (10, 2))])  # a mode with too few points
    modes, good, per_mode = mode_coverage(points)
    counts = np.zeros(8, int)
    for p in points:
        d = [np.hypot(*(p - c)) for c in CENTRES]
        if min(d) <= 3 * STD:
            counts[int(np.argmin(d))] += 1
    assert per_mode.tolist() == counts.tolist()
    assert good == pytest.approx(counts.sum() / len(points))
    assert modes == int((counts >= 0.01 * len(points)).sum())
    assert mode_coverage(real_samples(rng, 2000))[0] == 8  # the real data cover every mode


@pytest.fixture(scope="module")
def small_run():
    return gan.run(steps=300, hidden=16)


def test_a_run_is_deterministic_and_counts_its_own_samples(small_run):
    r = small_run
    again = gan.run(steps=300, hidden=16)
    assert again.history_modes == r.history_modes and again.per_mode == r.per_mode
    z = torch.randn(gan.N_EVAL, 2, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        assert mode_coverage(r.generator(z).numpy())[0] == r.modes
    assert [s.step for s in r.snapshots] == [0, 60, 120, 180, 240, 300]


def open_page(lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["lang"] = lang
    at.run()
    at._page_hash = calc_hash("demo-gan")
    return at.run()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_shows_this_runs_modes(lang):
    at = open_page(lang)
    assert not at.exception, at.exception
    r = gan.run(**defaults(gan.PARAMS))  # the same settings, trained again independently
    z = torch.randn(gan.N_EVAL, 2, generator=torch.Generator().manual_seed(r.params["seed"] + 1))
    with torch.no_grad():
        modes, good, _ = mode_coverage(r.generator(z).numpy())
    shown = [m.value for m in at.metric]
    assert f"{modes} / 8" in shown and f"{good:.1%}" in shown
