"""E-commerce scenarios: pieces checked against references, default runs sane, and the page's claims hold."""

from __future__ import annotations

import inspect
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import ndcg_score

from kdlab.core.params import ParamError, defaults, validate
from kdlab.core.result import jsonable
from kdlab.demos import DEMOS, load
from kdlab.shop import ecommerce, images

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def results():
    """Each scenario's default run, once: the page shows exactly these on first load."""
    return {name: ecommerce.run(scenario=name) for name in ecommerce.SCENARIOS}


# --- the contract ----------------------------------------------------------------------


def test_registered_and_defaults_match_run_signature():
    assert DEMOS["ecommerce"] == "kdlab.shop.ecommerce" and load("ecommerce") is ecommerce
    signature = inspect.signature(ecommerce.run)
    for name, value in defaults(ecommerce.PARAMS).items():
        assert signature.parameters[name].default == value
    assert validate(ecommerce.PARAMS, {"scenario": "images"})["scenario"] == "images"
    with pytest.raises(ParamError):
        validate(ecommerce.PARAMS, {"seeds": 50})
    with pytest.raises(ParamError):
        validate(ecommerce.PARAMS, {"scenario": "ads"})


def test_bench_cases_cover_every_scenario():
    cases = ecommerce.bench_cases()
    assert [name for name, _ in cases] == list(ecommerce.SCENARIOS)
    assert all(callable(call) for _, call in cases)


def test_verdict_rule():
    from kdlab.core.seeds import verdict

    assert verdict([0.05, 0.06, 0.04])[2] == "helped"
    assert verdict([-0.05, -0.06, -0.04])[2] == "hurt"
    assert verdict([0.05, -0.04, 0.01])[2] == "unclear"
    assert verdict([0.5])[2] == "unclear"  # one seed: no spread to judge by


# --- pieces against references ----------------------------------------------------------


def test_ndcg_matches_scikit_learn():
    from kdlab.shop.ctr import ndcg_at_k

    rng = np.random.default_rng(0)
    sessions, clicks, scores = [], [], []
    for s in range(40):
        n = 20
        sessions.append(np.full(n, s))
        clicks.append(rng.random(n) < 0.15)
        scores.append(rng.random(n))
    session, click, score = map(np.concatenate, (sessions, clicks, scores))
    with_click = [s for s in range(40) if clicks[s].any()]
    expected = np.mean([ndcg_score([clicks[s]], [scores[s]], k=10) for s in with_click])
    assert ndcg_at_k(session, click, score, k=10) == pytest.approx(expected, rel=1e-9)


def test_soft_rows_are_cross_entropy_with_soft_targets():
    from kdlab.shop.profile import soft_rows

    rng = np.random.default_rng(1)
    p = rng.dirichlet(np.ones(4), size=6)  # teacher probabilities
    q = rng.dirichlet(np.ones(4), size=6)  # student probabilities
    X, y, w = soft_rows(np.arange(6)[:, None].astype(float), p, weight=0.7)
    rows = X[:, 0].astype(int)
    weighted = np.sum(w * -np.log(q[rows, y]))
    assert weighted == pytest.approx(0.7 * np.sum(p * -np.log(q)))


def test_per_series_least_squares_matches_scikit_learn():
    from sklearn.linear_model import Ridge

    from kdlab.shop.demand import fit_per_series

    rng = np.random.default_rng(2)
    X = np.column_stack([np.ones(90), rng.random(90) * 10, rng.random(90) < 0.2])
    series = np.repeat(np.arange(3), 30)
    y = X @ np.array([1.0, 2.0, 5.0]) + rng.normal(0, 0.1, 90)
    W = fit_per_series(X, y, series, 3)
    for k in range(3):
        ref = Ridge(alpha=1e-3, fit_intercept=False).fit(X[series == k], y[series == k]).coef_
        np.testing.assert_allclose(W[k], ref, rtol=1e-6)


def test_demand_features_never_read_the_forecast_week():
    from kdlab.shop.demand import features, make_sales

    catalogue, sales = make_sales(0, weeks=4)
    days = np.arange(35, 42)  # one forecast week
    before = features(catalogue, sales, days)
    sales.units[:, :, 35:] += 1000  # whatever happens in and after that week...
    after = features(catalogue, sales, days)
    for name in ("lag7", "lag14", "lag28", "mean_last_week", "mean_4_weeks", "same_weekday_mean"):
        np.testing.assert_array_equal(before[name], after[name])  # ...no feature sees it
    s, i, d = 0, 5, 37
    row = (s * len(catalogue.category) + i) * len(days) + (d - 35)
    assert before["lag7"][row] == sales.units[s, i, d - 7]
    assert before["mean_last_week"][row] == pytest.approx(sales.units[s, i, 28:35].mean())


def test_image_recipe_trains_the_core_demos_students():
    """distill_images (used for Fashion-MNIST) is kdlab.distill.compare's recipe: same students on digits."""
    from kdlab import distill
    from kdlab.deep.cnn import predict_logits

    teacher, split = distill.default_teacher(), distill.shared_split()
    core = distill.compare(seeds=1, epochs=2, n_labels=60, teacher=teacher).students
    ours = images.distill_images(split, teacher, seeds=1, alpha=0.7, n_labels=60, epochs=2)
    for kind in ("alone", "distilled"):
        np.testing.assert_array_equal(
            predict_logits(core[kind][0], split.x_test), predict_logits(ours[kind][0], split.x_test)
        )


def test_images_use_fashion_mnist_when_its_files_are_there(tmp_path, monkeypatch):
    from tests.test_data import fake_idx_folder

    assert images.image_dataset(str(tmp_path)) == "digits"
    fake_idx_folder(tmp_path / "fashion-mnist", n_train=120, n_test=30)
    assert images.image_dataset(str(tmp_path)) == "fashion-mnist"
    monkeypatch.setattr(
        images, "FASHION_TEACHER", dict(channels=2, layers=1, epochs=1, lr=0.01, batch_size=64)
    )
    monkeypatch.setattr(images, "IMAGE_EPOCHS", 1)
    r = images.run_images(seeds=1, n_labels=20, data_dir=str(tmp_path))
    assert r.settings["dataset"] == "fashion-mnist" and r.settings["image_size"] == 28
    assert r.extra["classes"][0] == "T-shirt/top"
    assert 0 <= r.row("distilled").scores["accuracy"][0] <= 1


# --- the default runs: sane numbers and the claims the page makes ----------------------


def test_every_result_is_complete_and_sane(results):
    for name, r in results.items():
        assert r.seeds == [0, 1, 2]
        for m in r.models:
            for metric in r.metrics:
                values = m.scores[metric]
                assert len(values) == 3 and np.all(np.isfinite(values)), (name, m.key, metric)
        # The verdict recomputed from the per-seed scores: distilled minus alone in the primary metric,
        # signed so that > 0 is better, its mean and sample std written out, then the rule.
        primary = r.metrics[0]
        sign = 1 if r.higher_is_better[primary] else -1
        d = [sign * (a - b) for a, b in zip(r.row("distilled").scores[primary], r.row("alone").scores[primary], strict=True)]
        gain = sum(d) / len(d)
        spread = math.sqrt(sum((x - gain) ** 2 for x in d) / (len(d) - 1))
        assert (r.gain, r.gain_std) == pytest.approx((gain, spread)), name
        assert r.verdict == ("helped" if gain > spread else "hurt" if gain < -spread else "unclear"), name
        assert json.loads(json.dumps(jsonable(r)))["scenario"] == name
        assert "seeds" in ecommerce.summarize(r)


def test_ctr(results):
    r = results["ctr"]
    for m in r.models:
        assert np.all((m.scores["auc"] > 0.5) & (m.scores["auc"] <= 1)), m.key
        assert np.all((m.scores["ndcg@10"] > 0) & (m.scores["ndcg@10"] <= 1)), m.key
    # Page: the teacher with view time beats every model that can serve, on every seed.
    teacher = r.row("teacher").scores["auc"]
    for key in ("teacher_serving", "alone", "distilled", "distilled_serving"):
        assert np.all(teacher > r.row(key).scores["auc"] + 0.02), key
    assert not r.row("teacher").serves and r.row("alone").serves
    # Page: the student is several times smaller than the big model; its MLP is what costs time.
    assert r.row("teacher_serving").params > 4 * r.row("alone").params
    # Page (default run): distillation's AUC gain is within the spread over seeds.
    assert r.verdict == "unclear"
    assert set(r.comparisons) == {"distillation", "serving_teacher", "view_time"}


def test_demand(results):
    r = results["demand"]
    wape = {m.key: m.scores["wape"] for m in r.models}
    # Page: every model beats the seasonal naive forecast on every seed, the teacher most.
    for key in ("teacher", "alone", "distilled"):
        assert np.all(wape[key] < wape["naive"] - 0.05), key
    assert np.all(wape["teacher"] < np.minimum(wape["alone"], wape["distilled"]))
    # Page: distillation helped, and most on promotion days (every seed).
    assert r.verdict == "helped"
    promo = {m.key: m.scores["wape_promo"] for m in r.models}
    assert np.all(promo["distilled"] < promo["alone"] - 0.03)
    assert r.row("alone").params == 3 and r.row("teacher").params > 1000
    assert r.extra["weekday_profile"][5] > 1.15 > r.extra["weekday_profile"][1] + 0.2


def test_profile(results):
    r = results["profile"]
    acc = {m.key: m.scores["accuracy"] for m in r.models}
    for values in acc.values():
        assert np.all(values > 0.25)  # better than guessing among four segments
    # Page: the teacher is best; the logistic student alone comes close; distillation is unclear.
    assert np.all(acc["teacher"] >= np.maximum(acc["alone"], acc["alone_logistic"]))
    assert acc["teacher"].mean() - acc["alone_logistic"].mean() < 0.05  # "not far behind"
    assert r.verdict == "unclear" and r.comparisons["logistic"].verdict == "unclear"
    # Page: the distilled tree's probabilities are much better (log loss) than the tree alone's.
    ll = {m.key: m.scores["log_loss"] for m in r.models}
    assert np.all(ll["distilled"] < ll["alone"] - 0.2)
    assert "class:" in r.extra["rules"]


def test_images(results):
    r = results["images"]
    assert r.settings["dataset"] in ("digits", "fashion-mnist")
    if r.settings["dataset"] == "digits":  # the page's claim for the bundled digits
        assert r.verdict == "helped"
        assert np.all(r.row("distilled").scores["accuracy"] > r.row("alone").scores["accuracy"])


# --- when privileged-feature distillation can help: the page's claims (and the question panel's) ----


@pytest.fixture(scope="module")
def lasting_taste():
    """The page's default CTR run with view time also reflecting lasting taste (the panel's second preset)."""
    return ecommerce.run(scenario="ctr", ctr_view_taste=1.0)


def test_pfd_helps_when_view_time_reflects_lasting_taste(results, lasting_taste):
    r = lasting_taste
    assert r.settings["view_taste"] == 1.0 and results["ctr"].settings["view_taste"] == 0.0
    # Page: the distilled student beats the student alone and the control student, beyond the spread.
    assert r.comparisons["distillation"].verdict == "helped"
    assert r.comparisons["view_time"].verdict == "helped"
    assert np.all(r.row("distilled").scores["auc"] > r.row("distilled_serving").scores["auc"])
    # Page: at the defaults view time adds nothing the student can use (not a win for view time).
    assert results["ctr"].comparisons["view_time"].verdict != "helped"
    assert r.comparisons["view_time"].gain > results["ctr"].comparisons["view_time"].gain + 0.005


def test_pfd_cannot_help_when_the_privileged_feature_is_noise():
    """Both view-time weights 0: view time is noise, and the PFD student's edge over the control is noise."""
    from kdlab.shop.ctr import run_ctr

    r = run_ctr(seeds=2, weeks=2, view_taste=0.0, view_momentary=0.0)
    c = r.comparisons["view_time"]
    assert c.verdict != "helped" and abs(c.gain) < 0.01, c


# --- headless -------------------------------------------------------------------------------


def test_cli_json_and_bad_values():
    cmd = [
        sys.executable,
        "-m",
        "kdlab",
        "ecommerce",
        "--scenario",
        "demand",
        "--seeds",
        "1",
        "--demand-weeks",
        "4",
    ]
    out = subprocess.run([*cmd, "--json"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["scenario"] == "demand" and data["seeds"] == [0] and data["settings"]["weeks"] == 4
    assert all(math.isfinite(v) for m in data["models"] for v in m["scores"]["wape"])
    bad = subprocess.run(
        [*cmd[:-2], "--demand-weeks", "99"], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert bad.returncode == 2 and "above the maximum" in bad.stderr


# --- the page, as a learner uses it ------------------------------------------------------------


def test_page_switches_scenario_and_retrains_behind_the_form():
    from tests.test_app import open_url, start

    def alerts(at) -> list[str]:
        return [a.value for kind in (at.info, at.success, at.error) for a in kind]

    at = open_url(start("en"), "demo-ecommerce")
    assert not at.exception, at.exception
    assert any("Does distillation help?" in a for a in alerts(at))
    at.selectbox(key="ecommerce_scenario").set_value("demand").run()
    assert not at.exception, at.exception
    at.slider(key="demand_ecommerce_seeds").set_value(1)
    at.slider(key="demand_ecommerce_demand_weeks").set_value(4)
    at.button[0].click().run()  # the form's Train button
    assert not at.exception, at.exception
    assert any("from one seed only" in a for a in alerts(at))
    assert len(at.get("plotly_chart")) >= 3  # metric, time, one series (+ the weekday profile)
    assert any("4 --json" in c.value for c in at.code)  # the reproduce command carries the new setting


def test_page_runs_the_pfd_regimes_and_plots_their_gains():
    """The CTR page's "when does PFD help?" sweep: three normal runs at view-time taste 0, 0.5, 1;
    the plotted gains are a fresh run's paired AUC gains, and the Chinese page reuses the stored runs."""
    from tests.test_app import open_url, start

    at = open_url(start("en"), "demo-ecommerce")
    assert not at.exception, at.exception
    at.slider(key="ctr_ecommerce_seeds").set_value(2)
    at.slider(key="ctr_ecommerce_ctr_weeks").set_value(1)
    at.button[0].click().run()  # the form's Train button: taste 0 at 2 seeds, 1 week
    assert not at.exception, at.exception
    assert any("When does privileged-feature distillation help?" in m.value for m in at.markdown)
    ask = next(b for b in at.button if b.label == "Run the three settings")
    ask.click().run()
    assert not at.exception, at.exception
    spec = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if "AUC gain" in c.proto.spec)
    over_alone, over_control = spec["data"][0], spec["data"][1]
    assert over_alone["x"] == [0.0, 0.5, 1.0]

    fresh = ecommerce.run(scenario="ctr", seeds=2, ctr_weeks=1, ctr_view_taste=1.0)
    auc = {m.key: m.scores["auc"] for m in fresh.models}
    assert over_alone["y"][2] == pytest.approx(np.mean(auc["distilled"] - auc["alone"]), abs=1e-9)
    control_gain = np.mean(auc["distilled"] - auc["distilled_serving"])
    assert over_control["y"][2] == pytest.approx(control_gain, abs=1e-9)
    assert over_alone["error_y"]["array"][2] == pytest.approx(np.std(auc["distilled"] - auc["alone"], ddof=1))

    zh = open_url(start("zh"), "demo-ecommerce")
    zh.slider(key="ctr_ecommerce_seeds").set_value(2)
    zh.slider(key="ctr_ecommerce_ctr_weeks").set_value(1)
    zh.button[0].click().run()
    assert not zh.exception, zh.exception
    assert any("特权特征蒸馏什么时候有用" in m.value for m in zh.markdown)
    assert not any(b.label == "跑这三种设置" for b in zh.button)  # the stored runs: the chart, no button
    assert any("AUC 提升" in c.proto.spec for c in zh.get("plotly_chart"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_question_panel_switches_view_time_to_lasting_taste(lang, lasting_taste):
    """e07's panel: the radio reruns CTR with lasting taste; its verdicts quote a fresh run's gains."""
    from tests.test_app import open_url, start

    at = open_url(start(lang), "e07-privileged-features-distillation")
    assert not at.exception, at.exception
    radio = at.radio(key="compact_ecommerce_view_taste")
    assert radio.value == 0.0
    radio.set_value(1.0).run()
    assert not at.exception, at.exception
    shown = " ".join(s.value for s in at.success)
    for name in ("distillation", "view_time"):
        c = lasting_taste.comparisons[name]
        assert c.verdict == "helped" and f"{c.gain:+.4f}" in shown, (name, shown)
