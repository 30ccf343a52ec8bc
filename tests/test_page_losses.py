"""The losses page and the c13 panel: the shifts shown against the fits recomputed with scikit-learn."""

from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from kdlab.classic import losses
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


def mse_shift(**params) -> float:
    """How far the outliers move scikit-learn's least-squares line (mean over x in [0, 10])."""
    r = losses.run(**params)
    with_, without = (
        LinearRegression().fit(r.x[m][:, None], r.y[m]) for m in (np.ones_like(r.outlier), ~r.outlier)
    )
    grid = np.linspace(0, 10, 101)
    return float(
        np.mean(np.abs((with_.coef_[0] - without.coef_[0]) * grid + with_.intercept_ - without.intercept_))
    )


@pytest.mark.parametrize("url", ["demo-losses", "c13-loss-functions"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_shift_shown_is_sklearn_least_squares(url, lang):
    words = catalog(lang)
    at = open_url(url, lang)
    label = words["losses.shift"].format(loss=words["losses.name_mse"])
    value = next(m.value for m in at.metric if m.label == label)
    assert float(value) == pytest.approx(mse_shift(), abs=0.005)


def test_the_panel_moves_with_the_outliers_and_quotes_its_runs():
    at = open_url("c13-loss-functions", "en")
    at.slider(key="compact_losses_n_outliers").set_value(20).run()
    assert not at.exception
    label = catalog("en")["losses.shift"].format(loss="MSE r²")
    assert float(next(m.value for m in at.metric if m.label == label)) == pytest.approx(
        mse_shift(n_outliers=20), abs=0.005
    )
    r5, r20, d5 = losses.run(), losses.run(n_outliers=20), losses.run(delta=5.0)
    quoted = [r5.line_shift["mse"], r5.line_shift["mae"], r5.line_shift["huber"], d5.line_shift["huber"],
              r20.line_shift["mae"], r20.line_shift["huber"]]  # fmt: skip
    for lang in ("en", "zh"):
        sentence = catalog(lang)["losses.compact_look"]
        for v in quoted:
            assert f"{v:.2f}" in sentence, (lang, v)
