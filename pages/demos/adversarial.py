"""Adversarial attacks on the digits CNN: accuracy against ε, the perturbed images, and adversarial training."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from kdlab.core.params import defaults
from kdlab.deep import adversarial
from kdlab.deep.adversarial import AdversarialResult
from pages.demos.kit import key_of, reproduce, show_source, store, widget
from pages.shared.common import t
from pages.shared.plots import chart
from pages.shared.projector import intro, settings

DEMO = "adversarial"
SPEC = {p.name: p for p in adversarial.PARAMS}
LAYOUT = (("epsilon", "pgd_steps"), ("epochs", "seed"), ("adversarial_training", "train_steps"))
COLORS = {"fgsm": "#ff7f0e", "pgd": "#d62728", "robust": "#2ca02c"}


def render() -> None:
    st.header(t("demo.adversarial"), anchor=False)
    intro(t("adversarial.intro"))
    params = controls()
    r = result(params)
    metrics(r)
    chart(curve_figure(r), width="stretch", key="adversarial_chart_curve")
    st.caption(t("adversarial.curve_help", steps=params["pgd_steps"]))

    st.subheader(t("adversarial.examples_title", eps=f"{params['epsilon']:g}"), anchor=False)
    if r.examples:
        chart(examples_figure(r), width="stretch", key="adversarial_chart_examples")
        st.caption(t("adversarial.examples_help"))
    else:
        st.info(t("adversarial.no_examples"))

    if r.robust is not None:
        st.subheader(t("adversarial.training_title"), anchor=False)
        chart(training_figure(r), width="stretch", key="adversarial_chart_training")
        s, a = r.robust["standard"], r.robust["adversarial"]
        st.markdown(t("adversarial.training_note", train_eps=f"{r.robust['train_eps']:g}", eps=f"{params['epsilon']:g}",
                      steps=params["train_steps"], s_clean=f"{s['clean']:.1%}", a_clean=f"{a['clean']:.1%}",
                      s_pgd=f"{s['pgd']:.1%}", a_pgd=f"{a['pgd']:.1%}"))  # fmt: skip
        st.caption(t("adversarial.training_cost"))
    reproduce(DEMO, "kdlab.deep.adversarial", params, adversarial.PARAMS)
    show_source("kdlab.deep.adversarial:fgsm", "kdlab.deep.adversarial:pgd",
                "kdlab.deep.adversarial:adversarial_train_epochs")  # fmt: skip


def controls() -> dict:
    current = st.session_state.get("adversarial_params") or defaults(adversarial.PARAMS)
    with settings("adversarial_form"):
        params = {}
        for column, names in zip(st.columns(len(LAYOUT)), LAYOUT, strict=True):
            with column:
                for name in names:
                    params[name] = widget(DEMO, SPEC[name], value=current[name])
        submitted = st.form_submit_button(t("adversarial.run"), type="primary")
    if submitted or "adversarial_params" not in st.session_state:
        st.session_state["adversarial_params"] = params
    return st.session_state["adversarial_params"]


def result(params: dict) -> AdversarialResult:
    """From the shared cache, or trained now through the job queue with the stage on a progress line."""
    status = st.empty()

    def train(report) -> AdversarialResult:
        return adversarial.run(**params, on_progress=report)

    def draw(stage: str) -> None:
        status.info(t(f"adversarial.stage_{stage}"), icon="⏳")

    r = store(DEMO).get_or_run(key_of(params), train, draw=draw)
    status.empty()
    return r


def metrics(r: AdversarialResult) -> None:
    eps = f"{r.params['epsilon']:g}"
    m = st.columns(4)
    m[0].metric(t("adversarial.clean_acc"), f"{r.acc_at_eps['clean']:.1%}", help=t("adversarial.n_test", n=r.n_test))
    m[1].metric(t("adversarial.fgsm_acc", eps=eps), f"{r.acc_at_eps['fgsm']:.1%}")
    m[2].metric(t("adversarial.pgd_acc", eps=eps), f"{r.acc_at_eps['pgd']:.1%}")
    both = r.params["adversarial_training"]  # without adversarial training, one CNN was trained
    m[3].metric(t("adversarial.train_time" if both else "adversarial.train_time_one"), f"{r.train_seconds:.1f} s")


def curve_figure(r: AdversarialResult) -> go.Figure:
    fig = go.Figure()
    fig.add_scatter(x=r.epsilons, y=r.fgsm_acc, mode="lines+markers", name=t("adversarial.curve_fgsm"),
                    line=dict(color=COLORS["fgsm"]))  # fmt: skip
    fig.add_scatter(x=r.epsilons, y=r.pgd_acc, mode="lines+markers", name=t("adversarial.curve_pgd"),
                    line=dict(color=COLORS["pgd"]))  # fmt: skip
    if r.robust_curve is not None:
        fig.add_scatter(x=r.epsilons, y=r.robust_curve, mode="lines+markers", name=t("adversarial.curve_robust"),
                        line=dict(color=COLORS["robust"], dash="dash"))  # fmt: skip
    fig.add_vline(x=r.params["epsilon"], line=dict(color="gray", dash="dot"))
    fig.update_layout(title=t("adversarial.curve_title"), height=420, legend=dict(orientation="h", y=-0.25),
                      xaxis=dict(title=t("adversarial.eps_axis")),
                      yaxis=dict(title=t("adversarial.acc_axis"), tickformat=".0%", range=[0, 1.02]))  # fmt: skip
    return fig


def examples_figure(r: AdversarialResult, limit: int = 8) -> go.Figure:
    """Per example: the clean image, the perturbation (x' − x, at most ε per pixel) and the adversarial image."""
    examples = r.examples[:limit]
    per_row = 2
    rows = -(-len(examples) // per_row)
    eps = max(r.params["epsilon"], 1e-6)
    titles = []
    for e in examples:
        titles += [t("adversarial.ex_clean", y=e.label, pred=e.clean_pred, conf=f"{e.clean_conf:.0%}"),
                   t("adversarial.ex_delta"),
                   t("adversarial.ex_adv", pred=e.adv_pred, conf=f"{e.adv_conf:.0%}")]  # fmt: skip
    fig = make_subplots(rows=rows, cols=3 * per_row, subplot_titles=titles, horizontal_spacing=0.02,
                        vertical_spacing=0.25 / rows)  # fmt: skip
    for i, e in enumerate(examples):
        row, col = i // per_row + 1, (i % per_row) * 3 + 1
        gray = dict(colorscale="gray_r", zmin=0, zmax=1, showscale=False, hovertemplate="%{z:.2f}<extra></extra>")
        fig.add_trace(go.Heatmap(z=e.image, **gray), row=row, col=col)
        fig.add_trace(go.Heatmap(z=e.adversarial - e.image, colorscale="RdBu_r", zmin=-eps, zmax=eps,
                                 showscale=i == 0, colorbar=dict(title="x′ − x", len=0.6),
                                 hovertemplate="%{z:+.3f}<extra></extra>"), row=row, col=col + 1)  # fmt: skip
        fig.add_trace(go.Heatmap(z=e.adversarial, **gray), row=row, col=col + 2)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, autorange="reversed")
    for k in range(1, rows * 3 * per_row + 1):
        fig.layout[f"yaxis{'' if k == 1 else k}"].scaleanchor = f"x{'' if k == 1 else k}"
    fig.update_annotations(font_size=11)
    fig.update_layout(height=60 + 190 * rows, margin=dict(l=10, r=10, t=40, b=10))
    return fig


def training_figure(r: AdversarialResult) -> go.Figure:
    kinds = ("clean", "fgsm", "pgd")
    labels = [t(f"adversarial.bar_{k}", eps=f"{r.params['epsilon']:g}") for k in kinds]
    fig = go.Figure()
    for model, color in (("standard", "#7f7f7f"), ("adversarial", COLORS["robust"])):
        values = [r.robust[model][k] for k in kinds]
        fig.add_bar(x=labels, y=values, name=t(f"adversarial.model_{model}"), marker_color=color,
                    text=[f"{v:.1%}" for v in values], textposition="outside")  # fmt: skip
    fig.update_layout(barmode="group", height=380, legend=dict(orientation="h", y=-0.15),
                      yaxis=dict(title=t("adversarial.acc_axis"), tickformat=".0%", range=[0, 1.1]))  # fmt: skip
    return fig


def compact() -> None:
    """The question page's panel: ε, the accuracy it leaves, and what the images look like."""
    epsilon = widget(DEMO, SPEC["epsilon"], key_prefix="compact_")
    params = defaults(adversarial.PARAMS) | {"epsilon": epsilon}
    r = result(params)
    metrics(r)
    chart(curve_figure(r), width="stretch", key="compact_adversarial_curve")
    if r.examples:
        chart(examples_figure(r, limit=4), width="stretch", key="compact_adversarial_examples")
    st.caption(t("adversarial.compact_look"))
