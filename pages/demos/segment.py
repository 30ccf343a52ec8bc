"""Segmentation: a tiny fully convolutional network with and without skip connections, masks over
the images, and IoU / Dice per class on held-out images."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from kdlab.core.params import defaults
from kdlab.deep import segment
from kdlab.deep.segment import CLASSES, VARIANTS, SegmentResult
from pages.demos.kit import key_of, reproduce, show_source, store, widget
from pages.shared.common import t
from pages.shared.plots import chart
from pages.shared.projector import intro, settings

DEMO = "segment"
SPEC = {p.name: p for p in segment.PARAMS}
# background transparent, then square, circle, triangle
MASK_RGBA = np.array([[0, 0, 0, 0], [239, 85, 59, 150], [0, 204, 150, 150], [255, 161, 90, 150]], np.uint8)
VARIANT_COLORS = {"plain": "#AB63FA", "unet": "#636EFA"}


def render() -> None:
    st.header(t("demo.segment"), anchor=False)
    intro(t("segment.intro"))
    params = controls()
    r = result(params)
    if r is None:
        return
    st.caption(t("segment.trained", n=r.n_train, epochs=params["epochs"],
                 plain=f"{r.train_seconds['plain']:.1f}", unet=f"{r.train_seconds['unet']:.1f}"))  # fmt: skip
    scores_view(r)
    notes(r)
    masks_view(r, key_prefix="")
    st.subheader(t("segment.loss_title"), anchor=False)
    chart(loss_figure(r), width="stretch")
    reproduce(DEMO, "kdlab.deep.segment", params, segment.PARAMS)
    show_source("kdlab.deep.segment:TinyUNet", "kdlab.deep.segment:confusion", "kdlab.deep.segment:iou_dice")


def controls() -> dict:
    """Settings in a form: nothing retrains until "Train"."""
    current = st.session_state.get("segment_params") or defaults(segment.PARAMS)
    with settings("segment_form"):
        params = {}
        for column, p in zip(st.columns(len(segment.PARAMS)), segment.PARAMS, strict=True):
            with column:
                params[p.name] = widget(DEMO, p, value=current[p.name])
        submitted = st.form_submit_button(t("segment.train"), type="primary")
    if submitted or "segment_params" not in st.session_state:
        st.session_state["segment_params"] = params
    return st.session_state["segment_params"]


def result(params: dict) -> SegmentResult | None:
    key = key_of(params)
    r = store(DEMO).get(key)
    if r is not None:
        return r
    bar = st.progress(0.0, text=t("segment.starting"))

    def train(report) -> SegmentResult:
        return segment.run(**params, on_epoch=lambda *step: report(step))

    def draw(step) -> None:
        variant, epoch, epochs, loss = step
        done = (epoch + (epochs if variant == "unet" else 0)) / (2 * epochs)
        bar.progress(min(done, 1.0), text=t("segment.progress", variant=t(f"segment.variant_{variant}"),
                                             epoch=epoch, total=epochs, loss=f"{loss:.3f}"))  # fmt: skip

    r = store(DEMO).run(key, train, draw=draw)
    bar.empty()
    return r


def fmt(x: float) -> str:
    return "—" if x != x else f"{x:.3f}"


def scores_table(r: SegmentResult) -> dict:
    """Rows: the two variants; columns: IoU and Dice per class, their means over the shapes, edge accuracy."""
    columns = {t("segment.variant"): [t(f"segment.variant_{v}") for v in VARIANTS]}
    for i, c in enumerate(CLASSES):
        columns[t("segment.iou_of", cls=t(f"segment.class_{c}"))] = [fmt(r.scores[v].iou[i]) for v in VARIANTS]
    columns[t("segment.mean_iou")] = [fmt(r.scores[v].mean_iou) for v in VARIANTS]
    for i, c in enumerate(CLASSES):
        columns[t("segment.dice_of", cls=t(f"segment.class_{c}"))] = [fmt(r.scores[v].dice[i]) for v in VARIANTS]
    columns[t("segment.mean_dice")] = [fmt(r.scores[v].mean_dice) for v in VARIANTS]
    columns[t("segment.edge_accuracy")] = [f"{r.scores[v].edge_accuracy:.1%}" for v in VARIANTS]
    return columns


def scores_view(r: SegmentResult) -> None:
    st.subheader(t("segment.scores_title", n=r.n_test), anchor=False)
    m = st.columns(2)
    for col, v in zip(m, VARIANTS, strict=True):
        col.metric(t("segment.miou_of", variant=t(f"segment.variant_{v}")), fmt(r.scores[v].mean_iou),
                   help=t("segment.miou_help"))  # fmt: skip
    chart(iou_figure(r), width="stretch", key="segment_iou")
    st.table(scores_table(r))
    st.caption(t("segment.scores_help"))


def iou_figure(r: SegmentResult) -> go.Figure:
    fig = go.Figure()
    x = [t(f"segment.class_{c}") for c in CLASSES]
    for v in VARIANTS:
        s = r.scores[v]
        fig.add_bar(x=x, y=s.iou, name=t(f"segment.variant_{v}"), marker_color=VARIANT_COLORS[v],
                    text=[fmt(a) for a in s.iou], textposition="outside",
                    customdata=s.dice, hovertemplate="IoU %{y:.3f} · Dice %{customdata:.3f}<extra></extra>")  # fmt: skip
    fig.update_layout(barmode="group", height=360, yaxis=dict(title="IoU", range=[0, 1.12]),
                      xaxis_title=t("segment.class"), legend=dict(orientation="h", y=1.15), margin=dict(t=30))  # fmt: skip
    return fig


def notes(r: SegmentResult) -> None:
    p, u = r.scores["plain"], r.scores["unet"]
    better = "segment.note_skips_help" if u.mean_iou > p.mean_iou + 0.02 else "segment.note_skips_tie"
    lines = [
        t(better, unet=fmt(u.mean_iou), plain=fmt(p.mean_iou), edge_u=f"{u.edge_accuracy:.1%}",
          edge_p=f"{p.edge_accuracy:.1%}"),
        t("segment.note_dice", iou=fmt(u.mean_iou), dice=fmt(u.mean_dice)),
        t("segment.note_background", bg=fmt(p.iou[0]), acc=f"{p.pixel_accuracy:.1%}"),
    ]  # fmt: skip
    st.markdown("\n".join(f"- {line}" for line in lines))


def overlay(image: np.ndarray, labels: np.ndarray | None) -> np.ndarray:
    """Grey image with the class colours blended over it, as an (H, W, 3) uint8 array."""
    grey = np.repeat((image[..., None] * 255), 3, axis=2)
    if labels is None:
        return grey.astype(np.uint8)
    rgba = MASK_RGBA[labels].astype(float)
    alpha = rgba[..., 3:] / 255
    return (grey * (1 - alpha) + rgba[..., :3] * alpha).astype(np.uint8)


def masks_figure(r: SegmentResult, indices: list[int]) -> go.Figure:
    columns = ("image", "truth", "plain", "unet")
    titles = [t(f"segment.col_{c}") for c in columns] + [""] * (len(columns) * (len(indices) - 1))
    fig = make_subplots(rows=len(indices), cols=len(columns), subplot_titles=titles,
                        horizontal_spacing=0.015, vertical_spacing=0.03)  # fmt: skip
    for row, i in enumerate(indices, start=1):
        image = r.test_images[i, 0]
        layers = (None, r.test_labels[i], r.predictions["plain"][i], r.predictions["unet"][i])
        for col, labels in enumerate(layers, start=1):
            fig.add_trace(go.Image(z=overlay(image, labels), hoverinfo="skip"), row=row, col=col)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(height=40 + 200 * len(indices), margin=dict(l=10, r=10, t=40, b=10))
    return fig


@st.fragment
def masks_view(r: SegmentResult, key_prefix: str = "", rows: int = 3) -> None:
    """Pick which held-out images to look at: only this block reruns, from the stored predictions."""
    st.subheader(t("segment.masks_title"), anchor=False)
    first = st.slider(t("segment.first_image"), 0, r.n_test - rows, 0, key=f"{key_prefix}segment_first")
    indices = list(range(first, first + rows))
    chart(masks_figure(r, indices), width="stretch", key=f"{key_prefix}segment_masks")
    st.caption(t("segment.masks_help"))


def loss_figure(r: SegmentResult) -> go.Figure:
    fig = go.Figure()
    for v in VARIANTS:
        losses = r.losses[v]
        fig.add_scatter(x=list(range(1, len(losses) + 1)), y=losses, mode="lines+markers",
                        name=t(f"segment.variant_{v}"), line_color=VARIANT_COLORS[v])  # fmt: skip
    fig.update_layout(height=300, xaxis_title=t("segment.epoch"), yaxis=dict(title=t("segment.loss"), type="log"),
                      legend=dict(orientation="h", y=1.15), margin=dict(t=30))  # fmt: skip
    return fig


def compact() -> None:
    """The question page's panel: the default run's masks with and without skips, and mean IoU for each."""
    r = result(defaults(segment.PARAMS))
    if r is None:
        return
    m = st.columns(2)
    for col, v in zip(m, VARIANTS, strict=True):
        col.metric(t("segment.miou_of", variant=t(f"segment.variant_{v}")), fmt(r.scores[v].mean_iou),
                   help=t("segment.miou_help"))  # fmt: skip
    masks_view(r, key_prefix="compact_", rows=2)
    st.caption(t("segment.compact_look"))
