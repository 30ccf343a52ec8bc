"""The digits GAN: the judge's scores against an independent formulation and on real digits and noise,
each network's step moving the right way, a run scoring its own samples, and the page's numbers."""

from pathlib import Path

import numpy as np
import pytest
from scipy.stats import entropy
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from kdlab.core.params import defaults
from kdlab.core.torch_env import seeded, torch
from kdlab.data.images import load_digits_split
from kdlab.deep import gan, gan_digits
from kdlab.deep.gan_digits import eval_noise, judge_images, judge_scores, sample, train_step

APP = str(Path(__file__).resolve().parent.parent / "app.py")
SMALL = {"epochs": 10, "hidden": 32}


def test_the_judge_is_sure_of_real_digits_and_not_of_noise():
    real = judge_scores(judge_images(load_digits_split(0).x_test * 2 - 1))
    assert real.covered == 10 and real.spread > 3.25 and real.confidence > 0.9 and real.inception > 7
    noise = judge_scores(judge_images(np.random.default_rng(1).uniform(-1, 1, (500, 64))))
    assert noise.confidence < real.confidence - 0.2 and noise.inception < real.inception / 2
    assert real == gan_digits.references()[0]  # the page's reference row is this reading


def test_scores_equal_an_independent_formulation():
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.full(10, 0.3), size=400)
    probs[:150] = rng.dirichlet(np.r_[20.0, np.full(9, 0.1)], size=150)  # many confident zeros
    s = judge_scores(probs)
    counts = np.zeros(10)
    for row in probs:
        counts[int(np.argmax(row))] += 1
    assert s.shares == pytest.approx(counts / len(probs))
    assert s.spread == pytest.approx(entropy(counts, base=2), abs=1e-12)
    assert s.covered == sum(c / len(probs) >= 0.02 for c in counts)
    assert s.confidence == pytest.approx(np.mean([max(row) for row in probs]))
    # Inception score: exp(E KL(p(y|x) || p(y))) = exp(H(p(y)) − E H(p(y|x))) when p(y) is the mean.
    mutual = entropy(probs.mean(0)) - np.mean([entropy(row) for row in probs])
    assert s.inception == pytest.approx(np.exp(mutual), rel=1e-6)


def test_collapse_scores_zero_spread_and_one_digit():
    probs = np.tile(np.r_[0.05, 0.55, np.full(8, 0.05)], (500, 1))  # 500 copies of one "1"
    s = judge_scores(probs)
    assert (s.covered, s.spread, s.inception) == (1, 0.0, pytest.approx(1.0))
    assert str(s.spread) == "0.0" and s.confidence == pytest.approx(0.55)


def test_the_losses_are_the_rings_and_equal_bce_with_logits():
    assert gan_digits.d_loss is gan.d_loss and gan_digits.g_loss is gan.g_loss
    bce = torch.nn.BCEWithLogitsLoss()
    torch.manual_seed(0)
    real, fake = torch.randn(64, 1) * 4, torch.randn(64, 1) * 4
    ones, zeros = torch.ones(64, 1), torch.zeros(64, 1)
    assert torch.allclose(gan_digits.d_loss(real, fake), bce(real, ones) + bce(fake, zeros), atol=1e-6)
    assert torch.allclose(gan_digits.g_loss(fake), bce(fake, ones), atol=1e-6)


@pytest.mark.parametrize("kind", gan.G_LOSSES)
def test_each_step_moves_its_own_network_the_right_way(kind):
    """With D frozen (lr 0), G's step raises D's logit on G(z); with G frozen, D's step widens real − fake."""
    x = torch.as_tensor(load_digits_split(0).x_train[:64].reshape(-1, 64) * 2 - 1)
    z = torch.randn(64, 16, generator=torch.Generator().manual_seed(0))
    with seeded(0):
        G, D = gan_digits.generator(16, 32), gan.mlp(64, 32, 1)
    sgd = torch.optim.SGD

    def fake_logit() -> float:
        with torch.no_grad():
            return D(G(z)).mean().item()

    before, d_weights = fake_logit(), [p.clone() for p in D.parameters()]
    train_step(G, D, sgd(G.parameters(), lr=1e-3), sgd(D.parameters(), lr=0.0), x, z, kind)
    assert fake_logit() > before
    assert all(torch.equal(a, b) for a, b in zip(d_weights, D.parameters(), strict=True))

    def gap() -> float:
        with torch.no_grad():
            return D(x).mean().item() - D(G(z)).mean().item()

    before, g_weights = gap(), [p.clone() for p in G.parameters()]
    train_step(G, D, sgd(G.parameters(), lr=0.0), sgd(D.parameters(), lr=1e-3), x, z, kind)
    assert gap() > before
    assert all(torch.equal(a, b) for a, b in zip(g_weights, G.parameters(), strict=True))


@pytest.fixture(scope="module")
def small_run():
    return gan_digits.run(**SMALL)


def test_a_run_scores_its_own_samples(small_run):
    r = small_run
    fake = sample(r.generator, eval_noise(r.params["seed"], r.params["z_dim"]))
    assert judge_scores(judge_images(fake)) == r.final
    assert np.allclose(r.snapshots[-1].images, (fake[:10].reshape(-1, 8, 8) + 1) / 2)
    assert [s.epoch for s in r.snapshots] == [0, 2, 4, 6, 8, 10] and r.history_epoch == list(range(11))
    assert r.history_spread[0] < 1  # untrained, G gives nearly the same smudge for every z: one or two digits


def test_a_run_is_deterministic():
    a, b = gan_digits.run(**gan_digits.QUICK), gan_digits.run(**gan_digits.QUICK)
    assert a.history_confidence == b.history_confidence and a.final == b.final


def open_page(lang: str, params: dict) -> AppTest:
    """The page with its form's settings already chosen (a small run, not the default one)."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.session_state["gan_digits_params"] = params
    at.run()
    at._page_hash = calc_hash("demo-gan_digits")
    return at.run()


def shown(r) -> list[str]:
    return [f"{r.final.covered} / 10", f"{r.final.confidence:.1%}", f"{r.final.inception:.2f}"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_shows_this_runs_scores_beside_real_digits_and_noise(lang):
    params = defaults(gan_digits.PARAMS) | SMALL
    at = open_page(lang, params)
    assert not at.exception, at.exception
    r = gan_digits.run(**params)  # trained again, independently of the page's stored result
    metrics = [m.value for m in at.metric]
    assert metrics[0] == shown(r)[0] and metrics[2:4] == shown(r)[1:]
    assert metrics[1].startswith(f"{r.final.spread:.2f} ")
    table = at.table[0].value
    real = judge_scores(judge_images(load_digits_split(0).x_test * 2 - 1))
    rows = [list(table.iloc[i]) for i in range(3)]  # generated, real held-out, noise
    assert [rows[0][1], rows[0][3], rows[0][4]] == shown(r)
    assert [rows[1][1], rows[1][3], rows[1][4]] == [f"{real.covered} / 10", f"{real.confidence:.1%}",
                                                    f"{real.inception:.2f}"]  # fmt: skip
    assert len(at.get("plotly_chart")) == 3


def test_every_control_moves_and_the_page_shows_that_run():
    values = dict(g_loss="minimax", epochs=3, hidden=24, z_dim=8, lr=0.005, seed=3)
    assert set(values) == {p.name for p in gan_digits.PARAMS}
    at = open_page("en", defaults(gan_digits.PARAMS) | {"epochs": 2, "hidden": 16})
    at.selectbox(key="gan_digits_g_loss").set_value(values["g_loss"])
    for name in ("epochs", "hidden", "z_dim", "seed"):
        at.slider(key=f"gan_digits_{name}").set_value(values[name])
    at.select_slider(key="gan_digits_lr").set_value(values["lr"])
    at = at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.session_state["gan_digits_params"] == values
    metrics = [m.value for m in at.metric]
    assert [metrics[0], *metrics[2:4]] == shown(gan_digits.run(**values))
