"""Data augmentation on digits with few labels: what each augmentation does to a digit, and whether it helped."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from kdlab.core.params import ParamError, defaults
from kdlab.deep import augment
from kdlab.deep.augment import AugmentResult
from pages.demos.kit import key_of, reproduce, show_source, store, widget
from pages.shared.common import t
from pages.shared.plots import chart
from pages.shared.projector import intro, settings

DEMO = "augment"
SPEC = {p.name: p for p in augment.PARAMS}
LAYOUT = (("n_per_class", "strength"), ("epochs", "seeds"), ("seed",))
VERDICT_COLOR = {"helped": "#2ca02c", "hurt": "#d62728", "unclear": "#7f7f7f"}


def render() -> None:
    st.header(t("demo.augment"), anchor=False)
    intro(t("augment.intro"))
    params = controls()
    r = result(params)
    if r is None:
        return
    st.subheader(t("augment.grid_title"), anchor=False)
    chart(grid_figure(r), width="stretch", key="augment_chart_grid")
    st.caption(t("augment.grid_help", strength=f"{params['strength']:g}"))

    st.subheader(t("augment.results_title", n=r.n_train, seeds=params["seeds"]), anchor=False)
    chart(gain_figure(r), width="stretch", key="augment_chart_gain")
    st.dataframe(table(r), hide_index=True, width="stretch")
    st.markdown(t("augment.notes"))
    reproduce(DEMO, "kdlab.deep.augment", params, augment.PARAMS)
    show_source("kdlab.deep.augment:shift", "kdlab.deep.augment:rotate_by", "kdlab.deep.augment:cutout",
                "kdlab.deep.augment:mixup", "kdlab.deep.augment:train")  # fmt: skip


def controls() -> dict:
    current = st.session_state.get("augment_params") or defaults(augment.PARAMS)
    with settings("augment_form"):
        params = {}
        for column, names in zip(st.columns(len(LAYOUT)), LAYOUT, strict=True):
            with column:
                for name in names:
                    params[name] = widget(DEMO, SPEC[name], value=current[name])
        submitted = st.form_submit_button(t("augment.run"), type="primary")
    if submitted or "augment_params" not in st.session_state:
        st.session_state["augment_params"] = params
    return st.session_state["augment_params"]


def result(params: dict) -> AugmentResult | None:
    status = st.empty()

    def train(report) -> AugmentResult:
        return augment.run(**params, on_progress=report)

    def draw(progress: tuple[int, int]) -> None:
        done, total = progress
        status.progress(done / total, text=t("augment.progress", done=done, total=total))

    try:
        r = store(DEMO).get_or_run(key_of(params), train, draw=draw)
    except ParamError as err:
        status.error(t("augment.refused", error=str(err)), icon="⛔")
        return None
    status.empty()
    return r


def label(name: str) -> str:
    return t(f"augment.name.{name}")


def grid_figure(r: AugmentResult) -> go.Figure:
    rows = ["none", *augment.AUGMENTATIONS]
    cols = len(r.examples)
    fig = make_subplots(rows=cols, cols=len(rows), column_titles=[label(n) for n in rows],
                        horizontal_spacing=0.01, vertical_spacing=0.02)  # fmt: skip
    for j, name in enumerate(rows):
        images = r.examples if name == "none" else r.augmented[name]
        for i, image in enumerate(images):
            fig.add_trace(go.Heatmap(z=image, colorscale="gray_r", zmin=0, zmax=1, showscale=False,
                                     hovertemplate="%{z:.2f}<extra></extra>"), row=i + 1, col=j + 1)  # fmt: skip
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, autorange="reversed")
    for k in range(1, cols * len(rows) + 1):
        fig.layout[f"yaxis{'' if k == 1 else k}"].scaleanchor = f"x{'' if k == 1 else k}"
    fig.update_annotations(font_size=12)
    fig.update_layout(height=60 + 125 * cols, margin=dict(l=10, r=10, t=50, b=10))
    return fig


def gain_figure(r: AugmentResult) -> go.Figure:
    rows = r.rows[1:]
    # The verdict under each name on the axis: written at the bar's end it sat on the error bar.
    names = [f"{label(row.name)}<br><b>{t(f'augment.verdict.{row.verdict}')}</b>" for row in rows]
    fig = go.Figure(go.Bar(
        x=names, y=[row.gain for row in rows],
        error_y=dict(type="data", array=[row.gain_std for row in rows], visible=True),
        marker_color=[VERDICT_COLOR[row.verdict] for row in rows],
        customdata=[label(row.name) for row in rows], hovertemplate="%{customdata}: %{y:+.1%}<extra></extra>",
    ))  # fmt: skip
    fig.add_hline(y=0, line=dict(color="black", width=1))
    fig.update_layout(title=t("augment.gain_title", base=f"{r.baseline:.1%}"), height=440,
                      yaxis=dict(title=t("augment.gain_axis"), tickformat="+.0%"), margin=dict(t=60))  # fmt: skip
    return fig


def table(r: AugmentResult):
    import pandas as pd

    return pd.DataFrame({
        t("augment.col_aug"): [label(row.name) for row in r.rows],
        t("augment.col_acc"): [f"{row.mean:.1%} ± {row.std:.1%}" for row in r.rows],
        t("augment.col_gain"): ["—" if row.gain is None else f"{row.gain:+.1%} ± {row.gain_std:.1%}" for row in r.rows],
        t("augment.col_verdict"): ["—" if row.verdict is None else t(f"augment.verdict.{row.verdict}") for row in r.rows],
        t("augment.col_seeds"): [" · ".join(f"{a:.1%}" for a in row.accs) for row in r.rows],
    })  # fmt: skip


def compact() -> None:
    """The question page's panel: the augmentations' strength, and which of them helped."""
    strength = widget(DEMO, SPEC["strength"], key_prefix="compact_")
    params = defaults(augment.PARAMS) | {"strength": strength}
    r = result(params)
    if r is None:
        return
    chart(grid_figure(r), width="stretch", key="compact_augment_grid")
    chart(gain_figure(r), width="stretch", key="compact_augment_gain")
    st.caption(t("augment.compact_look"))
