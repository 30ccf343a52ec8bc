"""The PCA page and the c08 panel: the numbers shown against scikit-learn's PCA."""

from pathlib import Path

import numpy as np
import pytest
from sklearn.decomposition import PCA
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from kdlab.classic.pca import load
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


def kept(k: int) -> str:
    X, _ = load()
    return f"{PCA(n_components=k).fit(X).explained_variance_ratio_.sum():.1%}"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_lab_shows_sklearn_numbers(lang):
    words = catalog(lang)
    at = open_url("demo-pca", lang)
    assert metric(at, words["pca.explained_k"].format(k=10)) == kept(10)
    X, _ = load()
    ratio = np.cumsum(PCA().fit(X).explained_variance_ratio_)
    assert int(metric(at, words["pca.for_90"])) == int(np.argmax(ratio >= 0.9) + 1)
    sk = PCA(n_components=10).fit(X)
    mse = np.mean((X - sk.inverse_transform(sk.transform(X))) ** 2)
    assert float(metric(at, words["pca.error_k"].format(k=10))) == pytest.approx(mse, abs=0.005)
    assert len(at.get("plotly_chart")) == 4


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_c08_panel_follows_k(lang):
    words = catalog(lang)
    at = open_url("c08-dimensionality-reduction", lang)
    assert metric(at, words["pca.explained_k"].format(k=10)) == kept(10)
    at.slider(key="compact_pca_k").set_value(2).run()
    assert not at.exception
    assert metric(at, words["pca.explained_k"].format(k=2)) == kept(2)
