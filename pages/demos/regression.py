"""Linear regression by gradient descent: the fit as it moves, the loss, and the path on the loss surface."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from kdlab.classic import regression
from kdlab.classic.regression import RegressionResult
from kdlab.core.params import defaults
from pages.demos.kit import key_of, reproduce, show_source, store, widget
from pages.shared.common import lang, t
from pages.shared.plots import chart, settled_at
from pages.shared.projector import intro, settings

DEMO = "regression"


def render() -> None:
    st.header(t("demo.regression"), anchor=False)
    intro(t("regression.intro"))
    spec = {p.name: p for p in regression.PARAMS}
    with settings():
        c1, c2, c3, c4 = st.columns([1.5, 1, 1, 1])
        with c1:
            params = {"dataset": widget(DEMO, spec["dataset"]), "method": widget(DEMO, spec["method"])}
        with c2:
            params["lr"] = widget(DEMO, spec["lr"])
            params["n_iter"] = widget(DEMO, spec["n_iter"])
        with c3:
            params["batch_size"] = widget(DEMO, spec["batch_size"], disabled=params["method"] != "minibatch")
            params["l2"] = widget(DEMO, spec["l2"])
        with c4:
            params["scale"] = widget(DEMO, spec["scale"])
            params["seed"] = widget(DEMO, spec["seed"])

    r: RegressionResult = store(DEMO).get_or_run(key_of(params), lambda _: regression.run(**params))
    names = r.feature_names_zh if lang() == "zh" else r.feature_names
    target = r.target_name_zh if lang() == "zh" else r.target_name

    if r.diverged:
        st.error(
            t("regression.diverged", step=r.diverged_at, lr=params["lr"], stable=f"{r.lr_stable_below:.3g}")
            + ("" if params["scale"] else " " + t("regression.diverged_scale")),
            icon="💥",
        )
        loss_view(r)
    else:
        metrics(r)
        notes(r, params)
        left, right = st.columns(2)
        with left:
            chart(fit_figure(r, names, target), width="stretch")
        with right:
            chart(surface_figure(r), width="stretch")
        loss_view(r)
    reproduce(DEMO, "kdlab.classic.regression", params, regression.PARAMS)
    show_source("kdlab.classic.regression:gradient_descent", "kdlab.classic.regression:closed_form")


def metrics(r: RegressionResult) -> None:
    m = st.columns(4)
    m[0].metric(t("regression.test_mse"), "—" if r.test_mse is None else f"{r.test_mse:.4g}")
    m[1].metric(t("regression.test_r2"), "—" if r.test_r2 is None else f"{r.test_r2:.3f}")
    m[2].metric(t("regression.gap"), f"{r.coef_gap:.2g}")
    m[3].metric(t("regression.final_loss"), f"{r.loss_history[-1]:.4g}")
    if r.test_mse is None:
        st.caption(t("regression.no_test"))

    def eq(w):
        return " ".join(f"{'+' if x >= 0 else '-'} {abs(x):.4g}\\,x_{{{i + 1}}}" for i, x in enumerate(w))

    # The colon inside \text: in maths it is a relation, set with a space before it ("GD :").
    colon = "：" if lang() == "zh" else ":"
    st.latex(
        rf"\text{{{t('regression.gd')}{colon}}}\ \hat y = {r.b:.4g} {eq(r.w)}\qquad "
        rf"\text{{{t('regression.closed_form')}{colon}}}\ \hat y = {r.b_closed:.4g} {eq(r.w_closed)}"
    )


def notes(r: RegressionResult, params: dict) -> None:
    if not r.converged:
        if params["method"] != "batch":
            st.info(t("regression.noise_ball"))
        elif params["lr"] >= 0.99 * r.lr_stable_below:
            st.warning(t("regression.edge", stable=f"{r.lr_stable_below:.3g}"))
        else:
            st.warning(
                t("regression.slow", cond=f"{r.condition_number:.3g}", stable=f"{r.lr_stable_below:.3g}")
            )
    if r.rank_deficient:
        st.info(t("regression.rank_deficient", rank=r.rank, cols=len(r.w) + 1))


def fit_figure(r: RegressionResult, names: tuple[str, ...], target: str) -> go.Figure:
    """One feature: the line moving over the points. Two: predicted against actual."""
    one = len(names) == 1
    X = np.vstack([r.X_train] + ([r.X_test] if r.X_test is not None else []))
    y = np.concatenate([r.y_train] + ([r.y_test] if r.y_test is not None else []))
    is_test = np.arange(len(y)) >= len(r.y_train)

    def frame_data(w, b):
        if one:
            xs = np.linspace(X[:, 0].min(), X[:, 0].max(), 2)
            return go.Scatter(
                x=xs, y=w[0] * xs + b, mode="lines", name=t("regression.model"), line=dict(width=3)
            )
        pred = X @ w + b
        return go.Scatter(
            x=y, y=pred, mode="markers", name=t("regression.model"), marker=dict(size=7, opacity=0.7)
        )

    points = []
    for mask, name, symbol in (
        (~is_test, t("regression.train"), "circle"),
        (is_test, t("regression.test"), "x"),
    ):
        if mask.any():
            xv = X[mask, 0] if one else y[mask]
            yv = y[mask]
            points.append(
                go.Scatter(
                    x=xv,
                    y=yv,
                    mode="markers" if one else "lines",
                    name=name,
                    marker=dict(symbol=symbol, size=7),
                    opacity=0.55,
                )
            )
    if not one:
        points = [
            go.Scatter(
                x=[y.min(), y.max()],
                y=[y.min(), y.max()],
                mode="lines",
                name=t("regression.perfect"),
                line=dict(dash="dash", color="gray"),
            )
        ]
    frames = [
        go.Frame(data=[frame_data(w, b)], name=str(s), traces=[len(points)])
        for s, w, b in zip(r.frame_steps, r.frame_w, r.frame_b, strict=True)
    ]
    fig = go.Figure(data=[*points, frame_data(r.frame_w[-1], r.frame_b[-1])], frames=frames)
    steps = [
        dict(
            method="animate",
            label=str(f.name),
            args=[
                [f.name],
                dict(mode="immediate", frame=dict(duration=0, redraw=True), transition=dict(duration=0)),
            ],
        )
        for f in frames
    ]
    fig.update_layout(
        title=t("regression.fit_title"),
        xaxis_title=names[0] if one else t("regression.actual", target=target),
        yaxis_title=target if one else t("regression.predicted", target=target),
        sliders=[dict(active=len(steps) - 1, steps=steps, currentvalue=dict(prefix=t("regression.step") + ": "), pad=dict(t=40))],
        updatemenus=[dict(type="buttons", showactive=False, x=0, y=-0.25, xanchor="left", buttons=[
            dict(label="▶", method="animate", args=[None, dict(frame=dict(duration=80, redraw=True), fromcurrent=False, transition=dict(duration=0))])])],
        height=480, margin=dict(b=110), legend=dict(orientation="h", y=1.08),
    )  # fmt: skip
    return fig


def surface_figure(r: RegressionResult) -> go.Figure:
    u, v = r.surface_axes
    fig = go.Figure(
        go.Contour(
            x=r.surface_u,
            y=r.surface_v,
            z=np.log10(r.surface_loss + 1e-12),
            colorscale="Viridis",
            contours=dict(coloring="heatmap"),
            colorbar=dict(title="log₁₀ L"),
            ncontours=25,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=r.path[:, 0],
            y=r.path[:, 1],
            mode="lines+markers",
            name=t("regression.path"),
            line=dict(color="white", width=2),
            marker=dict(size=4, color="white"),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[r.surface_opt[0]],
            y=[r.surface_opt[1]],
            mode="markers",
            name=t("regression.optimum"),
            marker=dict(symbol="star", size=16, color="red"),
        )
    )
    fig.update_layout(title=t("regression.surface_title", coords=t(f"regression.coords_{r.surface_coords}")),
                      xaxis_title=u, yaxis_title=v, height=480, legend=dict(orientation="h", y=1.08))  # fmt: skip
    return fig


def loss_view(r: RegressionResult, key: str | None = None) -> None:
    fig, note = loss_figure(r)
    chart(fig, width="stretch", key=key)
    if note:
        st.caption(note)


def loss_figure(r: RegressionResult) -> tuple[go.Figure, str | None]:
    """The loss per step on a log axis, drawn only while it still moves by more than rounding error
    (past that, a log axis zooms into floating-point noise); a diverged run's history already stops
    where it blew up. Also the sentence that says so, if anything was left out."""
    losses = np.asarray(r.loss_history, dtype=float)
    steps = np.arange(len(losses))
    finite = np.isfinite(losses) & (losses > 0)
    steps, losses = steps[finite], losses[finite]
    end, note = settled_at(losses), None
    yaxis = dict(title="L(w, b)", type="log")
    if end == 0:  # never moved: the whole run, on a decade around its value
        value = losses[-1]
        yaxis["range"] = [np.log10(value) - 1, np.log10(value) + 1]
        note = t("regression.loss_flat", value=f"{value:.6g}")
    elif end is not None:
        note = t("regression.loss_settled", step=int(steps[end]), value=f"{losses[end]:.6g}", n=int(steps[-1]))
        steps, losses = steps[: end + 1], losses[: end + 1]
    fig = go.Figure(go.Scatter(x=steps, y=losses, mode="lines", name="L"))
    xaxis = dict(title=t("regression.step"), rangemode="tozero")
    if len(steps) <= 10:  # a run that diverged in a few steps: whole steps, not 0.5, 1.5, ...
        xaxis["dtick"] = 1
    fig.update_layout(title=t("regression.loss_title"), xaxis=xaxis, yaxis=yaxis, height=320)
    return fig, note


def compact() -> None:
    """The question page's panel: the learning rate and the method, and the loss they give."""
    spec = {p.name: p for p in regression.PARAMS}
    left, right = st.columns(2)
    with left:
        lr = widget(DEMO, spec["lr"], key_prefix="compact_")
    with right:
        method = widget(DEMO, spec["method"], key_prefix="compact_")
    params = defaults(regression.PARAMS) | {"lr": lr, "method": method}
    r: RegressionResult = store(DEMO).get_or_run(key_of(params), lambda _: regression.run(**params))
    if r.diverged:
        st.error(t("regression.diverged", step=r.diverged_at, lr=lr, stable=f"{r.lr_stable_below:.3g}"), icon="💥")
    else:
        m = st.columns(2)
        m[0].metric(t("regression.test_mse"), "—" if r.test_mse is None else f"{r.test_mse:.4g}")
        m[1].metric(t("regression.gap"), f"{r.coef_gap:.2g}")
    loss_view(r, key="compact_regression_loss")
    st.caption(t("regression.compact_look"))
