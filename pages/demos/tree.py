"""Decision tree (CART): the tree node by node, its decision regions, and accuracy as depth grows."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from kdlab.classic import tree
from kdlab.classic.tree import TreeResult
from kdlab.core.params import defaults
from kdlab.data import upload
from pages.demos.kit import key_of, reproduce, show_source, store, widget
from pages.demos.own_data import own_data, session_run
from pages.shared.common import t
from pages.shared.plots import chart
from pages.shared.projector import intro, settings

DEMO = "tree"
SPEC = {p.name: p for p in tree.PARAMS}
CLASS_COLORS = ("#1f77b4", "#d62728")
REGION_COLORS = ("#c6dbef", "#fcbba1")  # the same classes, pale, for the regions behind the points
LABELLED_DEPTH = 3  # nodes this shallow get their split written on the diagram; deeper ones on hover


def _run(params: dict) -> TreeResult:
    return store(DEMO).get_or_run(key_of(params), lambda _: tree.run(**params))


def render() -> None:
    st.header(t("demo.tree"), anchor=False)
    intro(t("tree.intro"))
    own = own_data(DEMO)
    with settings("tree_form"):
        c1, c2, c3 = st.columns(3)
        with c1:
            params = {k: widget(DEMO, SPEC[k]) for k in ("dataset", "criterion")}
        with c2:
            params |= {k: widget(DEMO, SPEC[k]) for k in ("max_depth", "min_samples_leaf")}
        with c3:
            params |= {k: widget(DEMO, SPEC[k]) for k in ("n_samples", "noise", "seed")}
        st.form_submit_button(t("tree.run"), type="primary")
    if own is None:
        r, names = _run(params), ("x1", "x2")
    else:
        r = session_run(
            DEMO, own, params, lambda: tree.run_on(lambda seed: upload.split(own, seed), **params)
        )
        names = own.features

    metrics(r)
    left, right = st.columns(2)
    with left:
        chart(regions_figure(r, names=names), width="stretch")
    with right:
        chart(depth_figure(r), width="stretch")
    st.caption(t("tree.curve_note", seeds=tree.CURVE_SEEDS))
    chart(tree_figure(r, names), width="stretch")
    with st.expander(t("tree.text_title")):
        st.code(tree.render_text(r.nodes, names, criterion=r.params["criterion"]), language=None)
    if own is None:  # an upload has no command line to reproduce it
        reproduce(DEMO, "kdlab.classic.tree", params, tree.PARAMS)
    show_source("kdlab.classic.tree:impurity", "kdlab.classic.tree:best_split", "kdlab.classic.tree:grow")


def metrics(r: TreeResult) -> None:
    m = st.columns(4)
    m[0].metric(t("tree.train_acc"), f"{r.train_accuracy:.1%}")
    m[1].metric(t("tree.test_acc"), f"{r.test_accuracy:.1%}")
    m[2].metric(t("tree.leaves"), f"{r.n_leaves}")
    m[3].metric(t("tree.depth"), f"{r.depth}")


def regions_figure(r: TreeResult, height: int = 480, names: tuple[str, str] = ("x1", "x2")) -> go.Figure:
    fig = go.Figure(go.Heatmap(
        x=r.grid_x, y=r.grid_y, z=r.regions.astype(float), zmin=0, zmax=1, showscale=False, hoverinfo="skip",
        colorscale=[[0, REGION_COLORS[0]], [0.5, REGION_COLORS[0]], [0.5, REGION_COLORS[1]], [1, REGION_COLORS[1]]],
    ))  # fmt: skip
    for X, y, split, symbol in ((r.X_train, r.y_train, "train", "circle"), (r.X_test, r.y_test, "test", "x")):
        for c in (0, 1):
            mask = y == c
            fig.add_scatter(x=X[mask, 0], y=X[mask, 1], mode="markers", name=t(f"tree.{split}_class", c=c),
                            marker=dict(color=CLASS_COLORS[c], symbol=symbol, size=6, line=dict(width=0.5, color="white")))  # fmt: skip
    fig.update_layout(title=t("tree.regions_title", depth=r.params["max_depth"]), xaxis_title=names[0], yaxis_title=names[1],
                      height=height, legend=dict(orientation="h", y=1.0, yanchor="bottom", x=0), margin=dict(t=100))  # fmt: skip
    return fig


def depth_figure(r: TreeResult, height: int = 480) -> go.Figure:
    d = r.curve_depth
    band_hi, band_lo = r.curve_test + r.curve_test_std, r.curve_test - r.curve_test_std
    fig = go.Figure([
        go.Scatter(x=np.r_[d, d[::-1]], y=np.r_[band_hi, band_lo[::-1]], fill="toself", fillcolor="rgba(214,39,40,0.15)",
                   line=dict(width=0), hoverinfo="skip", name=t("tree.test_band")),
        go.Scatter(x=d, y=r.curve_train, mode="lines+markers", name=t("tree.train"), line=dict(color="#1f77b4")),
        go.Scatter(x=d, y=r.curve_test, mode="lines+markers", name=t("tree.test"), line=dict(color="#d62728")),
    ])  # fmt: skip
    fig.add_vline(x=r.params["max_depth"], line=dict(dash="dot", color="gray"))
    fig.update_layout(title=t("tree.depth_title"), xaxis_title=t("tree.max_depth"), yaxis_title=t("tree.accuracy"),
                      yaxis_tickformat=".0%", height=height, legend=dict(orientation="h", y=1.0, yanchor="bottom", x=0),
                      margin=dict(t=100))  # fmt: skip
    return fig


def node_label(n: dict, names: tuple[str, str] = ("x1", "x2")) -> str:
    """A leaf's class, or a split on the feature's own name (an upload's columns, not x1 and x2)."""
    if n["feature"] < 0:
        return t("tree.leaf_class", c=n["prediction"])
    return f"{names[n['feature']]} ≤ {n['threshold']:.3g}"


def tree_figure(r: TreeResult, names: tuple[str, str] = ("x1", "x2")) -> go.Figure:
    nodes = r.nodes
    x, y = tree.positions(nodes)
    edge_x, edge_y = [], []
    for n in nodes:
        for child in (n["left"], n["right"]):
            if child >= 0:
                edge_x += [x[n["id"]], x[child], None]
                edge_y += [y[n["id"]], y[child], None]
    crit = t(f"choices.tree.{r.params['criterion']}")
    hover = [
        f"{node_label(n, names)}<br>{crit}: {n['impurity']:.3f}<br>{t('tree.samples')}: {n['samples']}"
        f"<br>{t('tree.counts')}: {[int(c) for c in n['counts']]}"
        for n in nodes
    ]
    share = np.array(
        [n["counts"][1] / max(sum(n["counts"]), 1e-12) for n in nodes]
    )  # class-1 share: the colour
    labelled = len(nodes) <= 31
    text = [
        f"{node_label(n, names)}<br>{n['samples']} · {[int(c) for c in n['counts']]}"
        if labelled or n["depth"] <= LABELLED_DEPTH else ""
        for n in nodes
    ]  # fmt: skip
    fig = go.Figure([
        go.Scatter(x=edge_x, y=edge_y, mode="lines", line=dict(color="#999", width=1), hoverinfo="skip", showlegend=False),
        go.Scatter(
            x=x, y=y, mode="markers+text", text=text, textposition="bottom center", textfont=dict(size=11),
            hovertext=hover, hoverinfo="text", showlegend=False,
            marker=dict(size=[22 if n["feature"] >= 0 else 14 for n in nodes], color=share, cmin=0, cmax=1,
                        colorscale=[[0, CLASS_COLORS[0]], [0.5, "#f7f7f7"], [1, CLASS_COLORS[1]]],
                        line=dict(width=1, color="#333"), symbol=["circle" if n["feature"] >= 0 else "square" for n in nodes],
                        colorbar=dict(title=t("tree.share"), tickformat=".0%", len=0.7)),
        ),
    ])  # fmt: skip
    depth = max(n["depth"] for n in nodes)
    fig.update_layout(
        title=t("tree.tree_title", nodes=len(nodes), leaves=r.n_leaves),
        height=max(360, 110 * (depth + 1)), margin=dict(l=20, r=20),
        xaxis=dict(visible=False), yaxis=dict(visible=False, range=[-depth - 0.6, 0.4]),
    )  # fmt: skip
    return fig


def compact() -> None:
    """The question page's panel: max_depth and min_samples_leaf, and the regions they give."""
    left, right = st.columns(2)
    with left:
        depth = widget(DEMO, SPEC["max_depth"], key_prefix="compact_")
    with right:
        leaf = widget(DEMO, SPEC["min_samples_leaf"], key_prefix="compact_")
    params = defaults(tree.PARAMS) | {"max_depth": depth, "min_samples_leaf": leaf}
    r = _run(params)
    m = st.columns(3)
    m[0].metric(t("tree.train_acc"), f"{r.train_accuracy:.1%}")
    m[1].metric(t("tree.test_acc"), f"{r.test_accuracy:.1%}")
    m[2].metric(t("tree.leaves"), f"{r.n_leaves}")
    left, right = st.columns(2)
    with left:
        chart(regions_figure(r, height=420), width="stretch", key="compact_tree_regions")
    with right:
        chart(depth_figure(r, height=420), width="stretch", key="compact_tree_depth")
    st.caption(t("tree.compact_look"))
