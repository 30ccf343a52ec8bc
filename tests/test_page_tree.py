"""The decision-tree page and its question panel: the numbers shown against scikit-learn's tree."""

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.tree import DecisionTreeClassifier
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from kdlab.classic import tree
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


def sklearn_numbers(**params):
    """Train and test accuracy and leaves of scikit-learn's tree with the same settings on the same data."""
    p = {q.name: q.default for q in tree.PARAMS} | params
    data = planar.load(p["dataset"], p["n_samples"], p["noise"], p["seed"])
    sk = DecisionTreeClassifier(criterion=p["criterion"], max_depth=p["max_depth"],
                                min_samples_leaf=p["min_samples_leaf"], random_state=0).fit(data.X_train, data.y_train)  # fmt: skip
    return sk.score(data.X_train, data.y_train), sk.score(data.X_test, data.y_test), sk.get_n_leaves()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_lab_shows_sklearns_numbers_and_regrows_from_the_form(lang):
    words = catalog(lang)
    at = open_url("demo-tree", lang)
    train, test, leaves = sklearn_numbers()
    assert metric(at, words["tree.train_acc"]) == f"{train:.1%}"
    assert metric(at, words["tree.test_acc"]) == f"{test:.1%}"
    assert metric(at, words["tree.leaves"]) == str(leaves)
    diagram = figures(at)[2]
    assert len(diagram["data"][1]["hovertext"]) == 2 * leaves - 1  # binary: every inner node has two children
    assert any(m.value.startswith("x") for m in at.code)  # the indented text rendering

    at.selectbox(key="tree_criterion").set_value("entropy")
    at.slider(key="tree_max_depth").set_value(8)
    at.slider(key="tree_min_samples_leaf").set_value(5)
    at.button[0].click().run()
    assert not at.exception, at.exception
    train, test, leaves = sklearn_numbers(criterion="entropy", max_depth=8, min_samples_leaf=5)
    assert metric(at, words["tree.train_acc"]) == f"{train:.1%}"
    assert metric(at, words["tree.test_acc"]) == f"{test:.1%}"
    assert metric(at, words["tree.leaves"]) == str(leaves)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_question_page_shows_the_panel(lang):
    words = catalog(lang)
    at = open_url("p03-decision-tree", lang)
    train, test, _ = sklearn_numbers()
    assert metric(at, words["tree.test_acc"]) == f"{test:.1%}"
    at.slider(key="compact_tree_max_depth").set_value(12).run()
    assert not at.exception
    train, test, _ = sklearn_numbers(max_depth=12)
    assert metric(at, words["tree.train_acc"]) == f"{train:.1%}" == "100.0%"
    assert metric(at, words["tree.test_acc"]) == f"{test:.1%}"
    assert words["tree.compact_look"] in [c.value for c in at.caption]


def test_the_compact_sentence_quotes_real_runs():
    deep = tree.run(max_depth=12)
    capped = tree.run(max_depth=12, min_samples_leaf=10)
    quoted = [f"{deep.curve_test[3]:.0%}", f"{deep.curve_test[-1]:.0%}", f"{capped.train_accuracy:.0%}"]
    assert quoted == ["85%", "82%", "91%"]
    assert np.argmax(deep.curve_test) == 3 and deep.curve_train[-1] > 0.99
    assert capped.test_accuracy <= deep.test_accuracy  # the larger leaves do not help here
    for lang in ("en", "zh"):
        sentence = catalog(lang)["tree.compact_look"]
        assert all(q in sentence for q in quoted), lang
