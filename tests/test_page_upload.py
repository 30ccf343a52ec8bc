"""Your own data on the logistic, tree and ensemble pages: a good CSV trains on it (the numbers shown
are those of the same run in kdlab), a bad one is named in the learner's language, never a traceback."""

from pathlib import Path

import numpy as np
import pytest
from sklearn import metrics as skm
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


def scores_csv(n: int = 200, logits: bool = False, seed: int = 0) -> tuple[bytes, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    p = np.clip(np.round(0.3 + 0.4 * y + rng.normal(0, 0.2, n), 2), 0, 1)
    s = np.round(np.log(p + 0.01) - np.log(1.01 - p), 3) if logits else p
    user = np.array([f"u{k}" for k in rng.integers(0, 15, n)])
    lines = ["user;clicked;model score"] + [f"{u};{'yes' if a else 'no'};{b}" for u, a, b in zip(user, y, s, strict=True)]
    return "\n".join(lines).encode(), y, s, user


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_metrics_scores_an_upload_as_scikit_learn_does(lang):
    """A learner's own model's scores: label, score and user columns picked; every number shown equals
    scikit-learn's on the file (GAUC: a per-user loop); logits get the curves and AUC, not calibration."""
    words = catalog(lang)
    raw, y, s, user = scores_csv()
    at = upload(open_url("demo-metrics", lang), raw)
    at.selectbox(key="metrics_upload_target").set_value("clicked")
    at.selectbox(key="metrics_upload_score").set_value("model score")
    at.selectbox(key="metrics_upload_user").set_value("user").run()
    assert not at.exception and at.success and not at.error
    assert metric(at, "AUC") == f"{skm.roc_auc_score(y, s):.4f}"
    assert metric(at, words["metrics.log_loss"]) == f"{skm.log_loss(y, s):.4f}"
    assert metric(at, words["metrics.brier"]) == f"{skm.brier_score_loss(y, s):.4f}"
    pred = s >= 0.5  # the threshold slider's default
    assert metric(at, words["metrics.precision"]) == f"{skm.precision_score(y, pred):.3f}"
    assert metric(at, words["metrics.recall"]) == f"{skm.recall_score(y, pred):.3f}"
    per_user = [(np.sum(user == u), skm.roc_auc_score(y[user == u], s[user == u]))
                for u in np.unique(user) if 0 < y[user == u].sum() < np.sum(user == u)]  # fmt: skip
    gauc = sum(n * a for n, a in per_user) / sum(n for n, _ in per_user)
    assert metric(at, "GAUC") == f"{gauc:.4f}"
    assert metric(at, words["metrics.own_global_auc"]) == f"{skm.roc_auc_score(y, s):.4f}"
    shown = words["metrics.own_gauc_coverage"].format(
        counted=len(per_user), total=15, share=f"{sum(n for n, _ in per_user) / len(y):.0%}"
    )
    assert shown in [c.value for c in at.caption]

    raw, y, s, _ = scores_csv(logits=True)
    at = upload(at, raw)
    assert metric(at, "AUC") == f"{skm.roc_auc_score(y, s):.4f}"
    assert words["metrics.log_loss"] not in [m.label for m in at.metric]
    assert any(f"{s.min():.4g}" in i.value for i in at.info)
    same = b"user;clicked;model score\n" + b"\n".join(b"u1;%s;7" % (b"yes" if k % 2 else b"no") for k in range(30))
    at = upload(at, same)  # one score for every row (not a probability): AUC 0.5, no traceback
    assert not at.error and metric(at, "AUC") == "0.5000"
    bad = b"user;clicked;model score\n" + b"\n".join(b"u1;yes;0.%d" % k for k in range(30))
    at = upload(at, bad)
    assert [e.value for e in at.error] == [words["upload.err_one_class"].format(name="clicked", value="yes")]
    text = b"user;clicked;model score\n" + b"\n".join(b"u1;%s;high" % (b"yes" if k % 2 else b"no") for k in range(30))
    at = upload(at, text)
    assert [e.value for e in at.error] == [words["upload.err_text"].format(name="model score", line=2, value="high")]
