"""Attention: an encoder-decoder reversing digit sequences with and without attention, accuracy
against length (beyond the trained lengths), and the attention heatmap."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from kdlab.core.params import defaults
from kdlab.deep import attention as attn
from kdlab.deep.attention import VARIANTS, AttentionResult
from pages.demos.kit import key_of, reproduce, show_source, store, widget
from pages.shared.common import t
from pages.shared.plots import chart
from pages.shared.projector import intro, settings

DEMO = "attention"
SPEC = {p.name: p for p in attn.PARAMS}
COLORS = {"plain": "#AB63FA", "attention": "#636EFA"}
LAYOUT = (("max_train_len", "n_train"), ("hidden", "epochs"), ("lr", "seed"))


def render() -> None:
    st.header(t("demo.attention"), anchor=False)
    intro(t("attention.intro"))
    st.latex(r"\alpha_t=\mathrm{softmax}\!\left(\frac{q_t K^\top}{\sqrt d}\right),\qquad c_t=\alpha_t V")
    params = controls()
    r = result(params)
    if r is None:
        return
    st.caption(t("attention.trained", n=f"{params['n_train']:,}", epochs=params["epochs"],
                 plain=f"{r.train_seconds['plain']:.1f}", attn=f"{r.train_seconds['attention']:.1f}"))  # fmt: skip
    accuracy_view(r, key="attention_acc")
    notes(r)
    heatmaps(r)
    st.subheader(t("attention.loss_title"), anchor=False)
    chart(loss_figure(r), width="stretch")
    reproduce(DEMO, "kdlab.deep.attention", params, attn.PARAMS)
    show_source("kdlab.deep.attention:attention", "kdlab.deep.attention:Seq2Seq", "kdlab.deep.attention:train")


def controls() -> dict:
    current = st.session_state.get("attention_params") or defaults(attn.PARAMS)
    with settings("attention_form"):
        params = {}
        for column, names in zip(st.columns(len(LAYOUT)), LAYOUT, strict=True):
            with column:
                for name in names:
                    params[name] = widget(DEMO, SPEC[name], value=current[name])
        submitted = st.form_submit_button(t("attention.train"), type="primary")
    if submitted or "attention_params" not in st.session_state:
        st.session_state["attention_params"] = params
    return st.session_state["attention_params"]


def result(params: dict) -> AttentionResult | None:
    key = key_of(params)
    r = store(DEMO).get(key)
    if r is not None:
        return r
    bar = st.progress(0.0, text=t("attention.starting"))

    def train(report) -> AttentionResult:
        return attn.run(**params, on_epoch=lambda *step: report(step))

    def draw(step) -> None:
        variant, epoch, epochs, loss = step
        done = (epoch + (epochs if variant == "attention" else 0)) / (2 * epochs)
        bar.progress(min(done, 1.0), text=t("attention.progress", variant=t(f"attention.variant_{variant}"),
                                             epoch=epoch, total=epochs, loss=f"{loss:.3f}"))  # fmt: skip

    r = store(DEMO).run(key, train, draw=draw)
    bar.empty()
    return r


def accuracy_figure(r: AttentionResult) -> go.Figure:
    fig = go.Figure()
    trained = r.params["max_train_len"]
    fig.add_vrect(x0=trained + 0.5, x1=r.lengths[-1] + 0.5, fillcolor="gray", opacity=0.12, line_width=0,
                  annotation_text=t("attention.unseen"), annotation_position="top left")  # fmt: skip
    for v in VARIANTS:
        fig.add_scatter(x=r.lengths, y=r.sequence_accuracy[v], mode="lines+markers", name=t(f"attention.variant_{v}"),
                        line_color=COLORS[v])  # fmt: skip
        fig.add_scatter(x=r.lengths, y=r.digit_accuracy[v], mode="lines", line=dict(color=COLORS[v], dash="dot"),
                        name=t("attention.digits_of", variant=t(f"attention.variant_{v}")))  # fmt: skip
    # The chance label at the left, where every curve is still high: at the right they fall through it.
    fig.add_hline(y=0.1, line_dash="dot", line_color="gray", annotation_text=t("attention.chance_digit"),
                  annotation_position="top left")  # fmt: skip
    fig.update_layout(height=400, xaxis=dict(title=t("attention.length"), dtick=1),
                      yaxis=dict(title=t("attention.accuracy"), tickformat=".0%", range=[0, 1.05]),
                      legend=dict(orientation="h", y=-0.25), margin=dict(t=30))  # fmt: skip
    return fig


def accuracy_table(r: AttentionResult) -> dict:
    columns = {t("attention.variant"): [t(f"attention.variant_{v}") for v in VARIANTS]}
    for i, n in enumerate(r.lengths):
        columns[str(n) + ("*" if n > r.params["max_train_len"] else "")] = [
            f"{r.sequence_accuracy[v][i]:.0%}" for v in VARIANTS
        ]
    return columns


def accuracy_view(r: AttentionResult, key: str) -> None:
    st.subheader(t("attention.acc_title"), anchor=False)
    chart(accuracy_figure(r), width="stretch", key=key)
    st.table(accuracy_table(r))
    st.caption(t("attention.acc_help", n=attn.N_TEST_PER_LEN, trained=r.params["max_train_len"]))


def notes(r: AttentionResult) -> None:
    trained = r.params["max_train_len"]
    i = r.lengths.index(trained)
    last = len(r.lengths) - 1
    a, p = r.sequence_accuracy["attention"], r.sequence_accuracy["plain"]
    lines = [
        t("attention.note_trained", n=trained, attn=f"{a[i]:.0%}", plain=f"{p[i]:.0%}"),
        t("attention.note_beyond", n=r.lengths[last], attn=f"{a[last]:.0%}", plain=f"{p[last]:.0%}",
          digits=f"{r.digit_accuracy['attention'][last]:.0%}"),
    ]  # fmt: skip
    st.markdown("\n".join(f"- {line}" for line in lines))


def heatmap_figure(e) -> go.Figure:
    n = len(e.src)
    fig = go.Figure(go.Heatmap(
        z=e.weights, x=[f"{j + 1}·{d}" for j, d in enumerate(e.src)],
        y=[f"{i + 1}·{d}" for i, d in enumerate(e.pred["attention"])], colorscale="Blues", zmin=0, zmax=1,
        colorbar=dict(title="α"), hovertemplate=t("attention.heat_hover") + "<extra></extra>",
    ))  # fmt: skip
    fig.update_layout(height=120 + 32 * n, xaxis=dict(title=t("attention.input"), type="category", side="top"),
                      yaxis=dict(title=t("attention.output"), type="category", autorange="reversed"),
                      margin=dict(t=60, b=20))  # fmt: skip
    return fig


def heatmaps(r: AttentionResult, key_prefix: str = "") -> None:
    st.subheader(t("attention.heat_title"), anchor=False)
    cols = st.columns(len(r.examples))
    for col, e in zip(cols, r.examples, strict=True):
        with col:
            unseen = len(e.src) > r.params["max_train_len"]
            st.markdown(t("attention.example_unseen" if unseen else "attention.example_seen", n=len(e.src)))
            truth = e.src[::-1]
            for v in VARIANTS:
                pred = e.pred[v]
                marks = " ".join(f"**{d}**" if d == x else f"~~{d}~~" for d, x in zip(pred, truth, strict=True))
                st.markdown(f"{t(f'attention.variant_{v}')}: {marks}")
            chart(heatmap_figure(e), width="stretch", key=f"{key_prefix}attention_heat_{len(e.src)}")
    st.caption(t("attention.heat_help"))


def loss_figure(r: AttentionResult) -> go.Figure:
    fig = go.Figure()
    for v in VARIANTS:
        losses = r.losses[v]
        fig.add_scatter(x=list(range(1, len(losses) + 1)), y=losses, mode="lines+markers",
                        name=t(f"attention.variant_{v}"), line_color=COLORS[v])  # fmt: skip
    fig.update_layout(height=300, xaxis_title=t("attention.epoch"), yaxis=dict(title=t("attention.loss"), type="log"),
                      legend=dict(orientation="h", y=1.15), margin=dict(t=30))  # fmt: skip
    return fig


def compact() -> None:
    """The question page's panel: the longest trained length, accuracy against length, one heatmap."""
    n = widget(DEMO, SPEC["max_train_len"], key_prefix="compact_")
    r = result(defaults(attn.PARAMS) | {"max_train_len": n})
    if r is None:
        return
    chart(accuracy_figure(r), width="stretch", key="compact_attention_acc")
    chart(heatmap_figure(r.examples[0]), width="stretch", key="compact_attention_heat")
    st.caption(t("attention.compact_look"))
