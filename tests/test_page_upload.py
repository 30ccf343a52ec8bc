"""Your own data on the logistic, tree and ensemble pages: a good CSV trains on it (the numbers shown
are those of the same run in kdlab), a bad one is named in the learner's language, never a traceback."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from kdlab.classic import ensemble, logistic, tree
from kdlab.core.i18n import catalog
from kdlab.data.upload import parse_csv, prepare, split
from tests.test_upload import good_csv

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


def upload(at: AppTest, raw: bytes) -> AppTest:
    at.file_uploader[0].set_value(("mine.csv", raw, "text/csv"))
    at.run()
    assert not at.exception, at.exception
    return at


DATA = prepare(parse_csv(good_csv(120)), "bought", ("height", "weight"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_logistic_trains_on_an_upload_and_names_a_bad_one(lang):
    words = catalog(lang)
    at = upload(open_url("demo-logistic", lang), good_csv(120))
    assert at.success, "the page says it trains on the file"
    expected = logistic.run_on(split(DATA, 0))
    assert metric(at, words["logistic.test_acc"]) == f"{expected.test_accuracy:.1%}"
    assert metric(at, words["logistic.train_acc"]) == f"{expected.train_accuracy:.1%}"

    one_class = good_csv(120, target=("yes", "yes"))
    at = upload(at, one_class)
    assert [e.value for e in at.error] == [words["upload.err_one_class"].format(name="bought", value="yes")]
    at = upload(at, b"\x00\xff\xfe garbage" * 10)
    assert [e.value for e in at.error] == [words["upload.err_encoding"]]


def test_tree_picks_other_columns_and_refuses_a_text_feature():
    at = upload(open_url("demo-tree", "en"), good_csv(120))
    expected = tree.run_on(lambda seed: split(DATA, seed))
    assert metric(at, "Test accuracy (held out)") == f"{expected.test_accuracy:.1%}"
    at.selectbox(key="tree_upload_x2").set_value("city").run()
    assert not at.exception
    assert at.error[0].value.startswith('Column "city" is not numeric')
    lines = good_csv(120).decode().splitlines()
    holes = "\n".join([*lines[:4], "," + lines[4].split(",", 1)[1], *lines[5:]]).encode()
    at = upload(at, holes)
    at.selectbox(key="tree_upload_x2").set_value("weight").run()
    assert at.error[0].value.startswith('Column "height" has 1 missing value, the first on line 5')


def test_ensemble_trains_on_an_upload_and_skips_the_bias_variance_study():
    at = upload(open_url("demo-ensemble", "zh"), good_csv(120))
    words = catalog("zh")
    expected = ensemble.run_on(split(DATA, 0))
    assert metric(at, words["ensemble.method_adaboost"]) == f"{1 - expected.test_error['adaboost'][-1]:.1%}"
    assert any(i.value == words["upload.no_bias_variance"] for i in at.info)


def test_nothing_uploaded_is_kept_in_the_shared_results():
    from pages.demos.kit import store

    at = upload(open_url("demo-logistic", "en"), good_csv(120))
    assert at.session_state["_own_data_results"]  # this session only
    mine = split(DATA, 0).X_train
    shared = list(store("logistic").results._items.values())  # the server-wide results every learner shares
    assert shared and not any(r.X_train.shape == mine.shape and (r.X_train == mine).all() for r in shared)
