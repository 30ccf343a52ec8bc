"""SVM: the margin, the support vectors and the slack on 2-D data; Pegasos against the exact optimum."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from kdlab.classic import svm
from kdlab.classic.svm import SVMResult
from kdlab.core.params import defaults
from pages.demos.kit import key_of, reproduce, show_source, store, widget
from pages.shared.common import t
from pages.shared.plots import chart
from pages.shared.projector import intro, settings

DEMO = "svm"
SPEC = {p.name: p for p in svm.PARAMS}


def _run(params: dict) -> SVMResult:
    return store(DEMO).get_or_run(key_of(params), lambda _: svm.run(**params))


def render() -> None:
    st.header(t("demo.svm"), anchor=False)
    intro(t("svm.intro"))
    with settings("svm_form"):
        c1, c2, c3 = st.columns(3)
        with c1:
            params = {k: widget(DEMO, SPEC[k]) for k in ("dataset", "n", "noise")}
        with c2:
            params |= {k: widget(DEMO, SPEC[k]) for k in ("kernel", "C", "gamma", "degree")}
        with c3:
            params |= {k: widget(DEMO, SPEC[k]) for k in ("pegasos_steps", "seed")}
        st.form_submit_button(t("svm.run"), type="primary")
    r = _run(params)

    numbers(r)
    if not r.smo_converged:
        st.warning(t("svm.not_converged", steps=r.smo_iterations))
    chart(boundary_figure(r), width="stretch")
    st.caption(t("svm.boundary_caption"))
    if r.pegasos_objective is not None:
        st.subheader(t("svm.pegasos_title"), anchor=False)
        st.markdown(t("svm.pegasos_intro", lam=f"{1 / (r.params['n'] * r.params['C']):.3g}"))
        chart(pegasos_figure(r), width="stretch")
        st.info(t("svm.pegasos_result", steps=r.params["pegasos_steps"], gap=f"{r.pegasos_gap:+.2%}"))
    else:
        st.caption(t("svm.pegasos_linear_only"))

    reproduce(DEMO, "kdlab.classic.svm", params, svm.PARAMS)
    show_source("kdlab.classic.svm:pegasos", "kdlab.classic.svm:smo", "kdlab.classic.svm:kernel_matrix")


def numbers(r: SVMResult) -> None:
    m = st.columns(5)
    m[0].metric(t("svm.test_accuracy"), f"{r.test_accuracy:.1%}")
    m[1].metric(
        t("svm.support_vectors"), f"{len(r.support)}", help=t("svm.support_help", bounded=len(r.bounded))
    )
    m[2].metric(
        t("svm.margin"), "—" if r.margin_width is None else f"{r.margin_width:.3f}", help=t("svm.margin_help")
    )
    m[3].metric(t("svm.primal"), f"{r.primal:.5g}")
    m[4].metric(t("svm.dual"), f"{r.dual:.5g}", help=t("svm.dual_help"))


def boundary_figure(r: SVMResult, height: int = 560) -> go.Figure:
    fig = go.Figure(
        go.Contour(
            x=r.grid_x, y=r.grid_y, z=np.clip(r.grid_f, -3, 3), colorscale="RdBu", opacity=0.55, showscale=False,
            contours=dict(start=-3, end=3, size=0.5), line=dict(width=0), hoverinfo="skip",
        )
    )  # fmt: skip
    for level, dash, name in (
        (0.0, "solid", t("svm.boundary")),
        (-1.0, "dash", t("svm.margin_lines")),
        (1.0, "dash", None),
    ):
        fig.add_trace(
            go.Contour(
                x=r.grid_x, y=r.grid_y, z=r.grid_f, showscale=False, contours=dict(start=level, end=level, size=1,
                coloring="none"), line=dict(color="black", width=3 if level == 0 else 1.5, dash=dash),
                name=name or "", showlegend=name is not None, hoverinfo="skip",
            )
        )  # fmt: skip
    sv = np.zeros(len(r.y_train), bool)
    sv[r.support] = True
    for label, color, symbol in ((1.0, "#d62728", "circle"), (-1.0, "#1f77b4", "square")):
        mine = r.y_train == label
        fig.add_trace(
            go.Scatter(
                x=r.X_train[mine, 0], y=r.X_train[mine, 1], mode="markers", name=t("svm.class", c=f"{label:+.0f}"),
                marker=dict(color=color, symbol=symbol, size=np.where(sv[mine], 11, 7),
                            line=dict(color="black", width=np.where(sv[mine], 2.5, 0.5))),
                text=[f"α = {a:.3g}, ξ = {s:.3g}" for a, s in zip(r.alpha[mine], r.slack[mine], strict=True)],
                hovertemplate="%{text}<extra></extra>",
            )
        )  # fmt: skip
    wrong = r.slack > 0
    fig.add_trace(
        go.Scatter(
            x=r.X_train[wrong, 0], y=r.X_train[wrong, 1], mode="markers", name=t("svm.slack_points"),
            marker=dict(symbol="x-thin", size=np.clip(6 + 6 * r.slack[wrong], 6, 24), color="black", line=dict(width=2, color="black")),
            hoverinfo="skip",
        )
    )  # fmt: skip
    fig.update_layout(
        title=t("svm.boundary_title"), xaxis_title=t("svm.x1"), yaxis_title=t("svm.x2"), height=height,
        legend=dict(orientation="h", y=-0.18), yaxis=dict(scaleanchor="x", scaleratio=1),
    )  # fmt: skip
    return fig


def pegasos_figure(r: SVMResult) -> go.Figure:
    gap = np.maximum(r.pegasos_objective / r.primal - 1, 1e-7)
    fig = go.Figure(go.Scatter(x=r.pegasos_steps, y=gap, mode="lines+markers", name="Pegasos"))
    fig.add_trace(go.Scatter(x=[r.pegasos_steps[0], r.pegasos_steps[-1]], y=[0.01, 0.01], mode="lines", name="1%",
                             line=dict(dash="dash", color="gray")))  # fmt: skip
    fig.update_layout(
        title=t("svm.pegasos_plot"), xaxis_title=t("svm.steps"), yaxis_title=t("svm.gap_axis"),
        xaxis_type="log", yaxis_type="log", yaxis_tickformat=".1e", height=380,
    )  # fmt: skip
    return fig


def compact() -> None:
    """The question page's panel: C (and the kernel), with the margin, support vectors and Pegasos' gap."""
    left, right = st.columns(2)
    with left:
        C = widget(DEMO, SPEC["C"], key_prefix="compact_")
    with right:
        kernel = widget(DEMO, SPEC["kernel"], key_prefix="compact_")
    r = _run(defaults(svm.PARAMS) | {"C": C, "kernel": kernel})
    m = st.columns(3)
    m[0].metric(t("svm.support_vectors"), f"{len(r.support)}")
    m[1].metric(t("svm.margin"), "—" if r.margin_width is None else f"{r.margin_width:.3f}")
    m[2].metric(t("svm.pegasos_gap"), "—" if r.pegasos_gap is None else f"{r.pegasos_gap:+.2%}")
    chart(boundary_figure(r, height=460), width="stretch", key="compact_svm_boundary")
    st.caption(t("svm.compact_look"))
