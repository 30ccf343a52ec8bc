"""Optimizers from scratch: a race on 2-D loss surfaces, the same network on digits, and a learning-rate range test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from kdlab.core.params import defaults
from kdlab.deep import optimizers
from kdlab.deep.optimizers import OptimizersResult
from pages.demos.kit import key_of, reproduce, show_source, store, widget
from pages.shared.common import t
from pages.shared.plots import chart
from pages.shared.projector import intro, settings

DEMO = "optimizers"
SPEC = {p.name: p for p in optimizers.PARAMS}
LAYOUT = (("surface", "steps", "lr_mode"), ("lr", "momentum", "weight_decay"), ("epochs", "digits_lr", "seed"))
COLORS = dict(zip(optimizers.OPTIMIZERS, ("#7f7f7f", "#1f77b4", "#17becf", "#2ca02c", "#ff7f0e", "#d62728", "#9467bd"),
                  strict=True))  # fmt: skip


def name(opt: str) -> str:
    return t(f"optimizers.name.{opt}")


def render() -> None:
    st.header(t("demo.optimizers"), anchor=False)
    intro(t("optimizers.intro"))
    params = controls()
    r: OptimizersResult = store(DEMO).get_or_run(key_of(params), lambda _: optimizers.run(**params))

    st.subheader(t("optimizers.race_title"), anchor=False)
    st.caption(t("optimizers.race_mode_" + params["lr_mode"], lr=f"{params['lr']:g}"))
    left, right = st.columns([3, 2])
    with left:
        chart(race_figure(r), width="stretch", key="optimizers_chart_race")
    with right:
        chart(values_figure(r), width="stretch", key="optimizers_chart_values")
    st.dataframe(race_table(r), hide_index=True, width="stretch")
    st.markdown(t(f"optimizers.surface_note.{params['surface']}"))

    st.subheader(t("optimizers.digits_title"), anchor=False)
    st.caption(t("optimizers.digits_lr_" + params["digits_lr"], epochs=params["epochs"]))
    left, right = st.columns(2)
    with left:
        chart(range_figure(r), width="stretch", key="optimizers_chart_range")
    with right:
        chart(digits_figure(r), width="stretch", key="optimizers_chart_digits")
    st.dataframe(digits_table(r), hide_index=True, width="stretch")
    accs = [d.test_acc for d in r.digits]
    st.markdown(t("optimizers.digits_note_" + params["digits_lr"], lo=f"{min(accs):.1%}", hi=f"{max(accs):.1%}"))
    reproduce(DEMO, "kdlab.deep.optimizers", params, optimizers.PARAMS)
    show_source("kdlab.deep.optimizers:step", "kdlab.deep.optimizers:lr_range_test")


def controls() -> dict:
    current = st.session_state.get("optimizers_params") or defaults(optimizers.PARAMS)
    with settings("optimizers_form"):
        params = {}
        for column, names in zip(st.columns(len(LAYOUT)), LAYOUT, strict=True):
            with column:
                for n in names:
                    params[n] = widget(DEMO, SPEC[n], value=current[n])
        submitted = st.form_submit_button(t("optimizers.run"), type="primary")
    # Sliders compute their values in floating point on the client: 0.9107999999999999 is 0.9108.
    params = {k: round(v, 6) if isinstance(v, float) else v for k, v in params.items()}
    if submitted or "optimizers_params" not in st.session_state:
        st.session_state["optimizers_params"] = params
    return st.session_state["optimizers_params"]


def race_figure(r: OptimizersResult) -> go.Figure:
    s = r.surface
    gap = r.contour_f - r.f_min
    z, title = (np.log10(gap + 1e-3), "log₁₀(f − f*)") if s.log_levels else (r.contour_f, "f")
    fig = go.Figure(go.Contour(x=r.contour_x, y=r.contour_y, z=z, colorscale="Greys", reversescale=True,
                               ncontours=30, contours=dict(coloring="heatmap", showlines=True), opacity=0.75,
                               colorbar=dict(title=title, len=0.8), hoverinfo="skip"))  # fmt: skip
    x0, x1, y0, y1 = s.box
    for c in r.racers:
        with np.errstate(invalid="ignore"):
            out = ~((np.abs(c.path[:, 0] - (x0 + x1) / 2) <= x1 - x0) & (np.abs(c.path[:, 1] - (y0 + y1) / 2) <= y1 - y0))
        path = c.path[: max(int(np.argmax(out)), 1)] if out.any() else c.path  # up to where it leaves the view
        fig.add_scatter(x=path[:, 0], y=path[:, 1], mode="lines+markers", name=name(c.name),
                        line=dict(color=COLORS[c.name], width=2), marker=dict(size=3))  # fmt: skip
    fig.add_scatter(x=[s.start[0]], y=[s.start[1]], mode="markers", name=t("optimizers.start"),
                    marker=dict(symbol="circle-open", size=14, color="black", line=dict(width=2)))  # fmt: skip
    fig.add_scatter(x=[s.minimum[0]], y=[s.minimum[1]], mode="markers", name=t("optimizers.minimum"),
                    marker=dict(symbol="star", size=16, color="gold", line=dict(width=1, color="black")))  # fmt: skip
    fig.update_layout(title=t("optimizers.race_plot", surface=t(f"choices.optimizers.{s.name}")), height=560,
                      xaxis=dict(title="x", range=[x0, x1]), yaxis=dict(title="y", range=[y0, y1]),
                      legend=dict(orientation="h", y=-0.15), margin=dict(t=50))  # fmt: skip
    return fig


def values_figure(r: OptimizersResult) -> go.Figure:
    fig = go.Figure()
    for c in r.racers:
        gap = c.values - r.f_min
        ok = np.isfinite(gap) & (gap < 1e12)
        fig.add_scatter(x=np.arange(len(gap))[ok], y=np.maximum(gap[ok], 1e-16), mode="lines", name=name(c.name),
                        line=dict(color=COLORS[c.name]), showlegend=False)  # fmt: skip
    fig.update_layout(title=t("optimizers.values_title"), xaxis_title=t("optimizers.step"),
                      yaxis=dict(title="f − f*", type="log", exponentformat="power"), height=560)  # fmt: skip
    return fig


def race_table(r: OptimizersResult) -> pd.DataFrame:
    return pd.DataFrame({
        t("optimizers.col_optimizer"): [name(c.name) for c in r.racers],
        t("optimizers.col_lr"): [f"{c.lr:g}" for c in r.racers],
        t("optimizers.col_final"): [t("optimizers.diverged") if c.diverged else f"{c.final - r.f_min:.3g}" for c in r.racers],
        t("optimizers.col_near"): [str(c.steps_to_near) if c.steps_to_near is not None else "—" for c in r.racers],
    })  # fmt: skip


def range_figure(r: OptimizersResult) -> go.Figure:
    fig = go.Figure()
    for rt in r.range_tests:
        fig.add_scatter(x=rt.lrs, y=rt.losses, mode="lines", name=name(rt.name), line=dict(color=COLORS[rt.name]))
        if rt.diverges_at is not None:
            fig.add_scatter(x=[rt.diverges_at], y=[rt.losses[-1]], mode="markers", showlegend=False,
                            marker=dict(symbol="x", size=11, color=COLORS[rt.name]),
                            hovertemplate=name(rt.name) + ": %{x:.2g}<extra></extra>")  # fmt: skip
    fig.update_layout(title=t("optimizers.range_title"), height=480, legend=dict(orientation="h", y=-0.2),
                      xaxis=dict(title=t("optimizers.lr_axis"), type="log", exponentformat="power"),
                      yaxis=dict(title=t("optimizers.loss_axis"), range=[0, 5]))  # fmt: skip
    return fig


def digits_figure(r: OptimizersResult) -> go.Figure:
    fig = go.Figure()
    for d in r.digits:
        fig.add_scatter(x=np.arange(1, len(d.train_loss) + 1), y=d.train_loss, mode="lines+markers",
                        name=name(d.name), line=dict(color=COLORS[d.name]))  # fmt: skip
    fig.update_layout(title=t("optimizers.digits_plot"), height=480, legend=dict(orientation="h", y=-0.2),
                      xaxis=dict(title=t("optimizers.epoch"), dtick=1 if len(r.digits[0].train_loss) <= 10 else None),
                      yaxis=dict(title=t("optimizers.loss_axis"), type="log",
                                 tickvals=log_ticks([d.train_loss for d in r.digits])))  # fmt: skip
    return fig


def digits_table(r: OptimizersResult) -> pd.DataFrame:
    return pd.DataFrame({
        t("optimizers.col_optimizer"): [name(d.name) for d in r.digits],
        t("optimizers.col_lr"): [f"{d.lr:.2g}" for d in r.digits],
        t("optimizers.col_train_loss"): [f"{d.train_loss[-1]:.3f}" for d in r.digits],
        t("optimizers.col_test_acc"): [f"{d.test_acc:.1%}" for d in r.digits],
        t("optimizers.col_diverges"): [f"{rt.diverges_at:.2g}" if rt.diverges_at else "—" for rt in r.range_tests],
    })  # fmt: skip


def compact() -> None:
    """The question page's panel: the surface and how learning rates are chosen, and the race they give."""
    left, right = st.columns(2)
    with left:
        surface = widget(DEMO, SPEC["surface"], key_prefix="compact_")
    with right:
        lr_mode = widget(DEMO, SPEC["lr_mode"], key_prefix="compact_")
    params = defaults(optimizers.PARAMS) | {"surface": surface, "lr_mode": lr_mode}
    r: OptimizersResult = store(DEMO).get_or_run(key_of(params), lambda _: optimizers.run(**params))
    chart(race_figure(r), width="stretch", key="compact_optimizers_race")
    st.dataframe(race_table(r), hide_index=True, width="stretch")
    st.caption(t("optimizers.compact_look"))


def log_ticks(values) -> list[float]:
    """1-2-5 ticks inside the data's range: plotly labels every minor digit when a log axis spans under a decade."""
    v = np.asarray([x for x in np.ravel(values) if np.isfinite(x) and x > 0])
    lo, hi = (v.min(), v.max()) if len(v) else (1e-3, 10.0)
    grid = [m * 10.0**e for e in range(-16, 6) for m in (1, 2, 5)]
    return [g for g in grid if lo / 2 <= g <= hi * 2]
