"""Transfer learning: digits 0-4 -> 5-9 with n labels, from scratch, frozen, fine-tuned, fine-tuned with a lower body lr."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from kdlab.core.params import defaults
from kdlab.deep import transfer
from kdlab.deep.transfer import TransferResult
from pages.demos.kit import key_of, reproduce, show_source, store, widget
from pages.shared.common import t
from pages.shared.plots import chart
from pages.shared.projector import intro, settings

DEMO = "transfer"
SPEC = {p.name: p for p in transfer.PARAMS}
LAYOUT = (("steps", "lr"), ("body_lr_factor", "pretrain_epochs"), ("seeds", "seed"))
COLORS = {"scratch": "#7f7f7f", "frozen": "#1f77b4", "finetune": "#ff7f0e", "lower_lr": "#2ca02c"}


def render() -> None:
    st.header(t("demo.transfer"), anchor=False)
    intro(t("transfer.intro"))
    params = controls()
    r = result(params)
    metrics(r)
    chart(curve_figure(r), width="stretch", key="transfer_chart_curve")
    st.dataframe(table(r), hide_index=True, width="stretch")
    notes(r)
    st.subheader(t("transfer.vgg_title"), anchor=False)
    st.markdown(t("transfer.vgg", weights=f"{r.n_params:,}", source=f"{r.source_acc:.1%}"))
    reproduce(DEMO, "kdlab.deep.transfer", params, transfer.PARAMS)
    show_source("kdlab.deep.transfer:pretrain", "kdlab.deep.transfer:start_weights",
                "kdlab.deep.transfer:body_and_head_lr", "kdlab.deep.transfer:train_together")  # fmt: skip


def controls() -> dict:
    current = st.session_state.get("transfer_params") or defaults(transfer.PARAMS)
    with settings("transfer_form"):
        params = {}
        for column, names in zip(st.columns(len(LAYOUT)), LAYOUT, strict=True):
            with column:
                for name in names:
                    params[name] = widget(DEMO, SPEC[name], value=current[name])
        submitted = st.form_submit_button(t("transfer.run"), type="primary")
    if submitted or "transfer_params" not in st.session_state:
        st.session_state["transfer_params"] = params
    return st.session_state["transfer_params"]


def result(params: dict) -> TransferResult:
    status = st.empty()

    def train(report) -> TransferResult:
        return transfer.run(**params, on_progress=report)

    def draw(progress: tuple[int, int]) -> None:
        done, total = progress
        status.progress(done / total, text=t("transfer.progress", done=done, total=total))

    r = store(DEMO).get_or_run(key_of(params), train, draw=draw)
    status.empty()
    return r


def name(method: str) -> str:
    return t(f"transfer.method.{method}")


def metrics(r: TransferResult) -> None:
    m = st.columns(3)
    m[0].metric(t("transfer.source_acc"), f"{r.source_acc:.1%}", help=t("transfer.source_help", n=r.n_source))
    m[1].metric(t("transfer.weights"), f"{r.n_params:,}", help=t("transfer.weights_help", body=f"{r.body_params:,}"))
    m[2].metric(t("transfer.frozen_check"), "✓" if r.frozen_unchanged else "✗", help=t("transfer.frozen_help"))


def curve_figure(r: TransferResult) -> go.Figure:
    fig = go.Figure()
    for method in transfer.METHODS:
        pts = r.curve(method)
        fig.add_scatter(x=[p.n_per_class for p in pts], y=[p.mean for p in pts], mode="lines+markers", name=name(method),
                        error_y=dict(type="data", array=[p.std for p in pts], visible=True),
                        line=dict(color=COLORS[method], dash="dot" if method == "scratch" else "solid"))  # fmt: skip
    fig.update_layout(title=t("transfer.curve_title", n=r.n_target_test), height=460,
                      xaxis=dict(title=t("transfer.n_axis"), type="log", tickvals=list(transfer.N_GRID)),
                      yaxis=dict(title=t("transfer.acc_axis"), tickformat=".0%"),
                      legend=dict(orientation="h", y=-0.2))  # fmt: skip
    return fig


def table(r: TransferResult):
    import pandas as pd

    data = {t("transfer.col_n"): [str(n) for n in transfer.N_GRID]}
    for method in transfer.METHODS:
        data[name(method)] = [f"{p.mean:.1%} ± {p.std:.1%}" for p in r.curve(method)]
    return pd.DataFrame(data)


def notes(r: TransferResult) -> None:
    """What this run shows, in its own numbers: where a transferred network beat scratch by more than the spread."""
    scratch = {p.n_per_class: p for p in r.curve("scratch")}
    lines = []
    for n in transfer.N_GRID:
        best = max((p for p in r.points if p.n_per_class == n and p.method != "scratch"), key=lambda p: p.mean)
        gap = best.mean - scratch[n].mean
        spread = max(best.std, scratch[n].std)
        word = "helped" if gap > spread else "hurt" if gap < -spread else "even"
        lines.append(t(f"transfer.note_{word}", n=n, method=name(best.method), acc=f"{best.mean:.1%}",
                       scratch=f"{scratch[n].mean:.1%}"))  # fmt: skip
    st.markdown("\n".join(f"- {line}" for line in lines))
    st.markdown(t("transfer.why"))


def compact() -> None:
    """The question page's panel: how long the source was trained, and what that buys the target."""
    pretrain_epochs = widget(DEMO, SPEC["pretrain_epochs"], key_prefix="compact_")
    params = defaults(transfer.PARAMS) | {"pretrain_epochs": pretrain_epochs}
    r = result(params)
    chart(curve_figure(r), width="stretch", key="compact_transfer_curve")
    st.dataframe(table(r), hide_index=True, width="stretch")
    st.caption(t("transfer.compact_look"))
