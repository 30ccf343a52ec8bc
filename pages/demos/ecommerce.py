"""Distillation in e-commerce: CTR with a privileged feature, demand, profiles, product images; honest verdicts."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from kdlab.core.params import defaults
from kdlab.shop import ecommerce
from kdlab.shop.scenario import ScenarioResult
from kdlab.shop.world import SEGMENTS
from pages.demos.kit import key_of, reproduce, run_timed, show_source, store, widget
from pages.shared.common import t
from pages.shared.plots import chart
from pages.shared.plots import wrap as title_lines  # CJK-aware; each chart is half the page wide
from pages.shared.projector import intro

DEMO = "ecommerce"
SPEC = {p.name: p for p in ecommerce.PARAMS}
SCENARIO_PARAMS = {
    "ctr": ("ctr_weeks", "ctr_view_taste"),
    "demand": ("demand_weeks",),
    "profile": ("profile_labels",),
    "images": ("image_labels",),
}
REGIME_TASTES = (0.0, 0.5, 1.0)  # the sweep "when does PFD help?": what view time reflects
COLORS = {
    "teacher": "#636EFA", "teacher_serving": "#AB63FA", "alone": "#EF553B", "distilled": "#00CC96",
    "distilled_serving": "#19D3F3", "oracle": "#7F7F7F", "naive": "#B6B6B6",
    "alone_logistic": "#FFA15A", "distilled_logistic": "#2E8B57",
}  # fmt: skip
PERCENT = {"wape", "wape_promo", "accuracy"}
SOURCES = {
    "ctr": ("kdlab.shop.ctr:CTRNet", "kdlab.shop.ctr:run_ctr", "kdlab.shop.world:simulate_impressions"),
    "demand": ("kdlab.shop.demand:fit_per_series", "kdlab.shop.demand:run_demand", "kdlab.shop.world:daily_sales"),
    "profile": (
        "kdlab.shop.profile:soft_rows",
        "kdlab.shop.profile:run_profile",
        "kdlab.shop.profile:behaviour",
    ),
    "images": ("kdlab.shop.images:run_images", "kdlab.distill.loss:distillation_loss"),
}


def render() -> None:
    st.header(t("demo.ecommerce"), anchor=False)
    intro(t("ecommerce.intro"))
    scenario = widget(DEMO, SPEC["scenario"])
    st.info(t(f"ecommerce.gain.{scenario}"), icon="💡")
    data_box = st.container()  # filled once the run is there: its figures come from seed 0
    params = scenario_form(scenario)
    r: ScenarioResult = run_timed(DEMO, key_of(params), lambda: ecommerce.run(**params),
                                  t("ecommerce.training", n=params["seeds"]))  # fmt: skip
    with data_box, st.expander(f"🧬 {t('ecommerce.data_title')}", expanded=False):
        data_view(r)

    st.subheader(t("ecommerce.results_title"), anchor=False)
    verdicts(r)
    results_table(r)
    left, right = st.columns(2)
    with left:
        metric = st.selectbox(t("ecommerce.chart.metric_pick"), r.metrics, format_func=metric_name,
                              key=f"ecommerce_metric_{scenario}")  # fmt: skip
        chart(metric_figure(r, metric), width="stretch")
        if any(not m.serves for m in r.models):
            st.caption(t("ecommerce.chart.hatched"))
    with right:
        chart(latency_figure(r), width="stretch")
    st.markdown(f"##### {t('ecommerce.serving_title')}")
    serving_table(r)
    if scenario == "demand":
        chart(example_figure(r), width="stretch")
    if scenario == "profile":
        with st.expander(f"🌳 {t('ecommerce.rules_title')}"):
            st.code(r.extra["rules"], language=None)
    st.markdown(notice(r))
    if scenario == "ctr":
        regime_section(params)
    with st.container(border=True):
        st.markdown(f"**📚 {t('ecommerce.published.title')}**")
        st.markdown(t(f"ecommerce.published.{'ctr' if scenario == 'ctr' else 'none'}"))
    reproduce(DEMO, "kdlab.shop.ecommerce", params, ecommerce.PARAMS)
    show_source(*SOURCES[scenario])


def scenario_form(scenario: str) -> dict:
    """Seeds, alpha and the scenario's own settings, behind a form: touching a slider never retrains."""
    with st.form(f"ecommerce_form_{scenario}"):
        names = ("seeds", "alpha", *SCENARIO_PARAMS[scenario])
        cols = st.columns(len(names))
        values = {}
        for col, name in zip(cols, names, strict=True):
            with col:
                values[name] = widget(DEMO, SPEC[name], key_prefix=f"{scenario}_")
        submitted = st.form_submit_button(t("ecommerce.train"), type="primary")
    state = f"ecommerce_params_{scenario}"
    if submitted or state not in st.session_state:
        st.session_state[state] = defaults(ecommerce.PARAMS) | values | {"scenario": scenario}
    return st.session_state[state]


def regime_section(params: dict) -> None:
    """When does PFD help? The learner's settings run again with view time reflecting lasting taste
    0, 0.5 and 1 (normal runs: they share the results store with the form's)."""
    st.markdown(f"##### {t('ecommerce.regime.title')}")
    st.markdown(t("ecommerce.regime.why"))
    runs = {k: params | {"ctr_view_taste": k} for k in REGIME_TASTES}
    found = {k: store(DEMO).get(key_of(p)) for k, p in runs.items()}
    if any(r is None for r in found.values()):
        ask = st.empty()  # the form goes once the three runs are there
        with ask.container(), st.form("ecommerce_regime_form"):
            st.caption(t("ecommerce.regime.ask", n=params["seeds"], weeks=params["ctr_weeks"]))
            asked = st.form_submit_button(t("ecommerce.regime.run"))
        if not asked:
            return
        for k, p in runs.items():
            if found[k] is None:
                found[k] = run_timed(DEMO, key_of(p), lambda p=p: ecommerce.run(**p),
                                     t("ecommerce.regime.running", taste=k))  # fmt: skip
        ask.empty()
    chart(regime_figure(found), width="stretch", key="ecommerce_regime")
    st.caption(t("ecommerce.regime.note"))


def regime_figure(found: dict) -> go.Figure:
    """The PFD student's AUC gain over the student alone and over the control, against view-time taste."""
    tastes = sorted(found)
    fig = go.Figure()
    for name, color in (("distillation", COLORS["alone"]), ("view_time", COLORS["distilled_serving"])):
        gains = [found[k].comparisons[name] for k in tastes]
        fig.add_scatter(x=tastes, y=[c.gain for c in gains], mode="lines+markers", name=t(f"ecommerce.regime.{name}"),
                        error_y=dict(type="data", array=[c.gain_std for c in gains], thickness=2, width=8),
                        marker=dict(size=11, color=color), line=dict(color=color, width=2))  # fmt: skip
    fig.add_hline(y=0, line=dict(color="gray", dash="dash"))
    n = len(found[tastes[0]].seeds)
    title = "<br>".join(wrap(part, 70) for part in t("ecommerce.regime.chart_title", n=n).split("\n"))
    fig.update_layout(
        title=dict(text=title), height=440, margin=dict(t=100),
        xaxis=dict(title=t("ecommerce.regime.x"), tickvals=tastes), yaxis=dict(title=t("ecommerce.regime.y")),
        legend=dict(orientation="h", y=-0.25),
    )  # fmt: skip
    return fig


# --- words and numbers ------------------------------------------------------------------


def model_name(scenario: str, key: str) -> str:
    return t(f"ecommerce.model.{scenario}.{key}", default=t(f"ecommerce.model.{key}"))


def metric_name(metric: str) -> str:
    return t(f"ecommerce.metric.{metric}")


def fmt(metric: str, value: float) -> str:
    if metric in PERCENT:
        return f"{value:.1%}"
    return f"{value:.2f}" if metric == "mae" else f"{value:.3f}"


def fmt_gain(metric: str, value: float, signed: bool = True) -> str:
    sign = "+" if signed else ""
    if metric in PERCENT:
        return t("ecommerce.points", x=f"{value * 100:{sign}.1f}")
    return f"{value:{sign}.2f}" if metric == "mae" else f"{value:{sign}.4f}"


def verdicts(r: ScenarioResult) -> None:
    metric = r.metrics[0]
    box = {"helped": st.success, "hurt": st.error, "unclear": st.info}
    for name, c in r.comparisons.items():
        word = "one_seed" if len(r.seeds) < 2 else c.verdict
        text = t(f"ecommerce.cmp.{word}", model=model_name(r.scenario, c.model), metric=metric_name(metric),
                 baseline=model_name(r.scenario, c.baseline), gain=fmt_gain(metric, c.gain),
                 spread=fmt_gain(metric, c.gain_std, signed=False), n=len(r.seeds))  # fmt: skip
        box[c.verdict](f"**{t(f'ecommerce.cmp.{name}')}** {text}")
    st.caption(t("ecommerce.cmp.sign_note"))


def results_table(r: ScenarioResult) -> None:
    """Quality on held-out data: mean ± std over seeds, one column per metric."""
    rows = []
    for m in r.models:
        row = {t("ecommerce.col.model"): model_name(r.scenario, m.key)}
        for metric in r.metrics:
            mean, std = r.mean_std(m.key, metric)
            row[metric_name(metric)] = f"{fmt(metric, mean)} ± {fmt(metric, std)}"
        row[t("ecommerce.col.serves")] = (
            t("ecommerce.not_a_model") if m.key == "oracle"
            else t("ecommerce.serves_yes") if m.serves else t("ecommerce.no_view_time")
        )  # fmt: skip
        rows.append(row)
    st.dataframe(rows, hide_index=True, width="stretch")
    st.caption(t(f"ecommerce.settings.{r.scenario}", **r.settings) + " " +
               t("ecommerce.seconds", seconds=r.seconds, n=len(r.seeds)))  # fmt: skip


def serving_table(r: ScenarioResult) -> None:
    """What each model reads and what serving it costs."""
    rows = [
        {t("ecommerce.col.model"): model_name(r.scenario, m.key),
         t("ecommerce.col.reads"): t(f"ecommerce.reads.{r.scenario}.{m.key}"),
         t("ecommerce.col.params"): "—" if m.key == "oracle" else f"{m.params:,}",
         t("ecommerce.col.ms"): "—" if m.ms_per_1000 == 0 else f"{m.ms_per_1000:.3g}"}
        for m in r.models
    ]  # fmt: skip
    st.dataframe(rows, hide_index=True, width="stretch")
    st.caption(t(f"ecommerce.params_note.{r.scenario}"))


def notice(r: ScenarioResult) -> str:
    if r.scenario == "demand":
        promo = r.extra["train_promo_days"]
        return t("ecommerce.notice.demand", promo_days=promo["median"], no_promo=promo["share_without_any"])
    if r.scenario == "images":
        return t("ecommerce.notice.images", ratio=r.row("teacher").params / r.row("alone").params)
    return t(f"ecommerce.notice.{r.scenario}")


def wrap(text: str, width: int = 16) -> str:
    """Break a long axis label into lines (at spaces; Chinese has none, so by characters)."""
    if " " not in text:
        return "<br>".join(text[i : i + width // 2 + 2] for i in range(0, len(text), width // 2 + 2))
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line])


# --- figures ------------------------------------------------------------------------------


def metric_figure(r: ScenarioResult, metric: str) -> go.Figure:
    """Mean ± std per model (one row each), and every seed's value: close models overlap, as they should."""
    fig = go.Figure()
    labels = [wrap(model_name(r.scenario, m.key), 24) for m in r.models]
    for i, m in enumerate(r.models):
        mean, std = r.mean_std(m.key, metric)
        values = m.scores[metric]
        jitter = np.linspace(-0.15, 0.15, len(values)) if len(values) > 1 else np.zeros(1)
        fig.add_scatter(y=i + jitter, x=values, mode="markers", showlegend=False, hoverinfo="x",
                        marker=dict(color="rgba(0,0,0,0.45)", size=6))  # fmt: skip
        color = COLORS.get(m.key, "#444")
        fig.add_scatter(y=[i], x=[mean], error_x=dict(type="data", array=[std], thickness=2, width=10),
                        mode="markers", name=labels[i], showlegend=False,
                        marker=dict(color=color, size=16, symbol="circle" if m.serves else "circle-open",
                                    line=dict(width=3, color=color)))  # fmt: skip
    fig.update_layout(
        title=dict(text=title_lines(t("ecommerce.chart.metric_title", metric=metric_name(metric), n=len(r.seeds)), 40)),
        yaxis=dict(tickvals=list(range(len(r.models))), ticktext=labels, autorange="reversed"),
        xaxis=dict(title=metric_name(metric), tickformat=".0%" if metric in PERCENT else None),
        height=460, margin=dict(t=80),
    )  # fmt: skip
    return fig


def latency_figure(r: ScenarioResult) -> go.Figure:
    rows = [m for m in r.models if m.ms_per_1000 > 0]
    times = [m.ms_per_1000 for m in rows]
    log = max(times) / min(times) > 20  # a log axis only when the times span decades
    fig = go.Figure(go.Bar(
        y=[wrap(model_name(r.scenario, m.key), 24) for m in rows], x=times,
        orientation="h", marker_color=[COLORS.get(m.key, "#444") for m in rows],
        text=[f"{x:.3g} ms" for x in times], textposition="outside", cliponaxis=False,
    ))  # fmt: skip
    fig.update_layout(
        title=dict(text=title_lines(t("ecommerce.chart.latency_title", unit=t(f"ecommerce.unit.{r.scenario}")), 40)),
        height=460,
        xaxis=dict(title=t("ecommerce.chart.latency_axis_log" if log else "ecommerce.chart.latency_axis"),
                   type="log" if log else "linear", dtick=1 if log else None),
        yaxis=dict(autorange="reversed"), margin=dict(t=80, r=60),
    )  # fmt: skip
    return fig


def example_figure(r: ScenarioResult) -> go.Figure:
    ex = r.extra["example"]
    days = list(range(1, len(ex["actual"]) + 1))
    names = t("ecommerce.signal.weekdays").split(",")
    ticks = [f"{d}<br>{names[w]}" for d, w in zip(days, ex["weekday"], strict=True)]
    fig = go.Figure()
    for d, promo in zip(days, ex["promo"], strict=True):
        if promo:
            fig.add_vrect(
                x0=d - 0.5, x1=d + 0.5, fillcolor="#FFD166", opacity=0.35, line_width=0, layer="below"
            )
    fig.add_scatter(x=days, y=ex["actual"], mode="lines+markers", name=t("ecommerce.chart.actual"),
                    line=dict(color="black", width=3))  # fmt: skip
    for key in ("naive", "teacher", "alone", "distilled"):
        fig.add_scatter(x=days, y=ex[key], mode="lines", name=model_name("demand", key),
                        line=dict(color=COLORS[key], dash="dot" if key == "naive" else None))  # fmt: skip
    if any(ex["promo"]):
        fig.add_scatter(x=[None], y=[None], mode="markers", name=t("ecommerce.chart.promo"),
                        marker=dict(symbol="square", size=14, color="#FFD166"))  # fmt: skip
    n_items = r.settings["items"]
    fig.update_layout(
        title=t("ecommerce.chart.example_title", store=ex["series"] // n_items, item=ex["series"] % n_items),
        xaxis=dict(title=t("ecommerce.chart.day"), tickvals=days, ticktext=ticks),
        yaxis=dict(title=t("ecommerce.chart.orders"), rangemode="tozero"),
        height=420, legend=dict(orientation="h", y=-0.3),
    )  # fmt: skip
    return fig


def data_view(r: ScenarioResult) -> None:
    if r.scenario == "images":
        st.markdown(t("ecommerce.data.images", dataset=r.settings["dataset"]))
        chart(samples_figure(r), width="stretch")
        return
    st.markdown(t("ecommerce.data.common"))
    st.markdown(t(f"ecommerce.data.{r.scenario}"))
    if r.scenario == "ctr":
        s = r.extra["view_time_signal"]
        fig = go.Figure(go.Bar(x=[f"{v:.1f}" for v in s["view_time_median"]], y=s["click_rate"],
                               marker_color=COLORS["teacher"], text=[f"{c:.1%}" for c in s["click_rate"]],
                               textposition="outside", cliponaxis=False))  # fmt: skip
        fig.update_layout(title=t("ecommerce.signal.ctr_title"), height=340,
                          xaxis=dict(title=t("ecommerce.signal.ctr_x"), type="category"),
                          yaxis=dict(title=t("ecommerce.signal.ctr_y"), tickformat=".0%"))  # fmt: skip
        chart(fig, width="stretch")
    elif r.scenario == "demand":
        profile = r.extra["weekday_profile"]
        fig = go.Figure(go.Bar(x=t("ecommerce.signal.weekdays").split(","), y=profile, marker_color=COLORS["teacher"],
                               text=[f"{v:.2f}" for v in profile], textposition="inside"))  # fmt: skip
        fig.add_hline(y=1.0, line=dict(color="gray", dash="dash"))
        fig.update_layout(
            title=t("ecommerce.signal.weekday_title"), height=340, yaxis=dict(rangemode="tozero")
        )
        chart(fig, width="stretch")
    else:
        means = r.extra["segment_means"]
        st.caption(t("ecommerce.signal.segments_title"))
        table = [
            {t("ecommerce.signal.counter"): t(f"ecommerce.counters.{name}")}
            | {t(f"ecommerce.segments.{seg}"): f"{v:.2f}" for seg, v in zip(SEGMENTS, values, strict=True)}
            for name, values in means.items()
        ]
        st.dataframe(table, hide_index=True, width="stretch")


def samples_figure(r: ScenarioResult) -> go.Figure:
    images, labels = np.asarray(r.extra["samples"]), r.extra["sample_labels"]
    fig = make_subplots(rows=1, cols=len(images), subplot_titles=labels, horizontal_spacing=0.01)
    for i, image in enumerate(images):
        fig.add_trace(go.Heatmap(z=image[::-1], colorscale="gray_r", showscale=False), row=1, col=i + 1)
        fig.update_xaxes(visible=False, row=1, col=i + 1)
        fig.update_yaxes(visible=False, scaleanchor=f"x{i + 1 if i else ''}", row=1, col=i + 1)
    fig.update_layout(height=200, margin=dict(l=10, r=10, t=60, b=10),
                      title=t("ecommerce.signal.samples_title", dataset=r.settings["dataset"]))  # fmt: skip
    return fig


def compact() -> None:
    """The question page's panel: one e-commerce scenario at its defaults, its verdicts and its
    main metric per model."""
    scenario = widget(DEMO, SPEC["scenario"], key_prefix="compact_")
    params = defaults(ecommerce.PARAMS) | {"scenario": scenario}
    if scenario == "ctr":  # the one control that decides whether PFD can help in this world
        # Labels looked up now, not in format_func: AppTest calls that outside a script run.
        labels = {k: t(f"ecommerce.regime.preset_{int(k)}") for k in (0.0, 1.0)}
        params["ctr_view_taste"] = st.radio(
            t("params.ecommerce.ctr_view_taste"), tuple(labels), horizontal=True, key="compact_ecommerce_view_taste",
            format_func=labels.get,
        )  # fmt: skip
    r: ScenarioResult = run_timed(DEMO, key_of(params), lambda: ecommerce.run(**params),
                                  t("ecommerce.training", n=params["seeds"]))  # fmt: skip
    verdicts(r)
    chart(metric_figure(r, r.metrics[0]), width="stretch", key="compact_ecommerce_metric")
    st.caption(t("ecommerce.compact_look"))
