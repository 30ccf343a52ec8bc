"""Review sentiment: a bag of words beside a GRU and a 1-D CNN, accuracy by kind of review, and
which words moved each prediction."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from kdlab.core.params import defaults
from kdlab.deep import rnn_text
from kdlab.deep.rnn_text import KINDS, MODELS, RNNTextResult
from pages.demos.kit import key_of, reproduce, show_source, store, widget
from pages.shared.common import t
from pages.shared.plots import chart
from pages.shared.projector import intro, settings

DEMO = "rnn"
SPEC = {p.name: p for p in rnn_text.PARAMS}
COLORS = {"bow": "#AB63FA", "gru": "#636EFA", "cnn": "#00CC96"}
LAYOUT = (("language", "n_train"), ("negated_share", "contrast_share"), ("hidden", "epochs"), ("lr", "seed"))
GROUPS = ("all", *KINDS)


def render() -> None:
    st.header(t("demo.rnn"), anchor=False)
    intro(t("rnn.intro"))
    params = controls()
    r = result(params)
    if r is None:
        return
    accuracy_view(r)
    notes(r)
    st.subheader(t("rnn.loss_title"), anchor=False)
    chart(loss_figure(r), width="stretch")
    words_view(r)
    st.subheader(t("rnn.bow_title"), anchor=False)
    chart(bow_figure(r), width="stretch")
    st.caption(t("rnn.bow_help"))
    reproduce(DEMO, "kdlab.deep.rnn_text", params, rnn_text.PARAMS)
    show_source("kdlab.deep.rnn_text:GRUCell", "kdlab.deep.rnn_text:GRUClassifier",
                "kdlab.deep.rnn_text:saliency", "kdlab.deep.rnn_text:generate")  # fmt: skip


def controls() -> dict:
    """Settings in a form: nothing retrains until "Train"."""
    current = st.session_state.get("rnn_params") or defaults(rnn_text.PARAMS)
    with settings("rnn_form"):
        params = {}
        for column, names in zip(st.columns(len(LAYOUT)), LAYOUT, strict=True):
            with column:
                for name in names:
                    params[name] = widget(DEMO, SPEC[name], value=current[name])
        submitted = st.form_submit_button(t("rnn.train"), type="primary")
    if submitted or "rnn_params" not in st.session_state:
        st.session_state["rnn_params"] = params
    return st.session_state["rnn_params"]


def result(params: dict) -> RNNTextResult | None:
    """The stored run for these settings, or a run through the job queue with a progress bar."""
    key = key_of(params)
    r = store(DEMO).get(key)
    if r is not None:
        return r
    bar = st.progress(0.0, text=t("rnn.starting"))

    def train(report) -> RNNTextResult:
        return rnn_text.run(**params, on_progress=lambda *step: report(step))

    def draw(step) -> None:
        model, epoch, epochs, loss = step
        done = (epoch + (epochs if model == "cnn" else 0)) / (2 * epochs)
        bar.progress(min(done, 1.0), text=t("rnn.progress", model=t(f"rnn.model_{model}"), epoch=epoch,
                                             total=epochs, loss=f"{loss:.3f}"))  # fmt: skip

    r = store(DEMO).run(key, train, draw=draw)
    bar.empty()
    return r


def pct(x: float) -> str:
    return "—" if x != x else f"{x:.1%}"


def accuracy_table(r: RNNTextResult) -> dict:
    """Rows: models; columns: held-out reviews of each kind (and their count)."""
    columns = {t("rnn.model"): [t(f"rnn.model_{m}") for m in MODELS]}
    for g in GROUPS:
        n = sum(r.n_test_kind.values()) if g == "all" else r.n_test_kind[g]
        columns[t("rnn.group_n", group=t(f"rnn.group_{g}"), n=n)] = [pct(r.accuracy[m][g]) for m in MODELS]
    columns[t("rnn.n_params")] = [f"{r.n_params[m]:,}" for m in MODELS]
    return columns


def accuracy_view(r: RNNTextResult) -> None:
    st.subheader(t("rnn.acc_title"), anchor=False)
    chart(accuracy_figure(r), width="stretch", key="rnn_accuracy")
    st.table(accuracy_table(r))


def accuracy_figure(r: RNNTextResult) -> go.Figure:
    fig = go.Figure()
    x = [t(f"rnn.group_{g}") for g in GROUPS]
    for m in MODELS:
        y = [r.accuracy[m][g] for g in GROUPS]
        fig.add_bar(x=x, y=y, name=t(f"rnn.model_{m}"), marker_color=COLORS[m],
                    text=[pct(v) for v in y], textposition="outside")  # fmt: skip
    fig.add_hline(y=0.5, line_dash="dot", line_color="gray", annotation_text=t("rnn.chance"),
                  annotation_position="top left")  # fmt: skip
    fig.update_layout(
        barmode="group", height=420, yaxis=dict(title=t("rnn.accuracy"), tickformat=".0%", range=[0, 1.12]),
        xaxis_title=t("rnn.held_out_kind"), legend=dict(orientation="h", x=0.5, xanchor="center", y=-0.2),
        margin=dict(t=30),
    )  # fmt: skip
    return fig


def notes(r: RNNTextResult) -> None:
    """What this run shows, in its own numbers."""
    a = r.accuracy
    lines = []
    if r.n_test_kind["negated"]:
        lines.append(t("rnn.note_negated", bow=pct(a["bow"]["negated"]), gru=pct(a["gru"]["negated"])))
    if r.n_test_kind["contrast"]:
        lines.append(t("rnn.note_contrast", bow=pct(a["bow"]["contrast"]), gru=pct(a["gru"]["contrast"])))
    if r.n_test_kind["plain"]:
        gap = a["gru"]["plain"] - a["bow"]["plain"]
        key = "rnn.note_plain_tie" if gap <= 0.01 else "rnn.note_plain_gap" if gap < 0.2 else "rnn.note_plain_flip"
        lines.append(t(key, bow=pct(a["bow"]["plain"]), gru=pct(a["gru"]["plain"])))
    lines.append(t("rnn.note_cost", bow=f"{r.train_seconds['bow']:.2f}", gru=f"{r.train_seconds['gru']:.1f}",
                   cnn=f"{r.train_seconds['cnn']:.1f}", cnn_acc=pct(a["cnn"]["all"])))  # fmt: skip
    st.markdown("\n".join(f"- {line}" for line in lines))


def loss_figure(r: RNNTextResult) -> go.Figure:
    fig = go.Figure()
    for m in ("gru", "cnn"):
        losses = r.losses[m]
        fig.add_scatter(x=list(range(1, len(losses) + 1)), y=losses, mode="lines+markers",
                        name=t(f"rnn.model_{m}"), line_color=COLORS[m])  # fmt: skip
    fig.update_layout(height=320, xaxis_title=t("rnn.epoch"), yaxis=dict(title=t("rnn.loss"), type="log"),
                      legend=dict(orientation="h", y=1.12), margin=dict(t=30))  # fmt: skip
    return fig


def example_label(e) -> str:
    text = (" " if e.lang == "en" else "").join(e.tokens)
    return f"{t(f'rnn.group_{e.kind}')} · {text} ({t('rnn.label_' + str(e.label))})"


@st.fragment
def words_view(r: RNNTextResult) -> None:
    """Pick a held-out review: each model's verdict and what moved it. Reruns only this block."""
    st.subheader(t("rnn.words_title"), anchor=False)
    st.markdown(t("rnn.words_intro"))
    labels = [example_label(e) for e in r.examples]
    # A box of its own per run: with one key for every run, after a retrain with another seed the box
    # kept showing the previous run's review above this run's chart.
    run = "" if r.params == defaults(rnn_text.PARAMS) else f"_{abs(hash(key_of(r.params)))}"
    choice = st.selectbox(t("rnn.pick"), range(len(r.examples)), format_func=labels.__getitem__,
                          key=f"rnn_pick{run}")  # fmt: skip
    e = r.examples[choice]
    verdicts(e)
    chart(words_figure(r, e), width="stretch", key="rnn_words")
    st.caption(t("rnn.words_help"))


def verdicts(e) -> None:
    cols = st.columns(len(MODELS))
    for col, m in zip(cols, MODELS, strict=True):
        p = e.p_positive[m]
        right = (p >= 0.5) == bool(e.label)
        col.metric(t("rnn.p_positive", model=t(f"rnn.model_{m}")), f"{p:.0%}",
                   delta=t("rnn.right" if right else "rnn.wrong"), delta_color="normal" if right else "inverse",
                   delta_arrow="off")  # fmt: skip


def words_figure(r: RNNTextResult, e) -> go.Figure:
    """Per word: the GRU's gradient × input, and the bag of words' weight for that word."""
    x = [f"{i + 1}·{w}" for i, w in enumerate(e.tokens)]
    bow = [r.bow_weights.get(w, 0.0) for w in e.tokens]
    fig = go.Figure()
    fig.add_bar(x=x, y=e.gru_saliency, name=t("rnn.saliency_gru"), marker_color=COLORS["gru"])
    fig.add_bar(x=x, y=bow, name=t("rnn.weight_bow"), marker_color=COLORS["bow"])
    fig.add_hline(y=0, line_color="black", line_width=1)
    fig.update_layout(barmode="group", height=360, xaxis=dict(title=t("rnn.word"), type="category"),
                      yaxis_title=t("rnn.push"), legend=dict(orientation="h", y=1.15), margin=dict(t=30))  # fmt: skip
    return fig


def bow_figure(r: RNNTextResult) -> go.Figure:
    items = sorted(r.bow_weights.items(), key=lambda kv: kv[1])
    fig = go.Figure(go.Bar(x=[w for _, w in items], y=[k for k, _ in items], orientation="h",
                           marker_color=["#EF553B" if w < 0 else "#00CC96" for _, w in items]))  # fmt: skip
    fig.update_layout(height=max(360, 16 * len(items)), xaxis_title=t("rnn.bow_weight"),
                      yaxis=dict(type="category", tickfont=dict(size=11)), margin=dict(t=20))  # fmt: skip
    return fig


def compact() -> None:
    """The question page's panel: the share of negated reviews, and accuracy by kind for the three models."""
    share = widget(DEMO, SPEC["negated_share"], key_prefix="compact_")
    params = defaults(rnn_text.PARAMS) | {"negated_share": share}
    r = result(params)
    if r is None:
        return
    chart(accuracy_figure(r), width="stretch", key="compact_rnn_accuracy")
    st.table(accuracy_table(r))
    st.caption(t("rnn.compact_look"))
