"""The metrics page and its question panels: the numbers shown against scikit-learn and a per-user loop."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from sklearn import metrics as skm
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from kdlab.classic import metrics
from kdlab.core.i18n import catalog

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


def bars(at: AppTest) -> dict[str, list[float]]:
    """AUC and GAUC bars: trace name -> values, in metrics.MODELS order."""
    fig = next(
        f
        for f in figures(at)
        if any(tr.get("type") == "bar" and tr.get("name") == "GAUC" for tr in f["data"])
    )
    return {tr["name"]: [float(v) for v in tr["text"]] for tr in fig["data"]}


def brute_gauc(y, s, user):
    num = den = 0.0
    for u in np.unique(user):
        m = user == u
        if 0 < y[m].sum() < m.sum():
            num += m.sum() * skm.roc_auc_score(y[m], s[m])
            den += m.sum()
    return num / den


def reference(**params):
    """The numbers the page must show, recomputed with scikit-learn and plain loops."""
    p = {q.name: q.default for q in metrics.PARAMS} | params
    rng = np.random.default_rng(p["seed"])
    y, _, score = metrics.binary_scores(p["n"], p["positive_rate"], p["separation"], p["sharpness"], rng)
    metrics.multiclass_predictions(p["n"], p["n_classes"], p["imbalance"], p["separation"], rng)
    log = metrics.shop_log(p["n_users"], p["activity_effect"], rng)
    scores = metrics.counting_models(log)
    test = ~log.train
    auc = {m: skm.roc_auc_score(log.click[test], s[test]) for m, s in scores.items()}
    gauc = {m: brute_gauc(log.click[test], s[test], log.user[test]) for m, s in scores.items()}
    return y, score, auc, gauc


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_lab_shows_sklearn_numbers_and_the_threshold_moves_them(lang):
    words = catalog(lang)
    at = open_url("demo-metrics", lang)
    y, score, auc, gauc = reference()
    assert float(metric(at, "AUC")) == pytest.approx(skm.roc_auc_score(y, score), abs=1e-4)
    assert float(metric(at, words["metrics.log_loss"])) == pytest.approx(skm.log_loss(y, score), abs=1e-4)
    shown = bars(at)
    for i, m in enumerate(metrics.MODELS):
        assert shown["AUC"][i] == pytest.approx(auc[m], abs=5e-4)
        assert shown["GAUC"][i] == pytest.approx(gauc[m], abs=5e-4)
    for threshold in (0.5, 0.2, 0.8):
        at.slider(key="metrics_threshold").set_value(threshold).run()
        assert not at.exception
        pred = (score >= threshold).astype(int)
        assert float(metric(at, words["metrics.precision"])) == pytest.approx(
            skm.precision_score(y, pred, zero_division=0), abs=1e-3
        )
        assert float(metric(at, words["metrics.recall"])) == pytest.approx(
            skm.recall_score(y, pred), abs=1e-3
        )
        assert float(metric(at, "F1")) == pytest.approx(skm.f1_score(y, pred), abs=1e-3)
        # the red point sits on the ROC curve at (FPR, TPR) of this threshold
        roc = figures(at)[0]
        point = next(tr for tr in roc["data"] if tr.get("mode") == "markers")
        tn, fp, fn, tp = skm.confusion_matrix(y, pred, labels=[0, 1]).ravel()
        assert point["x"][0] == pytest.approx(fp / (fp + tn)) and point["y"][0] == pytest.approx(
            tp / (tp + fn)
        )


def test_changing_a_setting_in_the_form_reruns_it():
    at = open_url("demo-metrics", "en")
    before = float(metric(at, "ECE (expected calibration error)"))
    at.slider(key="metrics_sharpness").set_value(3.025)
    at.button[0].click().run()
    assert not at.exception
    after = float(metric(at, "ECE (expected calibration error)"))
    assert after > before + 0.05
    y, score, _, _ = reference(sharpness=3.025)
    assert float(metric(at, "AUC")) == pytest.approx(skm.roc_auc_score(y, score), abs=1e-4)


@pytest.mark.parametrize("qid", ["p20-evaluation-metrics", "e03-auc-vs-gauc"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_question_pages_show_the_panel(qid, lang):
    at = open_url(qid, lang)
    shown = bars(at)
    _, _, auc, gauc = reference()
    assert shown["AUC"][1] == pytest.approx(auc["user_activity"], abs=5e-4)
    assert shown["GAUC"][0] == pytest.approx(gauc["within_user"], abs=5e-4)
    at.slider(key="compact_metrics_activity_effect").set_value(0.0).run()
    assert not at.exception
    _, _, auc0, _ = reference(activity_effect=0.0)
    assert bars(at)["AUC"][1] == pytest.approx(auc0["user_activity"], abs=5e-4)


def test_the_compact_sentence_quotes_the_default_run():
    _, _, auc, gauc = reference()
    numbers = [f"{auc['user_activity']:.3f}", f"{auc['within_user']:.3f}",
               f"{gauc['user_activity']:.3f}", f"{gauc['within_user']:.3f}"]  # fmt: skip
    for lang in ("en", "zh"):
        sentence = catalog(lang)["metrics.compact_look"]
        assert re.findall(r"0\.\d{3}", sentence) == numbers, lang
