"""Overfitting, regularization and tuning: degree, learning curves, ridge and lasso paths, k-fold CV, grid vs random search."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from kdlab.classic import capacity
from kdlab.classic.capacity import CapacityResult
from kdlab.core.params import defaults
from pages.demos.kit import key_of, reproduce, show_source, store, widget
from pages.shared.common import t
from pages.shared.plots import chart
from pages.shared.projector import intro, settings

DEMO = "capacity"
SPEC = {p.name: p for p in capacity.PARAMS}


def _run(params: dict) -> CapacityResult:
    return store(DEMO).get_or_run(key_of(params), lambda _: capacity.run(**params))


def render() -> None:
    st.header(t("demo.capacity"), anchor=False)
    intro(t("capacity.intro"))
    with settings("capacity_form"):
        c1, c2, c3 = st.columns(3)
        with c1:
            params = {k: widget(DEMO, SPEC[k]) for k in ("degree", "alpha")}
        with c2:
            params |= {k: widget(DEMO, SPEC[k]) for k in ("n_train", "noise")}
        with c3:
            params |= {k: widget(DEMO, SPEC[k]) for k in ("k_folds", "budget", "seed")}
        st.form_submit_button(t("capacity.run"), type="primary")
    r = _run(params)

    numbers(r)
    left, right = st.columns(2)
    with left:
        chart(fit_figure(r), width="stretch")
    with right:
        chart(degree_figure(r), width="stretch")
    st.caption(t("capacity.degree_note", val=r.best_degree_val, cv=r.best_degree_cv, k=r.params["k_folds"],
                 n=r.params["n_train"], fold=r.params["n_train"] // r.params["k_folds"]))  # fmt: skip

    st.subheader(t("capacity.learning_title"), anchor=False)
    chart(learning_figure(r), width="stretch")
    st.caption(t("capacity.learning_note"))

    st.subheader(t("capacity.paths_title"), anchor=False)
    st.markdown(t("capacity.paths_intro"))
    chart(paths_figure(r), width="stretch")

    st.subheader(t("capacity.search_title"), anchor=False)
    st.markdown(t("capacity.search_intro", budget=r.params["budget"], side=int(np.sqrt(r.params["budget"]))))
    chart(search_figure(r), width="stretch")
    g, rnd = r.search["grid"], r.search["random"]
    m = st.columns(4)
    m[0].metric(t("capacity.grid_cv"), f"{g['best_cv']:.4f}")
    m[1].metric(t("capacity.random_cv"), f"{rnd['best_cv']:.4f}")
    m[2].metric(t("capacity.grid_test"), f"{g['test_mse']:.4f}")
    m[3].metric(t("capacity.random_test"), f"{rnd['test_mse']:.4f}")
    w = r.search_wins
    st.info(t("capacity.wins", n=capacity.SEARCH_REPEATS, random=w["random"], grid=w["grid"], tie=w["tie"]))

    reproduce(DEMO, "kdlab.classic.capacity", params, capacity.PARAMS)
    show_source(
        "kdlab.classic.capacity:features",
        "kdlab.classic.capacity:ridge",
        "kdlab.classic.capacity:lasso",
        "kdlab.classic.capacity:folds",
        "kdlab.classic.capacity:kfold_mse",
        "kdlab.classic.capacity:search",
    )


def numbers(r: CapacityResult) -> None:
    m = st.columns(4)
    m[0].metric(t("capacity.train_mse"), f"{r.train_mse:.4f}")
    m[1].metric(t("capacity.val_mse"), f"{r.val_mse:.4f}")
    m[2].metric(t("capacity.test_mse"), f"{r.test_mse:.4f}")
    m[3].metric(t("capacity.noise_floor"), f"{r.noise_floor:.4f}", help=t("capacity.noise_floor_help"))


def fit_figure(r: CapacityResult) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=r.curve_x, y=r.curve_truth, mode="lines", name=t("capacity.truth"),
                             line=dict(dash="dash", color="gray")))  # fmt: skip
    fig.add_trace(go.Scatter(x=r.curve_x, y=np.clip(r.curve_fit, -3, 3), mode="lines", line=dict(width=3),
                             name=t("capacity.fit", d=r.params["degree"])))  # fmt: skip
    fig.add_trace(go.Scatter(x=r.x_train, y=r.y_train, mode="markers", name=t("capacity.train_points"),
                             marker=dict(size=8, color="black")))  # fmt: skip
    fig.update_layout(title=t("capacity.fit_title"), xaxis_title="x", yaxis_title="y", yaxis_range=[-2.2, 2.2],
                      height=420, legend=dict(orientation="h", y=-0.2))  # fmt: skip
    return fig


def degree_figure(r: CapacityResult) -> go.Figure:
    fig = go.Figure()
    for name, values, dash in (("train", r.train_by_degree, "solid"), ("validation", r.val_by_degree, "solid"),
                               ("cv", r.cv_by_degree, "dot")):  # fmt: skip
        fig.add_trace(go.Scatter(x=r.degrees, y=values, mode="lines+markers", name=t(f"capacity.curve_{name}"),
                                 line=dict(dash=dash)))  # fmt: skip
    fig.add_trace(floor_trace(r, r.degrees))
    fig.add_vline(x=r.params["degree"], line=dict(color="red", width=1))
    fig.update_layout(title=t("capacity.degree_title"), xaxis_title=t("capacity.degree_axis"),
                      yaxis_title=t("capacity.mse_axis"), yaxis_type="log", height=420,
                      legend=dict(orientation="h", y=-0.2))  # fmt: skip
    return fig


def floor_trace(r: CapacityResult, xs: np.ndarray) -> go.Scatter:
    """The noise floor as a line with a legend entry (Plotly misplaces add_hline's label on log axes)."""
    return go.Scatter(x=[xs[0], xs[-1]], y=[r.noise_floor] * 2, mode="lines", name=t("capacity.noise_floor"),
                      line=dict(dash="dash", color="gray"))  # fmt: skip


def learning_figure(r: CapacityResult) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(x=r.sizes, y=r.train_by_size, mode="lines+markers", name=t("capacity.curve_train"))
    )
    fig.add_trace(
        go.Scatter(x=r.sizes, y=r.val_by_size, mode="lines+markers", name=t("capacity.curve_validation"))
    )
    fig.add_trace(floor_trace(r, r.sizes))
    fig.update_layout(title=t("capacity.learning_plot", d=r.params["degree"], n=capacity.RESAMPLES),
                      xaxis_title=t("capacity.size_axis"), yaxis_title=t("capacity.mse_axis"), xaxis_type="log",
                      yaxis_type="log", height=400, legend=dict(orientation="h", y=-0.2))  # fmt: skip
    return fig


def paths_figure(r: CapacityResult) -> go.Figure:
    fig = make_subplots(rows=1, cols=2, subplot_titles=(t("capacity.ridge_path"), t("capacity.lasso_path")))
    for j in range(len(r.true_coef)):
        informative = r.true_coef[j] != 0
        style = dict(mode="lines", line=dict(width=3 if informative else 1.5, dash="solid" if informative else "dot"),
                     legendgroup=str(j))  # fmt: skip
        name = t("capacity.feature", j=j + 1, w=f"{r.true_coef[j]:g}")
        fig.add_trace(go.Scatter(x=r.path_alphas_ridge, y=r.path_ridge[:, j], name=name, **style), 1, 1)
        fig.add_trace(go.Scatter(x=r.path_alphas_lasso, y=r.path_lasso[:, j], name=name, showlegend=False, **style), 1, 2)  # fmt: skip
    fig.update_xaxes(type="log", title_text=t("capacity.alpha_ridge"), row=1, col=1)
    fig.update_xaxes(type="log", title_text=t("capacity.alpha_lasso"), row=1, col=2)
    fig.update_yaxes(title_text=t("capacity.weight"), row=1, col=1)
    fig.update_layout(height=440, legend=dict(orientation="h", y=-0.25), margin=dict(t=50))
    return fig


def search_figure(r: CapacityResult) -> go.Figure:
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=(t("capacity.grid"), t("capacity.random")), shared_yaxes=True
    )
    scores = np.concatenate([r.search[m]["scores"] for m in ("grid", "random")])
    lo, hi = np.log10(scores.min()), np.log10(np.quantile(scores, 0.9))
    for col, m in enumerate(("grid", "random"), start=1):
        s = r.search[m]
        fig.add_trace(
            go.Scatter(
                x=s["trials"][:, 0], y=s["trials"][:, 1], mode="markers", showlegend=False,
                marker=dict(size=13, color=np.log10(s["scores"]), colorscale="Viridis_r", cmin=lo, cmax=hi,
                            colorbar=dict(title=t("capacity.log_cv")) if col == 2 else None, showscale=col == 2),
                text=[f"CV {v:.4f}" for v in s["scores"]], hovertemplate="degree %{x}, α %{y:.2g}<br>%{text}<extra></extra>",
            ), 1, col,
        )  # fmt: skip
        d, a = s["best"]
        fig.add_trace(go.Scatter(x=[d], y=[a], mode="markers", showlegend=False,
                                 marker=dict(symbol="star", size=22, color="red", line=dict(width=1, color="white"))), 1, col)  # fmt: skip
        fig.update_xaxes(
            title_text=t("capacity.degree_axis"), range=[0, capacity.MAX_DEGREE + 1], row=1, col=col
        )
    fig.update_yaxes(type="log", title_text="α", row=1, col=1)
    fig.update_yaxes(type="log", row=1, col=2)
    fig.update_layout(height=420, margin=dict(t=50))
    return fig


def compact() -> None:
    """The question pages' panel (overfitting, generalization, regularization, tuning): degree and alpha."""
    left, right = st.columns(2)
    with left:
        degree = widget(DEMO, SPEC["degree"], key_prefix="compact_")
    with right:
        alpha = widget(DEMO, SPEC["alpha"], key_prefix="compact_")
    r = _run(defaults(capacity.PARAMS) | {"degree": degree, "alpha": alpha})
    numbers(r)
    a, b = st.columns(2)
    with a:
        chart(fit_figure(r), width="stretch", key="compact_capacity_fit_plot")
    with b:
        chart(degree_figure(r), width="stretch", key="compact_capacity_degree_plot")
    st.caption(t("capacity.compact_look"))
