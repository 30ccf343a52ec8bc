"""The SVM page and the p04 panel: the numbers shown against scikit-learn's SVC."""

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.svm import SVC
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from kdlab.classic import svm
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


def reference(C=1.0, kernel="linear"):
    """SVC on the same standardised training points: its support vectors and primal objective."""
    r = svm.run(C=C, kernel=kernel, pegasos_steps=100)  # the data do not depend on Pegasos
    sk = SVC(kernel=kernel, C=C, gamma=1.0, degree=3, coef0=1.0, tol=1e-6).fit(r.X_train, r.y_train)
    coef = np.zeros(len(r.y_train))
    coef[sk.support_] = sk.dual_coef_[0]
    K = svm.kernel_matrix(r.X_train, r.X_train, kernel, 1.0, 3)
    return sk, svm.primal_objective(K, r.y_train, coef, float(sk.intercept_[0]), C)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_lab_shows_svc_numbers(lang):
    words = catalog(lang)
    at = open_url("demo-svm", lang)
    sk, primal = reference()
    assert float(metric(at, words["svm.primal"])) == pytest.approx(primal, rel=1e-4)
    assert int(metric(at, words["svm.support_vectors"])) == pytest.approx(len(sk.support_), abs=2)
    margin = 2 / np.linalg.norm(sk.coef_[0])
    assert float(metric(at, words["svm.margin"])) == pytest.approx(margin, rel=1e-2)
    figs = [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
    assert len(figs) == 2  # the boundary and Pegasos' convergence


def test_moving_C_in_the_form_retrains():
    at = open_url("demo-svm", "en")
    at.select_slider(key="svm_C").set_value(100.0)
    at.select_slider(key="svm_gamma").set_value(3.2)
    at.selectbox(key="svm_kernel").set_value("rbf")
    at.button[0].click().run()
    assert not at.exception
    r = svm.run(C=100.0, kernel="rbf", gamma=3.2)
    assert float(metric(at, "Primal objective")) == pytest.approx(r.primal, rel=1e-4)
    assert metric(at, "Margin width 2/‖w‖") == "—"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_p04_panel_moves_with_C(lang):
    words = catalog(lang)
    at = open_url("p04-svm", lang)
    assert float(metric(at, words["svm.margin"])) == pytest.approx(svm.run().margin_width, abs=1e-3)
    at.select_slider(key="compact_svm_C").set_value(100.0).run()
    assert not at.exception
    r = svm.run(C=100.0)
    assert metric(at, words["svm.pegasos_gap"]) == f"{r.pegasos_gap:+.2%}"
    assert int(metric(at, words["svm.support_vectors"])) == len(r.support)
