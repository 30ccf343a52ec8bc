"""Forecasting: the metrics and the linear fit against scikit-learn, no look-ahead, and the page's numbers."""

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from kdlab.core.i18n import translate
from kdlab.shop import forecast
from kdlab.shop.forecast import H, fit_linear, linear_design, mase, seasonal_naive, shop_series, wape, windows

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_wape_and_mase_against_sklearn_mae():
    rng = np.random.default_rng(0)
    y = rng.poisson(5, size=(6, 21)).astype(float)
    pred = y + rng.normal(0, 2, y.shape)
    scale = rng.uniform(1, 3, 6)
    assert wape(y, pred) == pytest.approx(mean_absolute_error(y.ravel(), pred.ravel()) / y.mean())
    ref = np.mean([mean_absolute_error(y[i], pred[i]) / scale[i] for i in range(6)])
    assert mase(y, pred, scale) == pytest.approx(ref)


def test_linear_fit_equals_sklearn_ridge():
    units, promo = shop_series(0, 12)
    x, pp, pn, y, s = windows(units, promo, np.arange(28, 60, 3))
    A = linear_design(x, pp, pn)
    ours = fit_linear(A, y / s[:, None], l2=1e-3)
    ref = Ridge(alpha=1e-3, fit_intercept=False, solver="cholesky").fit(A, y / s[:, None])
    assert np.allclose(ours, ref.coef_.T, atol=1e-6)


def test_seasonal_naive_is_last_week_and_windows_never_look_ahead():
    units, promo = shop_series(1, 10)
    assert np.array_equal(seasonal_naive(units[:, :40]), units[:, 33:40])
    t = np.array([40])
    before = windows(units, promo, t)
    changed = units.copy()
    changed[:, 40:] += 100  # the future changes...
    after = windows(changed, promo, t)
    for a, b in zip(before[:3] + before[4:], after[:3] + after[4:], strict=True):
        assert np.array_equal(a, b)  # ...and no input does
    assert np.array_equal(after[3], before[3] + 100)  # only the targets
    assert before[3].shape == (units.shape[0], H)


@pytest.fixture(scope="module")
def small_run():
    return forecast.run(weeks=14, test_weeks=2, epochs=3, hidden=8)


def test_scores_are_recomputed_from_the_forecasts(small_run):
    r = small_run
    truth = np.stack([r.units[:, t : t + H] for t in r.origins])
    for m in forecast.MODELS:
        assert r.scores[m].wape == pytest.approx(wape(truth, r.predictions[m]))
        on = np.stack([r.promo[:, t : t + H] for t in r.origins]) > 0
        assert r.scores[m].wape_promo == pytest.approx(wape(truth[on], r.predictions[m][on]))
    # seasonal naive's forecast at an origin is exactly the week before it
    assert np.array_equal(r.predictions["naive"][0], np.clip(r.units[:, r.origins[0] - H : r.origins[0]], 0, None))
    assert r.scores["linear"].wape < r.scores["naive"].wape and r.scores["linear"].mase < 1


def open_page(lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["lang"] = lang
    at.run()
    at._page_hash = calc_hash("demo-forecast")
    return at.run()


@pytest.mark.shared_results  # the default run the question pages also open: it trains once
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_shows_this_runs_scores(lang, page_results):
    at = open_page(lang)
    assert not at.exception, at.exception
    r = page_results["forecast"][0]  # the page's own run: its forecasts, rescored here by hand
    truth = np.stack([r.units[:, t : t + H] for t in r.origins])  # (origins, series, 7)
    on = np.stack([r.promo[:, t : t + H] for t in r.origins]) > 0
    first = r.origins[0]  # MASE's scale: each series' seasonal-naive MAE on the days before the test
    scale = np.abs(r.units[:, 7:first] - r.units[:, : first - 7]).mean(axis=1)
    table = at.table[0].value
    for row, m in enumerate(forecast.MODELS):
        err = np.abs(truth - r.predictions[m])
        mase = np.mean(err.transpose(1, 0, 2).reshape(len(scale), -1).mean(axis=1) / scale)
        shown = [float(v) for v in table.iloc[row, 1:5]]
        assert shown == pytest.approx([err.sum() / truth.sum(), mase, err[on].sum() / truth[on].sum(),
                                       err[~on].sum() / truth[~on].sum()], abs=0.0005 + 1e-9), m  # fmt: skip
    # The caption speaks of shaded promotion days only when the chart shades some: pick a series
    # with promotions in the weeks drawn and one without (if the run has one).
    start = max(0, r.origins[0] - 28)
    shaded = r.promo[:, start:].any(axis=1)
    for i in {int(np.argmax(shaded)), int(np.argmin(shaded))}:
        at.slider(key="forecast_series").set_value(i).run()
        assert not at.exception, at.exception
        fig = json.loads(at.get("plotly_chart")[-1].proto.spec)
        rects = [s for s in fig["layout"].get("shapes", []) if s["type"] == "rect"]
        assert len(rects) == int((r.promo[i, start:] > 0).sum())
        key = "forecast.series_help" if shaded[i] else "forecast.series_help_no_promo"
        assert translate(lang, key) in [c.value for c in at.caption]


def test_windows_scale_by_the_recent_mean_and_scores_by_hand():
    # one series of 0, 1, 2, ... orders a day: the window before day 28 is days 0..27, mean 13.5, so the
    # inputs are divided by 13.5 + 1 and the targets are days 28..34
    units = np.arange(40.0)[None, :]
    x, _, _, y, s = windows(units, np.zeros((1, 40)), np.array([28]))
    assert s.tolist() == [14.5] and y.tolist() == [list(range(28, 28 + H))]
    np.testing.assert_allclose(x, units[:, :28] / 14.5)
    # WAPE over a total under one unit, and the scores of a week with no promotion day
    assert wape(np.array([0.2, 0.3]), np.array([0.1, 0.1])) == pytest.approx(0.3 / 0.5)
    truth = np.array([[[4.0, 6.0]]])  # (origins, series, days)
    got = forecast.score(truth, np.array([[[5.0, 3.0]]]), np.zeros((1, 1, 2)), np.array([2.0]))
    assert got.wape == pytest.approx(4 / 10) and got.wape_regular == pytest.approx(4 / 10)
    assert got.mase == pytest.approx(2 / 2) and np.isnan(got.wape_promo)  # mean error 2, scale 2
