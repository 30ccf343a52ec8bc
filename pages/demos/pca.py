"""PCA on the 8x8 digits: explained variance, the digits in 2-D beside t-SNE, reconstruction from k components."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from kdlab.classic import pca
from kdlab.classic.pca import PCAResult
from kdlab.core.params import defaults
from pages.demos.kit import key_of, reproduce, show_source, store, widget
from pages.shared.common import t
from pages.shared.plots import chart
from pages.shared.projector import intro, settings

DEMO = "pca"
SPEC = {p.name: p for p in pca.PARAMS}
PALETTE = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
]


def _run(params: dict) -> PCAResult:
    return store(DEMO).get_or_run(key_of(params), lambda _: pca.run(**params))


def render() -> None:
    st.header(t("demo.pca"), anchor=False)
    intro(t("pca.intro"))
    with settings("pca_form"):
        c1, c2 = st.columns(2)
        with c1:
            params = {"k": widget(DEMO, SPEC["k"])}
        with c2:
            params |= {k: widget(DEMO, SPEC[k]) for k in ("n_tsne", "perplexity", "seed")}
        st.form_submit_button(t("pca.run"), type="primary")
    r = _run(params)

    m = st.columns(4)
    k = r.params["k"]
    m[0].metric(t("pca.explained_k", k=k), f"{r.cumulative[k - 1]:.1%}")
    m[1].metric(t("pca.for_90"), f"{r.components_for_90}")
    m[2].metric(t("pca.error_k", k=k), f"{r.reconstruction_mse[k]:.2f}", help=t("pca.error_help"))
    m[3].metric(t("pca.tsne_time"), f"{r.tsne_seconds:.2f} s")
    chart(variance_figure(r), width="stretch")
    chart(reconstruction_figure(r), width="stretch")
    st.subheader(t("pca.maps_title"), anchor=False)
    chart(maps_figure(r), width="stretch")
    st.info(t("pca.maps_note", pca=f"{r.knn_pca:.1%}", tsne=f"{r.knn_tsne:.1%}", full=f"{r.knn_full:.1%}",
              n=r.params["n_tsne"]))  # fmt: skip
    chart(components_figure(r), width="stretch")

    reproduce(DEMO, "kdlab.classic.pca", params, pca.PARAMS)
    show_source("kdlab.classic.pca:fit", "kdlab.classic.pca:transform", "kdlab.classic.pca:reconstruct")


def variance_figure(r: PCAResult) -> go.Figure:
    ks = np.arange(1, len(r.explained_ratio) + 1)
    fig = make_subplots(rows=1, cols=2, subplot_titles=(t("pca.scree"), t("pca.error_curve")))
    fig.add_trace(go.Bar(x=ks, y=r.explained_ratio, name=t("pca.each")), 1, 1)
    fig.add_trace(go.Scatter(x=ks, y=r.cumulative, mode="lines", name=t("pca.cumulative")), 1, 1)
    fig.add_hline(y=0.9, line=dict(dash="dot", color="gray"), row=1, col=1)
    fig.add_trace(go.Scatter(x=np.arange(65), y=r.reconstruction_mse, mode="lines+markers", name=t("pca.mse"),
                             marker=dict(size=4)), 1, 2)  # fmt: skip
    k = r.params["k"]
    fig.add_trace(go.Scatter(x=[k], y=[r.reconstruction_mse[k]], mode="markers", marker=dict(size=14, color="red"),
                             name=f"k = {k}"), 1, 2)  # fmt: skip
    fig.update_xaxes(title_text=t("pca.component"), row=1, col=1)
    fig.update_yaxes(title_text=t("pca.variance_share"), tickformat=".0%", row=1, col=1)
    fig.update_xaxes(title_text=t("pca.k_axis"), row=1, col=2)
    fig.update_yaxes(title_text=t("pca.mse_axis"), row=1, col=2)
    fig.update_layout(height=380, legend=dict(orientation="h", y=-0.25), margin=dict(t=50))
    return fig


def reconstruction_figure(r: PCAResult) -> go.Figure:
    n = len(r.shown)
    fig = make_subplots(rows=2, cols=n, vertical_spacing=0.08, horizontal_spacing=0.01)
    for row, images in ((1, r.shown), (2, r.shown_reconstructed)):
        for i, image in enumerate(images):
            fig.add_trace(
                go.Heatmap(z=image[::-1], colorscale="gray_r", zmin=0, zmax=16, showscale=False), row, i + 1
            )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1)
    fig.update_layout(
        title=t("pca.reconstruction_title", k=r.params["k"]), height=300, margin=dict(t=50, b=10)
    )
    return fig


def maps_figure(r: PCAResult) -> go.Figure:
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=(t("pca.pca_map"), t("pca.tsne_map", n=r.params["n_tsne"]))
    )
    subset = r.subset
    for digit in range(10):
        mine = r.labels[subset] == digit
        style = dict(mode="markers+text", marker=dict(size=7, color=PALETTE[digit], opacity=0.75),
                     text=[str(digit)] * int(mine.sum()), textfont=dict(size=9), textposition="middle center")  # fmt: skip
        pts = r.scores_2d[subset][mine]
        fig.add_trace(
            go.Scatter(x=pts[:, 0], y=pts[:, 1], name=str(digit), legendgroup=str(digit), **style), 1, 1
        )
        pts = r.tsne_2d[mine]
        fig.add_trace(go.Scatter(x=pts[:, 0], y=pts[:, 1], name=str(digit), legendgroup=str(digit), showlegend=False, **style), 1, 2)  # fmt: skip
    fig.update_xaxes(title_text=t("pca.pc1"), row=1, col=1)
    fig.update_yaxes(title_text=t("pca.pc2"), row=1, col=1)
    fig.update_xaxes(title_text=t("pca.tsne_axis"), showticklabels=False, row=1, col=2)
    fig.update_yaxes(showticklabels=False, row=1, col=2)
    fig.update_layout(
        height=520, legend=dict(title=t("pca.digit"), orientation="h", y=-0.15), margin=dict(t=50)
    )
    return fig


def components_figure(r: PCAResult) -> go.Figure:
    images = [r.mean_image, *r.components]
    titles = [t("pca.mean_image")] + [f"PC {i + 1}" for i in range(len(r.components))]
    fig = make_subplots(rows=1, cols=len(images), subplot_titles=titles, horizontal_spacing=0.01)
    for i, image in enumerate(images):
        scale = dict(colorscale="gray_r", zmin=0, zmax=16) if i == 0 else dict(colorscale="RdBu", zmid=0)
        fig.add_trace(go.Heatmap(z=image[::-1], showscale=False, **scale), 1, i + 1)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1)
    # Room for a title wrapped onto two lines above the subplot titles (at 1280 px they overlapped).
    fig.update_layout(title=t("pca.components_title"), height=260, margin=dict(t=100, b=10))
    return fig


def compact() -> None:
    """The question page's panel: k, with what k components keep of the digits."""
    k = widget(DEMO, SPEC["k"], key_prefix="compact_")
    r = _run(defaults(pca.PARAMS) | {"k": k})
    m = st.columns(3)
    m[0].metric(t("pca.explained_k", k=k), f"{r.cumulative[k - 1]:.1%}")
    m[1].metric(t("pca.knn_pca"), f"{r.knn_pca:.0%}")
    m[2].metric(t("pca.knn_tsne"), f"{r.knn_tsne:.0%}")
    chart(reconstruction_figure(r), width="stretch", key="compact_pca_reconstruction")
    chart(maps_figure(r), width="stretch", key="compact_pca_maps")
    st.caption(t("pca.compact_look"))
