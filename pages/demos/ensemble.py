"""Ensembles of trees: test error against the number of trees, decision regions, bias and variance."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from kdlab.classic import ensemble
from kdlab.classic.ensemble import METHODS, EnsembleResult
from kdlab.core.params import defaults
from kdlab.data import upload
from pages.demos.kit import key_of, reproduce, show_source, store, widget
from pages.demos.own_data import own_data, session_run
from pages.shared.common import t
from pages.shared.plots import chart
from pages.shared.projector import intro, settings

DEMO = "ensemble"
SPEC = {p.name: p for p in ensemble.PARAMS}
COLORS = {"stump": "#8c8c8c", "tree": "#000000", "bagging": "#1f77b4", "forest": "#2ca02c", "adaboost": "#ff7f0e",
          "gboost": "#9467bd"}  # fmt: skip
CLASS_COLORS = ("#1f77b4", "#d62728")
REGION_COLORS = ("#c6dbef", "#fcbba1")


def _run(params: dict) -> EnsembleResult:
    return store(DEMO).get_or_run(key_of(params), lambda _: ensemble.run(**params))


def name(method: str) -> str:
    return t(f"ensemble.method_{method}")


def render() -> None:
    st.header(t("demo.ensemble"), anchor=False)
    intro(t("ensemble.intro"))
    own = own_data(DEMO)
    with settings("ensemble_form"):
        c1, c2, c3 = st.columns(3)
        with c1:
            params = {k: widget(DEMO, SPEC[k]) for k in ("dataset", "n_estimators")}
        with c2:
            params |= {k: widget(DEMO, SPEC[k]) for k in ("learning_rate", "n_samples")}
        with c3:
            params |= {k: widget(DEMO, SPEC[k]) for k in ("noise", "seed")}
        st.form_submit_button(t("ensemble.run"), type="primary")
    params |= {"experiment": "compare", "n_resamples": SPEC["n_resamples"].default}
    if own is None:
        r = _run(params)
    else:
        r = session_run(
            DEMO, own, params, lambda: ensemble.run_on(upload.split(own, params["seed"]), **params)
        )

    m = st.columns(len(METHODS))
    for col, method in zip(m, METHODS, strict=True):
        col.metric(name(method), f"{1 - r.test_error[method][-1]:.1%}")
    st.caption(t("ensemble.accuracy_note", n=len(r.y_test), bagging=f"{r.oob_accuracy['bagging']:.1%}",
                 forest=f"{r.oob_accuracy['forest']:.1%}"))  # fmt: skip
    chart(error_figure(r), width="stretch")
    chart(regions_figure(r), width="stretch")

    st.subheader(t("ensemble.bv_title"), anchor=False)
    st.markdown(t("ensemble.bv_intro"))
    if own is not None:
        st.info(t("upload.no_bias_variance"))
    else:
        bias_variance_section(params)
    if own is None:  # an upload has no command line to reproduce it
        reproduce(DEMO, "kdlab.classic.ensemble", params, ensemble.PARAMS)
    show_source(
        "kdlab.classic.ensemble:bagging",
        "kdlab.classic.ensemble:adaboost",
        "kdlab.classic.ensemble:gradient_boosting",
        "kdlab.classic.ensemble:bias_variance",
        "kdlab.classic.tree:grow",
    )


def bias_variance_section(params: dict) -> None:
    with st.form("ensemble_bv_form"):
        resamples = widget(DEMO, SPEC["n_resamples"])
        asked = st.form_submit_button(t("ensemble.bv_run"))
    bv_params = params | {"experiment": "bias_variance", "n_resamples": resamples}
    bv = store(DEMO).get(key_of(bv_params))
    if bv is None and asked:
        bv = _run(bv_params)
    if bv is None:
        st.info(t("ensemble.bv_wait"))
    else:
        chart(bias_variance_figure(bv), width="stretch")
        st.dataframe(bias_variance_table(bv), hide_index=True, width="stretch")
        st.caption(t("ensemble.bv_note"))


def error_figure(r: EnsembleResult, height: int = 420) -> go.Figure:
    M = np.arange(1, r.params["n_estimators"] + 1)
    fig = go.Figure()
    for method in ("bagging", "forest", "adaboost", "gboost"):
        fig.add_scatter(x=M, y=r.test_error[method], mode="lines", name=name(method),
                        line=dict(color=COLORS[method], width=2))  # fmt: skip
    # The single stump and tree: dashed lines named in the legend (a label written on the line sat
    # under the curves), drawn last so a curve on the same value (AdaBoost's, when boosting did not
    # move the test error) shows through the dashes.
    for method in ("stump", "tree"):
        fig.add_scatter(x=[M[0], M[-1]], y=[r.test_error[method][0]] * 2, mode="lines", name=name(method),
                        line=dict(dash="dash", color=COLORS[method], width=1.5), hoverinfo="name+y")  # fmt: skip
    fig.update_layout(title=t("ensemble.error_title", n=len(r.y_test)), xaxis_title=t("ensemble.n_trees"),
                      yaxis_title=t("ensemble.test_error"), yaxis_tickformat=".0%", height=height,
                      legend=dict(orientation="h", y=1.0, yanchor="bottom", x=0), margin=dict(t=90))  # fmt: skip
    return fig


def regions_figure(r: EnsembleResult) -> go.Figure:
    fig = make_subplots(rows=2, cols=3, subplot_titles=[name(m) for m in METHODS], horizontal_spacing=0.04,
                        vertical_spacing=0.1, shared_xaxes=True, shared_yaxes=True)  # fmt: skip
    scale = [[0, REGION_COLORS[0]], [0.5, REGION_COLORS[0]], [0.5, REGION_COLORS[1]], [1, REGION_COLORS[1]]]
    for k, method in enumerate(METHODS):
        row, col = k // 3 + 1, k % 3 + 1
        fig.add_heatmap(x=r.grid_x, y=r.grid_y, z=r.regions[method].astype(float), zmin=0, zmax=1,
                        colorscale=scale, showscale=False, hoverinfo="skip", row=row, col=col)  # fmt: skip
        for c in (0, 1):
            mask = r.y_train == c
            fig.add_scatter(x=r.X_train[mask, 0], y=r.X_train[mask, 1], mode="markers", showlegend=k == 0,
                            name=t("ensemble.train_class", c=c), legendgroup=str(c), row=row, col=col,
                            marker=dict(color=CLASS_COLORS[c], size=4))  # fmt: skip
    fig.update_layout(title=t("ensemble.regions_title"), height=640,
                      legend=dict(orientation="h", y=1.06, yanchor="bottom", x=0), margin=dict(t=120))  # fmt: skip
    return fig


def bias_variance_figure(r: EnsembleResult) -> go.Figure:
    d = r.decomposition
    names = [name(m) for m in METHODS]
    fig = go.Figure([
        go.Bar(x=names, y=[d[m]["bias"] for m in METHODS], name=t("ensemble.bias"), marker_color="#7f7f7f"),
        go.Bar(x=names, y=[d[m]["variance_unbiased"] for m in METHODS], name=t("ensemble.var_unbiased"),
               marker_color="#d62728"),
        go.Bar(x=names, y=[-d[m]["variance_biased"] for m in METHODS], name=t("ensemble.var_biased"),
               marker_color="#2ca02c"),
        go.Scatter(x=names, y=[d[m]["error"] for m in METHODS], mode="markers", name=t("ensemble.expected_error"),
                   marker=dict(symbol="diamond", size=14, color="black")),
    ])  # fmt: skip
    fig.update_layout(barmode="relative", title=t("ensemble.bv_figure", k=r.params["n_resamples"]),
                      yaxis_title=t("ensemble.zero_one"), yaxis_tickformat=".0%", height=440,
                      legend=dict(orientation="h", y=1.0, yanchor="bottom", x=0), margin=dict(t=90))  # fmt: skip
    return fig


def bias_variance_table(r: EnsembleResult) -> list[dict]:
    return [
        {
            t("ensemble.model"): name(m),
            t("ensemble.expected_error"): f"{d['error']:.3f}",
            t("ensemble.bias"): f"{d['bias']:.3f}",
            t("ensemble.variance"): f"{d['variance']:.3f}",
            t("ensemble.var_unbiased"): f"{d['variance_unbiased']:.3f}",
            t("ensemble.var_biased"): f"{d['variance_biased']:.3f}",
        }
        for m, d in r.decomposition.items()
    ]


def compact() -> None:
    """The question page's panel: the number of trees, and test error against it beside one tree."""
    M = widget(DEMO, SPEC["n_estimators"], key_prefix="compact_")
    params = defaults(ensemble.PARAMS) | {"n_estimators": M}
    r = _run(params)
    st.caption(t("ensemble.acc_caption", n=len(r.y_test)))
    m = st.columns(len(METHODS))
    for col, method in zip(m, METHODS, strict=True):
        col.metric(name(method), f"{1 - r.test_error[method][-1]:.1%}")
    chart(error_figure(r, height=380), width="stretch", key="compact_ensemble_error")
    st.caption(t("ensemble.compact_look"))
