"""GAN on a ring of 8 Gaussians: the generator's samples over the discriminator's surface through training,
and the modes covered, counted."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from kdlab.core.params import defaults
from kdlab.deep import gan
from kdlab.deep.gan import CENTRES, N_MODES, GANResult
from pages.demos.kit import key_of, reproduce, show_source, store, widget
from pages.shared.common import t
from pages.shared.plots import chart
from pages.shared.projector import intro, settings

DEMO = "gan"
SPEC = {p.name: p for p in gan.PARAMS}


def render() -> None:
    st.header(t("demo.gan"), anchor=False)
    intro(t("gan.intro"))
    params = controls()
    r = result(params)
    if r is None:
        return
    metrics(r)
    st.subheader(t("gan.snapshots_title"), anchor=False)
    chart(snapshots_figure(r), width="stretch", key="gan_snapshots")
    st.caption(t("gan.snapshots_help"))
    st.subheader(t("gan.history_title"), anchor=False)
    chart(history_figure(r), width="stretch")
    reproduce(DEMO, "kdlab.deep.gan", params, gan.PARAMS)
    show_source("kdlab.deep.gan:d_loss", "kdlab.deep.gan:g_loss", "kdlab.deep.gan:mode_coverage", "kdlab.deep.gan:run")


def controls() -> dict:
    current = st.session_state.get("gan_params") or defaults(gan.PARAMS)
    with settings("gan_form"):
        params = {}
        # The generator's loss has long choice names ("Minimax (log(1 − D))"): a wider column for it.
        widths = [2 if p.choices else 1 for p in gan.PARAMS]
        for column, p in zip(st.columns(widths), gan.PARAMS, strict=True):
            with column:
                params[p.name] = widget(DEMO, p, value=current[p.name])
        submitted = st.form_submit_button(t("gan.train"), type="primary")
    if submitted or "gan_params" not in st.session_state:
        st.session_state["gan_params"] = params
    return st.session_state["gan_params"]


def result(params: dict) -> GANResult | None:
    key = key_of(params)
    r = store(DEMO).get(key)
    if r is not None:
        return r
    bar = st.progress(0.0, text=t("gan.starting"))

    def train(report) -> GANResult:
        return gan.run(**params, on_progress=lambda *step: report(step))

    def draw(step) -> None:
        done, total, modes = step
        bar.progress(done / total, text=t("gan.progress", step=done, total=total, modes=modes, n=N_MODES))

    r = store(DEMO).run(key, train, draw=draw)
    bar.empty()
    return r


def metrics(r: GANResult) -> None:
    m = st.columns(3)
    m[0].metric(t("gan.modes"), f"{r.modes} / {N_MODES}", help=t("gan.modes_help"))
    m[1].metric(t("gan.good"), f"{r.good:.1%}", help=t("gan.good_help"))
    m[2].metric(t("gan.seconds"), f"{r.train_seconds:.1f} s")


def snapshots_figure(r: GANResult, cols: int = 3) -> go.Figure:
    snaps = r.snapshots
    rows = -(-len(snaps) // cols)
    titles = [t("gan.snapshot", step=s.step, modes=s.modes, n=N_MODES) for s in snaps]
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, horizontal_spacing=0.03, vertical_spacing=0.08)
    for i, s in enumerate(snaps):
        row, col = i // cols + 1, i % cols + 1
        fig.add_trace(go.Heatmap(x=r.grid, y=r.grid, z=s.surface, zmin=0, zmax=1, colorscale="RdBu", showscale=i == 0,
                                 colorbar=dict(title="σ(D(x))", len=0.8),
                                 hovertemplate="σ(D) = %{z:.2f}<extra></extra>"), row=row, col=col)  # fmt: skip
        fig.add_scatter(x=CENTRES[:, 0], y=CENTRES[:, 1], mode="markers", showlegend=i == 0, name=t("gan.real_modes"),
                        marker=dict(symbol="x", size=9, color="black"), row=row, col=col)  # fmt: skip
        fig.add_scatter(x=s.samples[:, 0], y=s.samples[:, 1], mode="markers", showlegend=i == 0, name=t("gan.samples"),
                        marker=dict(size=3, color="#FFA15A", opacity=0.7), row=row, col=col)  # fmt: skip
    fig.update_xaxes(range=[-3, 3], showticklabels=False, constrain="domain")
    fig.update_yaxes(range=[-3, 3], showticklabels=False, constrain="domain")
    for i in range(1, len(snaps) + 1):
        fig.layout[f"yaxis{'' if i == 1 else i}"].scaleanchor = f"x{'' if i == 1 else i}"
    fig.update_layout(height=60 + 330 * rows, legend=dict(orientation="h", y=-0.04), margin=dict(t=40, b=40))
    return fig


def history_figure(r: GANResult) -> go.Figure:
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_scatter(x=r.history_step, y=r.history_modes, mode="lines+markers", name=t("gan.modes"), line_color="#636EFA")
    fig.add_scatter(x=r.history_step[1:], y=r.d_losses[1:], mode="lines", name=t("gan.d_loss"),
                    line=dict(color="#EF553B", dash="dot"), secondary_y=True)  # fmt: skip
    fig.add_scatter(x=r.history_step[1:], y=r.g_losses[1:], mode="lines", name=t("gan.g_loss"),
                    line=dict(color="#00CC96", dash="dot"), secondary_y=True)  # fmt: skip
    fig.update_xaxes(title_text=t("gan.step"))
    fig.update_yaxes(title_text=t("gan.modes"), range=[0, N_MODES + 0.5], dtick=1, secondary_y=False)
    # Round ticks on the loss axis (synced to the modes axis' grid it read 1.208, 0.974, 0.74, ...).
    fig.update_yaxes(title_text=t("gan.loss"), tickmode="auto", showgrid=False, secondary_y=True)
    fig.update_layout(height=340, legend=dict(orientation="h", y=1.15), margin=dict(t=30))
    return fig


def compact() -> None:
    """The question page's panel: the generator's loss, and the samples over training with modes counted."""
    kind = widget(DEMO, SPEC["g_loss"], key_prefix="compact_")
    r = result(defaults(gan.PARAMS) | {"g_loss": kind})
    if r is None:
        return
    metrics(r)
    chart(snapshots_figure(r), width="stretch", key="compact_gan_snapshots")
    st.caption(t("gan.compact_look"))
