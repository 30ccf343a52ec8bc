"""Loss functions: regression losses against the error, classification losses against the margin, a fit with outliers."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from kdlab.classic import losses
from kdlab.classic.losses import LossesResult
from kdlab.core.params import defaults
from pages.demos.kit import key_of, reproduce, show_source, store, widget
from pages.shared.common import t
from pages.shared.plots import chart
from pages.shared.projector import intro, settings

DEMO = "losses"
SPEC = {p.name: p for p in losses.PARAMS}
COLORS = {"mse": "#d62728", "mae": "#2ca02c", "huber": "#1f77b4", "logistic": "#1f77b4", "hinge": "#ff7f0e",
          "focal": "#9467bd", "zero_one": "#7f7f7f"}  # fmt: skip


def _run(params: dict) -> LossesResult:
    return store(DEMO).get_or_run(key_of(params), lambda _: losses.run(**params))


def render() -> None:
    st.header(t("demo.losses"), anchor=False)
    intro(t("losses.intro"))
    with settings("losses_form"):
        c1, c2 = st.columns(2)
        with c1:
            params = {k: widget(DEMO, SPEC[k]) for k in ("delta", "gamma")}
        with c2:
            params |= {k: widget(DEMO, SPEC[k]) for k in ("n", "n_outliers", "outlier_size", "seed")}
        st.form_submit_button(t("losses.run"), type="primary")
    r = _run(params)

    chart(curves_figure(r, "regression"), width="stretch")
    st.caption(t("losses.regression_note"))
    chart(curves_figure(r, "classification"), width="stretch")
    st.caption(t("losses.classification_note"))
    st.subheader(t("losses.fit_title"), anchor=False)
    shifts(r)
    chart(fit_figure(r), width="stretch")
    reproduce(DEMO, "kdlab.classic.losses", params, losses.PARAMS)
    show_source("kdlab.classic.losses:huber", "kdlab.classic.losses:focal", "kdlab.classic.losses:fit_line")


def shifts(r: LossesResult) -> None:
    m = st.columns(3)
    for col, k in zip(m, losses.REGRESSION, strict=True):
        col.metric(t("losses.shift", loss=t(f"losses.name_{k}", delta=r.params["delta"])), f"{r.line_shift[k]:.2f}",
                   help=t("losses.shift_help", mse=f"{r.test_mse[k]:.2f}"))  # fmt: skip


def curves_figure(r: LossesResult, kind: str) -> go.Figure:
    if kind == "regression":
        x, values, grads, names, axis = (
            r.error,
            r.regression_value,
            r.regression_grad,
            losses.REGRESSION,
            "error_axis",
        )
    else:
        x, values, grads, names, axis = r.margin, r.classification_value, r.classification_grad, losses.CLASSIFICATION, "margin_axis"  # fmt: skip
    fig = make_subplots(rows=1, cols=2, subplot_titles=(t(f"losses.{kind}_values"), t("losses.gradients")))
    for k in names:
        label = t(f"losses.name_{k}", delta=r.params["delta"], gamma=r.params["gamma"])
        style = dict(color=COLORS[k], width=3, dash="dot" if k == "zero_one" else "solid")
        fig.add_trace(go.Scatter(x=x, y=values[k], mode="lines", name=label, line=style, legendgroup=k), 1, 1)
        fig.add_trace(go.Scatter(x=x, y=grads[k], mode="lines", name=label, line=style, legendgroup=k,
                                 showlegend=False), 1, 2)  # fmt: skip
    top = 6 if kind == "regression" else 4.5
    fig.update_yaxes(range=[-0.2, top], title_text=t("losses.loss_axis"), row=1, col=1)
    fig.update_yaxes(title_text=t("losses.grad_axis"), row=1, col=2)
    fig.update_xaxes(title_text=t(f"losses.{axis}"))
    fig.update_layout(height=380, legend=dict(orientation="h", y=-0.25), margin=dict(t=50))
    return fig


def fit_figure(r: LossesResult) -> go.Figure:
    fig = go.Figure()
    for mask, name, color in (
        (~r.outlier, t("losses.points"), "black"),
        (r.outlier, t("losses.outliers"), "red"),
    ):
        fig.add_trace(go.Scatter(x=r.x[mask], y=r.y[mask], mode="markers", name=name,
                                 marker=dict(color=color, size=8, symbol="circle" if color == "black" else "x")))  # fmt: skip
    xs = np.array([0.0, 10.0])
    fig.add_trace(go.Scatter(x=xs, y=losses.TRUE_W * xs + losses.TRUE_B, mode="lines", name=t("losses.truth"),
                             line=dict(dash="dash", color="gray")))  # fmt: skip
    for k in losses.REGRESSION:
        w, b = r.fits[k]
        fig.add_trace(go.Scatter(x=xs, y=w * xs + b, mode="lines", line=dict(color=COLORS[k], width=3),
                                 name=t("losses.fit_line", loss=t(f"losses.name_{k}", delta=r.params["delta"]),
                                        w=f"{w:.2f}", sign="−" if b < 0 else "+", b=f"{abs(b):.2f}")))  # fmt: skip
    fig.update_layout(title=t("losses.fit_plot"), xaxis_title="x", yaxis_title="y", height=460,
                      legend=dict(orientation="h", y=-0.2))  # fmt: skip
    return fig


def compact() -> None:
    """The question page's panel: the number of outliers and Huber's delta, and which lines they drag."""
    left, right = st.columns(2)
    with left:
        n_outliers = widget(DEMO, SPEC["n_outliers"], key_prefix="compact_")
    with right:
        delta = widget(DEMO, SPEC["delta"], key_prefix="compact_")
    r = _run(defaults(losses.PARAMS) | {"n_outliers": n_outliers, "delta": delta})
    shifts(r)
    chart(fit_figure(r), width="stretch", key="compact_losses_fit")
    chart(curves_figure(r, "regression"), width="stretch", key="compact_losses_curves")
    st.caption(t("losses.compact_look"))
