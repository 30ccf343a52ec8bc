"""Object detection: a grid detector trained live on generated shapes; boxes before and after NMS at
the learner's thresholds, and mAP@0.5 on held-out images."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from kdlab.core.params import defaults
from kdlab.deep import detect
from kdlab.deep.detect import CLASSES, DetectResult
from pages.demos.kit import key_of, reproduce, show_source, store, widget
from pages.shared.common import t
from pages.shared.plots import chart
from pages.shared.projector import intro, settings

DEMO = "detect"
SPEC = {p.name: p for p in detect.PARAMS}
TRAINING = ("n_train", "epochs", "channels", "lr", "seed")  # what retrains; the thresholds only re-decode
CLASS_COLORS = {0: "#EF553B", 1: "#00CC96", 2: "#FFA15A"}
SHOWN = 8  # test images drawn


def render() -> None:
    st.header(t("demo.detect"), anchor=False)
    intro(t("detect.intro"))
    params = controls()
    r = result(params)
    if r is None:
        return
    st.caption(t("detect.trained", n=f"{r.n_train:,}", epochs=len(r.losses), seconds=f"{r.train_seconds:.1f}",
                 params=f"{r.n_params:,}"))  # fmt: skip
    thresholds_view(r, key_prefix="")
    st.subheader(t("detect.sweep_title"), anchor=False)
    chart(sweep_figure(r), width="stretch")
    st.caption(t("detect.sweep_help"))
    st.subheader(t("detect.loss_title"), anchor=False)
    chart(loss_figure(r), width="stretch")
    reproduce(DEMO, "kdlab.deep.detect", params | thresholds(""), detect.PARAMS)
    show_source("kdlab.deep.detect:iou", "kdlab.deep.detect:nms", "kdlab.deep.detect:average_precision",
                "kdlab.deep.detect:GridDetector", "kdlab.deep.detect:decode", "kdlab.deep.detect:detection_loss")  # fmt: skip


def controls() -> dict:
    """The training settings, in a form: nothing retrains until "Train"."""
    current = st.session_state.get("detect_params") or {n: SPEC[n].default for n in TRAINING}
    with settings("detect_form"):
        params = {}
        for column, name in zip(st.columns(len(TRAINING)), TRAINING, strict=True):
            with column:
                params[name] = widget(DEMO, SPEC[name], value=current[name])
        submitted = st.form_submit_button(t("detect.train"), type="primary")
    if submitted or "detect_params" not in st.session_state:
        st.session_state["detect_params"] = params
    return st.session_state["detect_params"]


def result(training: dict) -> DetectResult | None:
    """The stored model for these training settings, or a run through the job queue with a progress bar."""
    full = defaults(detect.PARAMS) | training  # the thresholds do not change the training: stored once
    key = key_of(training)
    r = store(DEMO).get(key)
    if r is not None:
        return r
    bar = st.progress(0.0, text=t("detect.starting"))
    epochs = training["epochs"]

    def train(report) -> DetectResult:
        return detect.run(**full, on_epoch=lambda e, loss: report((e, loss)))

    def draw(step) -> None:
        epoch, loss = step
        bar.progress(epoch / epochs, text=t("detect.progress", epoch=epoch, total=epochs, loss=f"{loss:.3f}"))

    r = store(DEMO).run(key, train, draw=draw)
    bar.empty()
    return r


def thresholds(key_prefix: str) -> dict:
    return {n: st.session_state.get(f"{key_prefix}{DEMO}_{n}", SPEC[n].default) for n in ("score_threshold", "nms_iou")}


@st.fragment
def thresholds_view(r: DetectResult, key_prefix: str = "", shown: int = SHOWN) -> None:
    """Score and NMS thresholds re-decode the stored outputs of the test images: nothing retrains."""
    left, right = st.columns(2)
    with left:
        score = widget(DEMO, SPEC["score_threshold"], key_prefix=key_prefix)
    with right:
        overlap = widget(DEMO, SPEC["nms_iou"], key_prefix=key_prefix)
    ev, per_image = detect.evaluate(r.test, r.boxes, r.scores, r.classes, score, overlap)
    m = st.columns(4)
    m[0].metric(t("detect.map"), f"{ev.map50:.3f}", help=t("detect.map_help", n=r.n_test))
    m[1].metric(t("detect.n_truth"), f"{ev.n_truth:,}")
    m[2].metric(t("detect.n_before"), f"{ev.n_before:,}", help=t("detect.n_before_help"))
    m[3].metric(t("detect.n_after"), f"{ev.n_after:,}", help=t("detect.n_after_help"))
    st.caption(t("detect.ap_per_class", aps=" · ".join(
        f"{t(f'detect.class_{c}')} {a:.3f}" for c, a in zip(CLASSES, ev.ap, strict=True))))  # fmt: skip
    show = st.radio(t("detect.show"), ("both", "before", "after"), horizontal=True, key=f"{key_prefix}detect_show",
                    format_func={s: t(f"detect.show_{s}") for s in ("both", "before", "after")}.get)  # fmt: skip
    chart(scenes_figure(r, per_image[:shown], show), width="stretch", key=f"{key_prefix}detect_scenes")
    st.caption(t("detect.scenes_help"))


def box_shape(box, color: str, width: float, dash: str = "solid", opacity: float = 1.0, row: int = 1, col: int = 1):
    return dict(type="rect", x0=box[0], y0=box[1], x1=box[2], y1=box[3], line=dict(color=color, width=width, dash=dash),
                opacity=opacity, row=row, col=col)  # fmt: skip


def scenes_figure(r: DetectResult, per_image: list, show: str) -> go.Figure:
    cols = 4
    rows = -(-len(per_image) // cols)
    fig = make_subplots(rows=rows, cols=cols, horizontal_spacing=0.02, vertical_spacing=0.04)
    for i, (before, after) in enumerate(per_image):
        row, col = i // cols + 1, i % cols + 1
        fig.add_trace(go.Heatmap(z=r.test.images[i, 0], colorscale="gray", zmin=0, zmax=1, showscale=False,
                                 hovertemplate="x %{x} · y %{y}<extra></extra>", x0=0.5, y0=0.5), row=row, col=col)  # fmt: skip
        shapes = [box_shape(b, "#1f77b4", 2, "dot", row=row, col=col) for b in r.test.boxes[i]]
        if show in ("both", "before"):
            shapes += [box_shape(b, CLASS_COLORS[c], 1, opacity=0.55, row=row, col=col) for c, _, b in before]
        if show in ("both", "after"):
            shapes += [box_shape(b, CLASS_COLORS[c], 3, row=row, col=col) for c, _, b in after]
            for c, s, b in after:
                fig.add_annotation(x=b[0], y=b[1], text=f"{t(f'detect.class_{CLASSES[c]}')} {s:.2f}", showarrow=False,
                                   xanchor="left", yanchor="bottom", font=dict(size=10, color=CLASS_COLORS[c]),
                                   bgcolor="rgba(0,0,0,0.6)", row=row, col=col)  # fmt: skip
        for shape in shapes:
            fig.add_shape(**shape)
    fig.update_xaxes(visible=False, range=[0, detect.SIZE], constrain="domain")
    fig.update_yaxes(visible=False, range=[detect.SIZE, 0], constrain="domain")
    for i in range(1, len(per_image) + 1):
        fig.layout[f"yaxis{'' if i == 1 else i}"].scaleanchor = f"x{'' if i == 1 else i}"
    fig.update_layout(height=60 + rows * 260, margin=dict(l=10, r=10, t=10, b=10), showlegend=False)
    return fig


def sweep_figure(r: DetectResult) -> go.Figure:
    """mAP@0.5 and boxes kept against the NMS threshold, at the current score threshold."""
    score = thresholds("")["score_threshold"]
    grid = np.round(np.arange(0.1, 0.91, 0.1), 2)
    evs = [detect.evaluate(r.test, r.boxes, r.scores, r.classes, score, g)[0] for g in grid]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_scatter(x=grid, y=[e.map50 for e in evs], mode="lines+markers", name=t("detect.map"), line_color="#636EFA")
    fig.add_scatter(x=grid, y=[e.n_after for e in evs], mode="lines+markers", name=t("detect.n_after"),
                    line=dict(color="#EF553B", dash="dash"), secondary_y=True)  # fmt: skip
    fig.add_hline(y=evs[0].n_truth, line_dash="dot", line_color="gray", secondary_y=True)
    # The line's label on the right axis: add_hline's own annotation lands on the left axis (plotly
    # 7.1 gives it yref "y"), at y = the number of objects, far off that 0-1 axis, so it never showed.
    fig.add_annotation(x=1, xref="x domain", y=evs[0].n_truth, yref="y2", text=t("detect.n_truth"),
                       showarrow=False, xanchor="right", yanchor="top")  # fmt: skip
    fig.update_xaxes(title_text=t("detect.nms_axis"))
    fig.update_yaxes(title_text=t("detect.map"), range=[0, 1.02], secondary_y=False)
    # Round counts on the right axis (synced to the left one's grid it read 427, 853, 1280, ...).
    fig.update_yaxes(title_text=t("detect.n_after"), rangemode="tozero", tickmode="auto", showgrid=False,
                     secondary_y=True)  # fmt: skip
    fig.update_layout(height=360, legend=dict(orientation="h", y=1.15), margin=dict(t=30))
    return fig


def loss_figure(r: DetectResult) -> go.Figure:
    fig = go.Figure(go.Scatter(x=list(range(1, len(r.losses) + 1)), y=r.losses, mode="lines+markers"))
    fig.update_layout(height=300, xaxis_title=t("detect.epoch"), yaxis=dict(title=t("detect.loss"), type="log"),
                      margin=dict(t=20))  # fmt: skip
    return fig


def compact() -> None:
    """The question page's panel: the two thresholds over the stored default model, boxes before and after NMS."""
    r = result({n: SPEC[n].default for n in TRAINING})
    if r is None:
        return
    thresholds_view(r, key_prefix="compact_", shown=4)
    st.caption(t("detect.compact_look"))
