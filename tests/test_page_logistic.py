"""The logistic-regression page and its question panel: the numbers shown against scikit-learn."""

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from kdlab.classic import logistic
from kdlab.core.i18n import catalog
from kdlab.data import planar

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def open_url(url: str, lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    at._page_hash = calc_hash(url)
    at.run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def figures(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def sklearn_accuracy(**params):
    """Test accuracy and C of scikit-learn's LogisticRegression on the same data, features and objective."""
    p = {q.name: q.default for q in logistic.PARAMS} | params
    data = planar.load(p["dataset"], p["n_samples"], p["noise"], p["seed"])
    C = 1 / (len(data.y_train) * p["l2"])
    pipe = make_pipeline(PolynomialFeatures(p["degree"], include_bias=False), StandardScaler(),
                         LogisticRegression(C=C, tol=1e-10, max_iter=10_000)).fit(data.X_train, data.y_train)  # fmt: skip
    return pipe.score(data.X_test, data.y_test), C


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_lab_shows_sklearns_accuracy_and_C_and_retrains_from_the_form(lang):
    words = catalog(lang)
    at = open_url("demo-logistic", lang)
    acc, C = sklearn_accuracy()
    assert metric(at, words["logistic.test_acc"]) == f"{acc:.1%}"
    assert metric(at, words["logistic.sklearn_C"]) == f"{C:.4g}"
    assert float(metric(at, words["logistic.gap"])) < 1e-3
    figs = figures(at)
    assert len(figs) == 4
    surface = figs[0]
    assert len(surface["frames"]) == len(logistic.run().frame_steps)  # the slider replays every snapshot
    assert surface["layout"]["sliders"][0]["steps"][-1]["label"] == str(logistic.PARAMS[4].default)

    at.selectbox(key="logistic_dataset").set_value("circles")
    at.slider(key="logistic_degree").set_value(2)
    at.slider(key="logistic_l2").set_value(0.01)
    at.button[0].click().run()
    assert not at.exception, at.exception
    acc, C = sklearn_accuracy(dataset="circles", degree=2, l2=0.01)
    assert metric(at, words["logistic.test_acc"]) == f"{acc:.1%}"
    assert metric(at, words["logistic.sklearn_C"]) == f"{C:.4g}"


def test_separable_features_without_penalty_are_flagged():
    at = open_url("demo-logistic", "en")
    at.slider(key="logistic_degree").set_value(6)
    at.slider(key="logistic_l2").set_value(0.0)
    at.button[0].click().run()
    assert not at.exception
    assert metric(at, "|GD − optimum|") == "—" and metric(at, "scikit-learn C = 1/(nλ)") == "∞"
    assert any("No finite optimum" in w.value for w in at.warning)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_question_page_shows_the_panel_and_its_controls_move_it(lang):
    words = catalog(lang)
    at = open_url("p02-logistic-regression", lang)
    acc, _ = sklearn_accuracy()
    assert metric(at, words["logistic.test_acc"]) == f"{acc:.1%}"
    assert words["logistic.compact_look"] in [c.value for c in at.caption]
    at.slider(key="compact_logistic_degree").set_value(1).run()
    assert not at.exception
    acc1, _ = sklearn_accuracy(degree=1)
    assert metric(at, words["logistic.test_acc"]) == f"{acc1:.1%}"


def test_the_compact_sentence_quotes_real_runs():
    shown = {
        "degree 1": logistic.run(degree=1).test_accuracy,
        "degree 3": logistic.run(degree=3).test_accuracy,
        "degree 3, l2 0.1": logistic.run(degree=3, l2=0.1).test_accuracy,
    }
    for lang in ("en", "zh"):
        sentence = catalog(lang)["logistic.compact_look"]
        for value in shown.values():
            assert f"{value:.0%}" in sentence, (lang, shown)
    assert logistic.run(degree=6, l2=0.0).w_opt is None
    assert np.isclose(shown["degree 1"], 0.85)
