"""GAN on 8x8 digits: the same latent points drawn over epochs, and a digits classifier's verdict on 500 samples
(which digits, how confidently) beside its verdict on real held-out digits and on noise."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from kdlab.core.params import defaults
from kdlab.deep import gan_digits
from kdlab.deep.gan_digits import COVERED, N_CLASSES, GANDigitsResult, Scores
from pages.demos.kit import key_of, reproduce, show_source, store, widget
from pages.shared.common import t
from pages.shared.plots import chart
from pages.shared.projector import intro, settings

DEMO = "gan_digits"
SPEC = {p.name: p for p in gan_digits.PARAMS}
SOURCES = ("generated", "real", "noise")
COLOURS = {"generated": "#FFA15A", "real": "#636EFA", "noise": "#9E9E9E"}
GAP = 3  # blank pixels above each row of the grid, where the judge's verdict is written


def render() -> None:
    st.header(t("demo.gan_digits"), anchor=False)
    intro(t("gan_digits.intro"))
    params = controls()
    r = result(params)
    if r is None:
        return
    metrics(r)
    st.subheader(t("gan_digits.grid_title"), anchor=False)
    chart(grid_figure(r), width="stretch", key="gan_digits_grid")
    st.caption(t("gan_digits.grid_help"))
    st.subheader(t("gan_digits.shares_title"), anchor=False)
    chart(shares_figure(r), width="stretch")
    st.table(scores_table(r))
    st.caption(t("gan_digits.table_help", accuracy=f"{r.judge_accuracy:.1%}"))
    st.subheader(t("gan_digits.history_title"), anchor=False)
    chart(history_figure(r), width="stretch")
    reproduce(DEMO, "kdlab.deep.gan_digits", params, gan_digits.PARAMS)
    show_source("kdlab.deep.gan:d_loss", "kdlab.deep.gan:g_loss", "kdlab.deep.gan_digits:train_step",
                "kdlab.deep.gan_digits:judge_scores", "kdlab.deep.gan_digits:judge", "kdlab.deep.gan_digits:run")  # fmt: skip


def controls() -> dict:
    current = st.session_state.get("gan_digits_params") or defaults(gan_digits.PARAMS)
    with settings("gan_digits_form"):
        params = {}
        columns = st.columns(3)
        for i, p in enumerate(gan_digits.PARAMS):
            with columns[i % 3]:
                params[p.name] = widget(DEMO, p, value=current[p.name])
        submitted = st.form_submit_button(t("gan_digits.train"), type="primary")
    if submitted or "gan_digits_params" not in st.session_state:
        st.session_state["gan_digits_params"] = params
    return st.session_state["gan_digits_params"]


def result(params: dict) -> GANDigitsResult | None:
    key = key_of(params)
    r = store(DEMO).get(key)
    if r is not None:
        return r
    bar = st.progress(0.0, text=t("gan_digits.starting"))

    def train(report) -> GANDigitsResult:
        return gan_digits.run(**params, on_progress=lambda *epoch: report(epoch))

    def draw(epoch) -> None:
        done, total, covered = epoch
        bar.progress(done / total, text=t("gan_digits.progress", epoch=done, total=total, covered=covered))

    r = store(DEMO).run(key, train, draw=draw)
    bar.empty()
    return r


def metrics(r: GANDigitsResult) -> None:
    s, m = r.final, st.columns(5)
    m[0].metric(t("gan_digits.covered"), f"{s.covered} / {N_CLASSES}", help=t("gan_digits.covered_help"))
    m[1].metric(
        t("gan_digits.spread"),
        t("gan_digits.bits_value", value=f"{s.spread:.2f}"),
        help=t("gan_digits.spread_help"),
    )
    m[2].metric(t("gan_digits.confidence"), f"{s.confidence:.1%}", help=t("gan_digits.confidence_help"))
    m[3].metric(t("gan_digits.inception"), f"{s.inception:.2f}", help=t("gan_digits.inception_help"))
    m[4].metric(t("gan_digits.seconds"), f"{r.train_seconds:.1f} s")


def mosaic(r: GANDigitsResult) -> np.ndarray:
    """The snapshots' images as one array: a row of tiles per snapshot, NaN (blank) between tiles."""
    rows, cols = len(r.snapshots), len(r.snapshots[0].images)
    out = np.full((rows * (8 + GAP), cols * 9 - 1), np.nan)
    for i, s in enumerate(r.snapshots):
        for j, image in enumerate(s.images):
            out[i * (8 + GAP) + GAP : (i + 1) * (8 + GAP), j * 9 : j * 9 + 8] = image
    return out


def grid_figure(r: GANDigitsResult) -> go.Figure:
    z = mosaic(r)
    fig = go.Figure(go.Heatmap(z=z, colorscale="Greys", zmin=0, zmax=1, showscale=False,
                               hovertemplate="%{z:.2f}<extra></extra>"))  # fmt: skip
    for i, s in enumerate(r.snapshots):
        for j, (label, p) in enumerate(zip(s.labels, s.confidence, strict=True)):
            fig.add_annotation(x=j * 9 + 3.5, y=i * (8 + GAP) + GAP / 2 - 0.5, text=f"{label} · {p:.0%}",
                               showarrow=False, font=dict(size=11))  # fmt: skip
    centres = [i * (8 + GAP) + GAP + 3.5 for i in range(len(r.snapshots))]
    labels = [
        t("gan_digits.grid_row", epoch=s.epoch, covered=s.scores.covered, n=N_CLASSES) for s in r.snapshots
    ]
    fig.update_yaxes(autorange="reversed", tickvals=centres, ticktext=labels, showgrid=False, zeroline=False,
                     scaleanchor="x", constrain="domain")  # fmt: skip
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_layout(height=95 * len(r.snapshots) + 30, margin=dict(l=10, r=10, t=10, b=10),
                      plot_bgcolor="white")  # fmt: skip
    return fig


def scores_of(r: GANDigitsResult) -> dict[str, Scores]:
    return {"generated": r.final, "real": r.real, "noise": r.noise}


def shares_figure(r: GANDigitsResult) -> go.Figure:
    fig = go.Figure()
    digits = list(range(N_CLASSES))
    for name, s in scores_of(r).items():
        fig.add_bar(x=digits, y=s.shares, name=t(f"gan_digits.source_{name}"), marker_color=COLOURS[name],
                    hovertemplate="%{x}: %{y:.1%}<extra></extra>")  # fmt: skip
    fig.add_scatter(x=[-0.5, N_CLASSES - 0.5], y=[COVERED, COVERED], mode="lines", name=t("gan_digits.covered_line"),
                    line=dict(color="black", dash="dot", width=1), hoverinfo="skip")  # fmt: skip
    fig.update_xaxes(title_text=t("gan_digits.judged_digit"), tickvals=digits)
    fig.update_yaxes(title_text=t("gan_digits.share"), tickformat=".0%", rangemode="tozero")
    fig.update_layout(barmode="group", height=360, legend=dict(orientation="h", y=1.12), margin=dict(t=40))
    return fig


def scores_table(r: GANDigitsResult) -> dict:
    rows = scores_of(r)
    return {
        t("gan_digits.images"): [t(f"gan_digits.source_{name}") for name in SOURCES],
        t("gan_digits.covered"): [f"{rows[n].covered} / {N_CLASSES}" for n in SOURCES],
        t("gan_digits.spread"): [t("gan_digits.bits_value", value=f"{rows[n].spread:.2f}") for n in SOURCES],
        t("gan_digits.confidence"): [f"{rows[n].confidence:.1%}" for n in SOURCES],
        t("gan_digits.inception"): [f"{rows[n].inception:.2f}" for n in SOURCES],
    }


def history_figure(r: GANDigitsResult) -> go.Figure:
    panels = (("covered", "history_covered", [0, N_CLASSES + 0.5]), ("spread", "history_spread", [0, 3.5]),
              ("confidence", "history_confidence", [0, 1.02]))  # fmt: skip
    fig = make_subplots(cols=3, subplot_titles=[t(f"gan_digits.{name}") for name, _, _ in panels],
                        horizontal_spacing=0.07)  # fmt: skip
    refs = scores_of(r)
    for col, (name, field, y_range) in enumerate(panels, start=1):
        fig.add_scatter(x=r.history_epoch, y=getattr(r, field), mode="lines+markers", marker_size=4,
                        name=t("gan_digits.source_generated_history"), line_color=COLOURS["generated"],
                        showlegend=col == 1, row=1, col=col)  # fmt: skip
        for ref, dash in (("real", "dash"), ("noise", "dot")):
            value = getattr(refs[ref], name)
            fig.add_scatter(x=[r.history_epoch[0], r.history_epoch[-1]], y=[value, value], mode="lines",
                            name=t(f"gan_digits.source_{ref}"), line=dict(color=COLOURS[ref], dash=dash),
                            showlegend=col == 1, hoverinfo="skip", row=1, col=col)  # fmt: skip
        fig.update_yaxes(range=y_range, row=1, col=col)
        fig.update_xaxes(title_text=t("gan_digits.epoch"), row=1, col=col)
    fig.update_yaxes(dtick=2, row=1, col=1)
    fig.update_yaxes(title_text=t("gan_digits.bits"), row=1, col=2)
    fig.update_yaxes(tickformat=".0%", row=1, col=3)
    fig.update_layout(height=380, legend=dict(orientation="h", y=1.25), margin=dict(t=90))
    return fig


def compact() -> None:
    """The question page's panel: the learning rate, the grid over epochs and the judge's scores."""
    lr = widget(DEMO, SPEC["lr"], key_prefix="compact_")
    r = result(defaults(gan_digits.PARAMS) | {"lr": lr})
    if r is None:
        return
    metrics(r)
    chart(grid_figure(r), width="stretch", key="compact_gan_digits_grid")
    st.caption(t("gan_digits.compact_look"))
