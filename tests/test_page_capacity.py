"""The capacity page and its question panels (c09-c12): numbers shown against scikit-learn, and the
numbers the questions quote against the runs that produce them."""

from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from kdlab.classic import capacity
from kdlab.classic.capacity import features
from kdlab.core.i18n import catalog

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def open_url(url: str, lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at._page_hash = calc_hash(url)
    at.run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def sklearn_mse(degree: int, alpha: float) -> tuple[float, float]:
    """Train and validation MSE of scikit-learn's Ridge on the same data the run draws."""
    rng = np.random.default_rng(0)
    x, y = capacity.draw(20, 0.3, rng)
    xv, yv = capacity.draw(capacity.N_VAL, 0.3, rng)
    model = Ridge(alpha=alpha).fit(features(x, degree), y)
    return (float(np.mean((model.predict(features(x, degree)) - y) ** 2)),
            float(np.mean((model.predict(features(xv, degree)) - yv) ** 2)))  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_lab_shows_sklearn_numbers(lang):
    words = catalog(lang)
    at = open_url("demo-capacity", lang)
    train, val = sklearn_mse(3, 1e-8)
    assert float(metric(at, words["capacity.train_mse"])) == pytest.approx(train, abs=1e-4)
    assert float(metric(at, words["capacity.val_mse"])) == pytest.approx(val, abs=1e-4)
    assert len(at.get("plotly_chart")) == 5


@pytest.mark.parametrize("qid", ["c09-overfitting", "c11-regularization"])
def test_question_panel_follows_degree_and_alpha(qid):
    at = open_url(qid, "en")
    at.slider(key="compact_capacity_degree").set_value(15).run()
    assert not at.exception
    assert float(metric(at, "Validation MSE")) == pytest.approx(sklearn_mse(15, 1e-8)[1], rel=1e-3)
    at.select_slider(key="compact_capacity_alpha").set_value(0.001).run()
    assert float(metric(at, "Validation MSE")) == pytest.approx(sklearn_mse(15, 1e-3)[1], rel=1e-3)


def test_the_numbers_the_questions_and_the_panel_quote():
    free, ridged = capacity.run(degree=15), capacity.run(degree=15, alpha=1e-3)
    assert (round(free.val_mse, 1), round(ridged.val_mse, 2)) == (6.4, 0.18)
    assert (round(free.train_mse, 3), round(ridged.train_mse, 3)) == (0.014, 0.022)
    line, best = capacity.run(degree=1), capacity.run(degree=6)
    assert round(line.train_mse, 2) == 0.33 and round(line.val_mse, 2) == 0.32  # "about 0.32"
    assert round(best.val_mse, 3) == 0.123
    default = capacity.run()
    assert (default.best_degree_val, default.best_degree_cv) == (6, 5)
    assert (default.search_wins["random"], default.search_wins["grid"]) == (13, 7)
