"""Logistic regression by gradient descent: the probability surface as it trains, the log-loss, the coefficients."""

from __future__ import annotations

import re

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from kdlab.classic import logistic
from kdlab.classic.logistic import LogisticResult
from kdlab.core.params import defaults
from kdlab.data import upload
from pages.demos.kit import key_of, reproduce, show_source, store, widget
from pages.demos.own_data import own_data, session_run
from pages.shared.common import t
from pages.shared.plots import chart
from pages.shared.projector import intro, settings

DEMO = "logistic"
SPEC = {p.name: p for p in logistic.PARAMS}
CLASS_COLORS = ("#1f77b4", "#d62728")  # class 0 blue, class 1 red, as the surface's ends


def _run(params: dict) -> LogisticResult:
    return store(DEMO).get_or_run(key_of(params), lambda _: logistic.run(**params))


def render() -> None:
    st.header(t("demo.logistic"), anchor=False)
    intro(t("logistic.intro"))
    own = own_data(DEMO)
    with settings("logistic_form"):
        c1, c2, c3, c4 = st.columns(4)
        with c1:
            params = {k: widget(DEMO, SPEC[k]) for k in ("dataset", "degree", "noise")}
        with c2:
            params |= {k: widget(DEMO, SPEC[k]) for k in ("method", "lr", "n_iter")}
        with c3:
            params |= {
                "l2": widget(DEMO, SPEC["l2"], format="%.3f"),
                "batch_size": widget(DEMO, SPEC["batch_size"]),
            }
        with c4:
            params |= {k: widget(DEMO, SPEC[k]) for k in ("n_samples", "seed")}
        st.form_submit_button(t("logistic.run"), type="primary")
    if own is None:
        r, names = _run(params), ("x1", "x2")
    else:
        r = session_run(
            DEMO, own, params, lambda: logistic.run_on(upload.split(own, params["seed"]), **params)
        )
        names = own.features

    if r.diverged_at is not None:
        diverged(r)
        chart(loss_figure(r), width="stretch")
        return
    metrics(r)
    notes(r)
    chart(surface_figure(r, names=names), width="stretch")
    left, right = st.columns(2)
    with left:
        chart(loss_figure(r), width="stretch")
    with right:
        chart(norm_figure(r), width="stretch")
    chart(coef_figure(r, names), width="stretch")
    st.caption(t("logistic.coef_note"))
    if own is None:  # an upload has no command line to reproduce it
        reproduce(DEMO, "kdlab.classic.logistic", params, logistic.PARAMS)
    show_source(
        "kdlab.classic.logistic:sigmoid",
        "kdlab.classic.logistic:log_loss",
        "kdlab.classic.logistic:gradient",
        "kdlab.classic.logistic:gradient_descent",
        "kdlab.classic.logistic:newton",
    )


def sklearn_C(r: LogisticResult) -> str:
    return "∞" if r.sklearn_C == float("inf") else f"{r.sklearn_C:.4g}"


def metrics(r: LogisticResult) -> None:
    m = st.columns(5)
    m[0].metric(t("logistic.train_acc"), f"{r.train_accuracy:.1%}")
    m[1].metric(t("logistic.test_acc"), f"{r.test_accuracy:.1%}")
    m[2].metric(t("logistic.test_loss"), f"{r.test_loss[-1]:.4f}")
    m[3].metric(t("logistic.gap"), "—" if r.coef_gap is None else f"{r.coef_gap:.2g}")
    m[4].metric(t("logistic.sklearn_C"), sklearn_C(r))


def diverged(r: LogisticResult) -> None:
    p = r.params
    st.error(
        t("logistic.diverged", step=r.diverged_at, lr=p["lr"], l2=p["l2"], stable=f"{r.lr_stable_below:.3g}"),
        icon="💥",
    )


def notes(r: LogisticResult) -> None:
    if r.w_opt is None:
        st.warning(t("logistic.no_optimum", norm=f"{r.weight_norm[-1]:.3g}"))
    elif r.coef_gap > 1e-3:
        if r.params["method"] == "minibatch":
            st.info(t("logistic.noise_ball"))
        elif r.bouncing:
            st.warning(t("logistic.bouncing", lr=r.params["lr"], stable=f"{r.lr_stable_below:.3g}"))
        else:
            st.info(t("logistic.not_converged"))


def surface_figure(
    r: LogisticResult, animate: bool = True, height: int = 560, names: tuple[str, str] = ("x1", "x2")
) -> go.Figure:
    """p(y = 1) over the plane with the 0.5 boundary; frames replay training (slider or ▶)."""

    def traces(proba):
        return [
            go.Contour(
                x=r.grid_x, y=r.grid_y, z=proba, zmin=0, zmax=1, colorscale="RdBu_r", opacity=0.75,
                contours=dict(start=0.1, end=0.9, size=0.1), line=dict(width=0.5),
                colorbar=dict(title="p(y=1)", len=0.8), hovertemplate="p(y=1) = %{z:.2f}<extra></extra>",
            ),
            go.Contour(
                x=r.grid_x, y=r.grid_y, z=proba, showscale=False, hoverinfo="skip",
                contours=dict(coloring="lines", start=0.5, end=0.5, size=1), line=dict(width=3, color="black"),
                colorscale=[[0, "black"], [1, "black"]], name=t("logistic.boundary"),
            ),
        ]  # fmt: skip

    points = []
    for X, y, split, symbol in ((r.X_train, r.y_train, "train", "circle"), (r.X_test, r.y_test, "test", "x")):
        for c in (0, 1):
            mask = y == c
            points.append(go.Scatter(
                x=X[mask, 0], y=X[mask, 1], mode="markers",
                name=t(f"logistic.{split}_class", c=c),
                marker=dict(color=CLASS_COLORS[c], symbol=symbol, size=7, line=dict(width=1, color="white")),
            ))  # fmt: skip
    fig = go.Figure(data=[*traces(r.frame_proba[-1]), *points])
    layout = dict(
        title=t("logistic.surface_title"), xaxis_title=names[0], yaxis_title=names[1], height=height,
        legend=dict(orientation="h", y=1.0, yanchor="bottom", x=0), margin=dict(t=100, b=100 if animate else 50),
    )  # fmt: skip
    if animate:
        fig.frames = [go.Frame(data=traces(proba), name=str(s), traces=[0, 1])
                      for s, proba in zip(r.frame_steps, r.frame_proba, strict=True)]  # fmt: skip
        steps = [
            dict(method="animate", label=str(f.name),
                 args=[[f.name], dict(mode="immediate", frame=dict(duration=0, redraw=True), transition=dict(duration=0))])
            for f in fig.frames
        ]  # fmt: skip
        layout |= dict(
            sliders=[dict(active=len(steps) - 1, steps=steps, currentvalue=dict(prefix=t("logistic.step") + ": "), pad=dict(t=30), x=0.08, len=0.92)],
            updatemenus=[dict(type="buttons", showactive=False, x=0, y=-0.18, xanchor="left", buttons=[
                dict(label="▶", method="animate", args=[None, dict(frame=dict(duration=150, redraw=True), fromcurrent=False, transition=dict(duration=0))])])],
        )  # fmt: skip
    fig.update_layout(**layout)
    return fig


def loss_figure(r: LogisticResult, height: int = 360) -> go.Figure:
    steps = np.arange(1, len(r.train_loss))  # a log step axis: most of the change is in the first steps
    fig = go.Figure([
        go.Scatter(x=steps, y=r.train_loss[1:], mode="lines", name=t("logistic.train")),
        go.Scatter(x=steps, y=r.test_loss[1:], mode="lines", name=t("logistic.test"), line=dict(dash="dash")),
    ])  # fmt: skip
    fig.update_layout(title=t("logistic.loss_title"), xaxis_title=t("logistic.step_log"), yaxis_title=t("logistic.log_loss"),
                      xaxis_type="log", height=height, legend=dict(orientation="h", y=1.12))  # fmt: skip
    return fig


def norm_figure(r: LogisticResult) -> go.Figure:
    steps = np.arange(1, len(r.weight_norm))
    fig = go.Figure(go.Scatter(x=steps, y=r.weight_norm[1:], mode="lines", name="‖w‖"))
    fig.update_layout(title=t("logistic.norm_title"), xaxis_title=t("logistic.step_log"), yaxis_title="‖w‖",
                      xaxis_type="log", height=360)  # fmt: skip
    return fig


def coef_figure(r: LogisticResult, features: tuple[str, str] = ("x1", "x2")) -> go.Figure:
    # The monomials in the features' own names (an upload's columns, not x1 and x2), in one pass.
    names = ["b", *(re.sub(r"x([12])", lambda m: features[int(m[1]) - 1], f) for f in r.feature_names)]
    fig = go.Figure(go.Bar(x=names, y=np.r_[r.b, r.w], name=t("logistic.gd")))
    if r.w_opt is not None:
        fig.add_bar(x=names, y=np.r_[r.b_opt, r.w_opt], name=t("logistic.optimum"))
    fig.update_layout(title=t("logistic.coef_title"), xaxis_title=t("logistic.feature"), yaxis_title=t("logistic.coef"),
                      barmode="group", height=360, legend=dict(orientation="h", y=1.12))  # fmt: skip
    return fig


def compact() -> None:
    """The question page's panel: the features' degree and the L2 penalty, and the boundary they give."""
    left, right = st.columns(2)
    with left:
        degree = widget(DEMO, SPEC["degree"], key_prefix="compact_")
    with right:
        l2 = widget(DEMO, SPEC["l2"], key_prefix="compact_", format="%.3f")
    params = defaults(logistic.PARAMS) | {"degree": degree, "l2": l2}
    r = _run(params)
    if r.diverged_at is not None:
        diverged(r)
        return
    m = st.columns(3)
    m[0].metric(t("logistic.test_acc"), f"{r.test_accuracy:.1%}")
    m[1].metric(t("logistic.gap"), "—" if r.coef_gap is None else f"{r.coef_gap:.2g}")
    m[2].metric(t("logistic.sklearn_C"), sklearn_C(r))
    notes(r)
    chart(
        surface_figure(r, animate=False, height=460), width="stretch", key="compact_logistic_surface"
    )
    st.caption(t("logistic.compact_look"))
