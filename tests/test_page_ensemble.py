"""The ensemble page and its question panels: the accuracies shown against an independent run, the
bias-variance study on request."""

import functools
import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.ensemble import AdaBoostClassifier
from sklearn.tree import DecisionTreeClassifier
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from kdlab.classic import ensemble
from kdlab.core.i18n import catalog
from kdlab.data import planar

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def open_url(url: str, lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at._page_hash = calc_hash(url)
    at.run()
    assert not at.exception, at.exception
    return at


@functools.cache
def default_study() -> dict:
    """The default bias-variance study (10 training sets, ~10 s): run once for every test here."""
    return ensemble.run(experiment="bias_variance").decomposition


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def sklearn_accuracies(n_estimators=50, **params):
    """One tree, one stump and AdaBoost from scikit-learn on the page's data (these are deterministic
    here), gradient boosting too: what the page's metrics must say."""
    p = {q.name: q.default for q in ensemble.PARAMS} | params
    d = planar.load(p["dataset"], p["n_samples"], p["noise"], p["seed"])
    models = {
        "tree": DecisionTreeClassifier(random_state=0),
        "stump": DecisionTreeClassifier(max_depth=1, random_state=0),
        "adaboost": AdaBoostClassifier(
            DecisionTreeClassifier(max_depth=1), n_estimators=n_estimators, random_state=0
        ),
    }
    return {k: m.fit(d.X_train, d.y_train).score(d.X_test, d.y_test) for k, m in models.items()}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_lab_shows_the_accuracies_and_runs_the_bias_variance_study_on_request(lang):
    words = catalog(lang)
    at = open_url("demo-ensemble", lang)
    expected = sklearn_accuracies()
    for method in ("tree", "stump", "adaboost"):
        assert metric(at, words[f"ensemble.method_{method}"]) == f"{expected[method]:.1%}", method
    assert len(at.get("plotly_chart")) == 2  # error curves and regions; the study waits for its button
    assert any(words["ensemble.bv_wait"] == i.value for i in at.info)

    at.slider(key="ensemble_n_resamples").set_value(3)
    at.button[1].click().run()  # the second form's button
    assert not at.exception, at.exception
    figs = [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
    assert len(figs) == 3
    bv = ensemble.run(experiment="bias_variance", n_resamples=3)
    error = next(tr for tr in figs[2]["data"] if tr["type"] == "scatter")["y"]
    np.testing.assert_allclose(error, [bv.decomposition[m]["error"] for m in ensemble.METHODS])


def test_changing_the_number_of_trees_in_the_form():
    at = open_url("demo-ensemble", "en")
    at.slider(key="ensemble_n_estimators").set_value(10)
    at.button[0].click().run()
    assert not at.exception
    assert metric(at, "AdaBoost") == f"{sklearn_accuracies(n_estimators=10)['adaboost']:.1%}"


@pytest.mark.parametrize("qid", ["p11-ensemble-learning", "c16-ensemble-learning"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_question_pages_show_the_panel(qid, lang):
    words = catalog(lang)
    at = open_url(qid, lang)
    assert metric(at, words["ensemble.method_tree"]) == f"{sklearn_accuracies()['tree']:.1%}"
    assert words["ensemble.compact_look"] in [c.value for c in at.caption]


def test_the_compact_sentence_quotes_real_runs():
    r = ensemble.run()
    acc = {m: 1 - r.test_error[m][-1] for m in ensemble.METHODS}
    bv = default_study()
    quoted = [
        f"{acc['tree']:.1%}",
        f"{min(acc[m] for m in ('bagging', 'forest', 'adaboost', 'gboost')):.1%}",
        f"{max(acc[m] for m in ('bagging', 'forest', 'adaboost', 'gboost')):.1%}",
        f"{bv['tree']['variance']:.3f}",
        f"{bv['bagging']['variance']:.3f}",
        f"{bv['tree']['error']:.1%}",
        f"{bv['bagging']['error']:.1%}",
        f"{bv['stump']['bias']:.3f}",
        f"{bv['adaboost']['bias']:.3f}",
    ]
    for lang in ("en", "zh"):
        sentence = catalog(lang)["ensemble.compact_look"]
        for q in quoted:
            assert q.rstrip("%").rstrip("0").rstrip(".") in sentence, (lang, q)
    assert bv["adaboost"]["bias"] < bv["stump"]["bias"] / 2 + 0.01


def test_p11_and_c16_quote_the_same_study():
    bv = default_study()
    root = Path(__file__).resolve().parent.parent / "questions"
    errors = [f"{bv[m]['error']:.1%}" for m in ("tree", "bagging", "forest", "adaboost", "gboost")]
    for lang in ("en", "zh"):
        p11 = (root / "coding" / f"p11-ensemble-learning.{lang}.md").read_text()
        assert all(e in p11 for e in errors), (lang, errors)
        c16 = (root / "concept" / f"c16-ensemble-learning.{lang}.md").read_text()
        for number in (
            bv["tree"]["variance"],
            bv["bagging"]["variance"],
            bv["stump"]["bias"],
            bv["adaboost"]["bias"],
        ):
            assert f"{number:.3f}" in p11 and f"{number:.3f}" in c16, (lang, number)
