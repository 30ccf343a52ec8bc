"""Attention written out against torch's, the reversal task, and the attention page's numbers."""

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from kdlab.core.params import defaults
from kdlab.core.torch_env import seeded, torch
from kdlab.deep import attention as attn
from kdlab.deep.attention import Seq2Seq, accuracy_by_length, attention, make_batch, teacher_inputs

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_attention_equals_torch_scaled_dot_product_attention():
    torch.manual_seed(0)
    q, k, v = torch.randn(5, 8), torch.randn(5, 7, 8), torch.randn(5, 7, 3)
    context, weights = attention(q, k, v)
    ref = torch.nn.functional.scaled_dot_product_attention(q[:, None, :], k, v)[:, 0]
    assert torch.allclose(context, ref, atol=1e-6)
    assert torch.allclose(weights.sum(1), torch.ones(5), atol=1e-6)
    # the weights are a softmax over q · k_i / sqrt(d), computed the long way
    i = 2
    scores = torch.tensor([[float(q[b] @ k[b, j]) / 8**0.5 for j in range(7)] for b in range(5)])
    assert torch.allclose(weights[:, i], scores.softmax(1)[:, i], atol=1e-6)


def test_targets_are_reversals_and_teacher_forcing_shifts_them():
    src, target = make_batch(np.random.default_rng(0), 4, 5)
    assert torch.equal(target, src.flip(1))
    prev = teacher_inputs(target)
    assert (prev[:, 0] == attn.START).all() and torch.equal(prev[:, 1:], target[:, :-1])


def test_greedy_decoding_equals_teacher_forcing_on_its_own_outputs():
    """Without `prev` the decoder feeds back its argmax: the same logits as forcing those very tokens."""
    with seeded(0):
        model = Seq2Seq(8, use_attention=True).eval()
    src, _ = make_batch(np.random.default_rng(1), 6, 5)
    with torch.no_grad():
        greedy, _ = model(src)
        forced, _ = model(src, teacher_inputs(greedy.argmax(2)))
    assert torch.allclose(greedy, forced, atol=1e-6)


@pytest.fixture(scope="module")
def small_run():
    return attn.run(n_train=1200, epochs=6, hidden=24, max_train_len=5)


def test_attention_beats_the_bottleneck_and_looks_at_the_mirror_position(small_run):
    r = small_run
    at5 = r.lengths.index(5)
    assert r.sequence_accuracy["attention"][at5] > r.sequence_accuracy["plain"][at5] + 0.2
    w = np.array(r.examples[0].weights)  # output step t should look at input n - 1 - t
    n = len(r.examples[0].src)
    # on (or next to: a bidirectional encoder's state also carries its neighbours) the anti-diagonal
    assert (abs(w.argmax(1) - np.arange(n)[::-1]) <= 1).all()
    assert np.allclose(w.sum(1), 1, atol=1e-5)


def test_accuracy_is_recomputed_from_the_model(small_run):
    r = small_run
    digits, sequences = accuracy_by_length(r.models["attention"], range(3, 6), r.params["seed"] + 10_000)
    assert digits == r.digit_accuracy["attention"][:3] and sequences == r.sequence_accuracy["attention"][:3]


def open_page(lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["lang"] = lang
    at.run()
    at._page_hash = calc_hash("demo-attention")
    return at.run()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_shows_this_runs_accuracy(lang):
    at = open_page(lang)
    assert not at.exception, at.exception
    r = attn.run(**defaults(attn.PARAMS))  # the same settings, trained again independently
    table = at.table[0].value
    for row, v in enumerate(attn.VARIANTS):
        _, seq = accuracy_by_length(r.models[v], range(3, r.lengths[-1] + 1), r.params["seed"] + 10_000)
        assert table.iloc[row].tolist()[1:] == [f"{a:.0%}" for a in seq]
