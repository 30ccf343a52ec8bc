"""The review generator, the GRU written out, the saliency, and the RNN page's numbers."""

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from kdlab.core.params import defaults
from kdlab.core.torch_env import seeded, torch
from kdlab.deep import rnn_text
from kdlab.deep.rnn_text import (
    NEGATIONS,
    POLARITY,
    WORDS,
    CNNClassifier,
    GRUCell,
    GRUClassifier,
    bag_of_words,
    build_vocab,
    encode,
    generate,
    saliency,
)

APP = str(Path(__file__).resolve().parent.parent / "app.py")
SMALL = {"n_train": 600, "epochs": 6}


def test_gru_cell_equals_torch_gru_cell():
    with seeded(0):
        ours = GRUCell(5, 7)
    ref = torch.nn.GRUCell(5, 7)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(ref, name).copy_(getattr(ours, name))
    x, h = torch.randn(11, 5), torch.randn(11, 7)
    assert torch.allclose(ours(x, h), ref(x, h), atol=1e-6, rtol=0)


def test_the_classifier_reads_the_state_after_the_last_real_word():
    """Masked steps leave h alone: the same final state as torch.nn.GRU on packed sequences."""
    tokens = [["the", "screen", "is", "not", "good"], ["质量", "差"], ["the", "price", "is", "great"]]
    vocab = build_vocab(tokens)
    ids, mask = encode(tokens, vocab)
    with seeded(1):
        model = GRUClassifier(len(vocab), 6)
    ref = torch.nn.GRU(rnn_text.EMBED, 6, batch_first=True)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(ref, f"{name}_l0").copy_(getattr(model.cell, name))
        packed = torch.nn.utils.rnn.pack_padded_sequence(
            model.embed(ids), mask.sum(1), batch_first=True, enforce_sorted=False
        )
        _, h = ref(packed)
        assert torch.allclose(model(ids, mask), model.head(h[0]), atol=1e-6)
        # and a review's logits do not depend on the padding next to it
        alone = model(*encode(tokens[1:2], vocab))
        assert torch.allclose(alone, model(ids, mask)[1:2], atol=1e-6)
        cnn = CNNClassifier(len(vocab), 4)
        assert torch.allclose(cnn(*encode(tokens[1:2], vocab)), cnn(ids, mask)[1:2], atol=1e-6)


def test_the_generator_is_deterministic_per_seed():
    a, b, c = generate(300, 5), generate(300, 5), generate(300, 6)
    assert a.tokens == b.tokens and np.array_equal(a.labels, b.labels) and np.array_equal(a.kinds, b.kinds)
    assert a.tokens != c.tokens
    assert set(generate(50, 0, language="zh").langs) == {"zh"}
    assert set(a.langs) == {"en", "zh"}


def adjectives(words):
    return [w for w in words if w in POLARITY]


def test_each_kind_is_what_it_claims():
    r = generate(3000, 3, negated_share=0.3, contrast_share=0.3)
    counts = {k: int((r.kinds == k).sum()) for k in rnn_text.KINDS}
    assert all(abs(counts[k] / 3000 - share) < 0.04 for k, share in (("negated", 0.3), ("contrast", 0.3)))
    assert 0.45 < r.labels.mean() < 0.55
    buts = {w for lang in WORDS.values() for w in lang["but"]}
    for words, label, kind in zip(r.tokens, r.labels, r.kinds, strict=True):
        sign = 1 if label else -1
        adj = adjectives(words)
        has_not = any(w in NEGATIONS for w in words)
        if kind == "plain":  # one adjective, no negation, no "but": the adjective is the label
            assert len(adj) == 1 and not has_not and not buts & set(words)
            assert POLARITY[adj[0]] == sign
        elif kind == "negated":  # a negation right before the one adjective, whose polarity is the opposite
            assert len(adj) == 1 and has_not and not buts & set(words)
            assert words[words.index(adj[0]) - 1] in NEGATIONS
            assert POLARITY[adj[0]] == -sign
        else:  # two clauses of opposite polarity; the one after "but" is the label
            assert len(adj) == 2 and not has_not
            cut = next(i for i, w in enumerate(words) if w in buts)
            assert POLARITY[adjectives(words[:cut])[0]] == -sign
            assert POLARITY[adjectives(words[cut:])[0]] == sign
    # Every negated review has a plain twin with the same adjective and the other label: a word count
    # model that gets the plain ones right must get the negated ones wrong unless "not" outweighs it.


def test_bag_of_words_counts_like_sklearn():
    from sklearn.feature_extraction.text import CountVectorizer

    r = generate(200, 0)
    vocab = build_vocab(r.tokens)
    ours = bag_of_words(r.tokens, vocab)
    ref = CountVectorizer(analyzer=lambda words: words, vocabulary={w: i for w, i in vocab.items()})
    assert np.array_equal(ours, ref.fit_transform(r.tokens).toarray())


def test_saliency_is_the_directional_derivative_along_each_word():
    """gradient · embedding of word t = d/dε f(embeddings with word t scaled by 1 + ε), by finite differences."""
    tokens = [["the", "screen", "is", "not", "bad"]]
    vocab = build_vocab([*tokens, ["good", "but"]])
    ids, mask = encode(tokens, vocab)
    with seeded(2):
        model = GRUClassifier(len(vocab), 5).double()
    _, sal = saliency(model, ids, mask)
    emb = model.embed(ids).detach()

    def margin(e):
        with torch.no_grad():
            out = model(ids, mask, emb=e)
        return (out[0, 1] - out[0, 0]).item()

    eps = 1e-6
    for t in range(len(tokens[0])):
        up, down = emb.clone(), emb.clone()
        up[0, t] *= 1 + eps
        down[0, t] *= 1 - eps
        assert sal[0, t] == pytest.approx((margin(up) - margin(down)) / (2 * eps), abs=1e-6)


@pytest.fixture(scope="module")
def small_runs():
    return [rnn_text.run(**SMALL, seed=s) for s in (0, 1)]


def test_order_matters_bag_of_words_fails_on_negation_and_contrast(small_runs):
    for r in small_runs:
        a = r.accuracy
        assert a["bow"]["plain"] > 0.85  # the easy part
        assert a["bow"]["negated"] < 0.3  # "not bad" reads as bad
        assert 0.3 < a["bow"]["contrast"] < 0.7  # the same bag either way round: a coin flip
        assert a["gru"]["negated"] > 0.9 and a["gru"]["contrast"] > 0.9 and a["gru"]["all"] > 0.95


def test_accuracies_are_recomputed_from_the_models(small_runs):
    r = small_runs[0]
    ids, mask = encode(r.test.tokens, r.vocab)
    pred = rnn_text.predict(r.models["gru"], ids, mask)
    right = pred == r.test.labels
    assert r.accuracy["gru"]["all"] == pytest.approx(right.mean())
    neg = r.test.kinds == "negated"
    assert r.accuracy["gru"]["negated"] == pytest.approx(right[neg].mean())
    bow = r.models["bow"].predict(bag_of_words(r.test.tokens, r.vocab))
    assert r.accuracy["bow"]["negated"] == pytest.approx((bow == r.test.labels)[neg].mean())


# --- the page ---------------------------------------------------------------------------------


def open_page(lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at._page_hash = calc_hash("demo-rnn")
    return at.run()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_shows_this_runs_accuracies(lang):
    at = open_page(lang)
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) >= 4
    table = at.table[0].value
    r = rnn_text.run(**defaults(rnn_text.PARAMS))  # an independent run of the same settings
    ids, mask = encode(r.test.tokens, r.vocab)
    right = rnn_text.predict(r.models["gru"], ids, mask) == r.test.labels
    neg = r.test.kinds == "negated"
    shown = table.iloc[1].tolist()  # the GRU row
    assert f"{right.mean():.1%}" in shown and f"{right[neg].mean():.1%}" in shown
    bow = r.models["bow"].predict(bag_of_words(r.test.tokens, r.vocab)) == r.test.labels
    assert f"{bow[neg].mean():.1%}" == table.iloc[0, 3]
    # picking another review reruns only the fragment, from the stored models
    at.selectbox(key="rnn_pick").set_value(5).run()
    assert not at.exception, at.exception
