"""Evaluation metrics: a threshold moving on ROC and PR, calibration, averaging, and AUC against GAUC."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from kdlab.classic import metrics
from kdlab.classic.metrics import MetricsResult, ScoreReport
from kdlab.core.params import defaults
from pages.demos.kit import key_of, reproduce, show_source, store, widget
from pages.demos.own_data import own_scores
from pages.shared.common import t
from pages.shared.plots import chart
from pages.shared.projector import intro, settings

DEMO = "metrics"
SPEC = {p.name: p for p in metrics.PARAMS}
COLORS = {"within_user": "#1f77b4", "user_activity": "#d62728", "both": "#7f7f7f"}


def _run(params: dict) -> MetricsResult:
    return store(DEMO).get_or_run(key_of(params), lambda _: metrics.run(**params))


def render() -> None:
    st.header(t("demo.metrics"), anchor=False)
    intro(t("metrics.intro"))
    own = own_scores(DEMO)
    with settings("metrics_form"):
        c1, c2, c3 = st.columns(3)
        with c1:
            st.caption(t("metrics.binary_controls"))
            params = {
                k: widget(DEMO, SPEC[k]) for k in ("n", "positive_rate", "separation", "sharpness", "n_bins")
            }
        with c2:
            st.caption(t("metrics.multiclass_controls"))
            params |= {k: widget(DEMO, SPEC[k]) for k in ("n_classes", "imbalance")}
        with c3:
            st.caption(t("metrics.shop_controls"))
            params |= {k: widget(DEMO, SPEC[k]) for k in ("n_users", "activity_effect", "seed")}
        st.form_submit_button(t("metrics.run"), type="primary")
    r = _run(params)
    if own is not None:
        own_panel(metrics.score_report(own.y, own.score, params["n_bins"], own.user))
        st.caption(t("metrics.own_rest"))
    else:
        st.subheader(t("metrics.threshold_title"), anchor=False)
        threshold = widget(DEMO, metrics.THRESHOLD)
        threshold_panel(r, threshold)
        st.subheader(t("metrics.calibration_title"), anchor=False)
        calibration_panel(r)
        st.caption(t("metrics.calibration_note"))

    st.subheader(t("metrics.multiclass_title"), anchor=False)
    left, right = st.columns([1, 1])
    with left:
        chart(confusion_figure(r), width="stretch")
    with right:
        st.dataframe(class_table(r), hide_index=True, width="stretch")
        st.metric(t("metrics.accuracy"), f"{r.accuracy:.4f}")
    st.caption(t("metrics.averages_note"))

    st.subheader(t("metrics.gauc_title"), anchor=False)
    st.markdown(t("metrics.gauc_intro"))
    left, right = st.columns(2)
    with left:
        chart(gauc_figure(r), width="stretch")
    with right:
        chart(users_figure(r), width="stretch")
    st.caption(
        t(
            "metrics.gauc_coverage",
            counted=r.users_counted,
            total=r.users_total,
            share=f"{r.impressions_counted:.0%}",
        )
    )
    st.info(gauc_verdict(r))

    reproduce(DEMO, "kdlab.classic.metrics", params, metrics.PARAMS)
    show_source(
        "kdlab.classic.metrics:precision_recall_f1",
        "kdlab.classic.metrics:average_ranks",
        "kdlab.classic.metrics:rank_auc",
        "kdlab.classic.metrics:gauc",
        "kdlab.classic.metrics:curve_points",
        "kdlab.classic.metrics:reliability",
    )


def calibration_panel(r: MetricsResult | ScoreReport) -> None:
    m = st.columns(4)
    m[0].metric("AUC", f"{r.auc:.4f}")
    m[1].metric(t("metrics.ece"), f"{r.ece:.4f}")
    m[2].metric(t("metrics.log_loss"), f"{r.log_loss:.4f}")
    m[3].metric(t("metrics.brier"), f"{r.brier:.4f}")
    chart(reliability_figure(r), width="stretch")


def own_panel(r: ScoreReport) -> None:
    """The learner's own scores: the same threshold, curves and calibration; GAUC with a user column."""
    st.subheader(t("metrics.own_threshold_title"), anchor=False)
    if r.probabilities:
        threshold = widget(DEMO, metrics.THRESHOLD, key_prefix="own_")
    else:  # logits or any other score: the slider spans the file's scores, 100 steps
        lo, hi = float(r.score.min()), float(r.score.max())
        hi = max(hi, lo + 1.0)  # every score the same: a slider needs a range
        step = float(f"{(hi - lo) / 100:.2g}")
        threshold = st.slider(t("params.metrics.threshold"), lo, hi, round(lo + (hi - lo) / 2, 6), step,
                              key="own_metrics_score_threshold", help=t("metrics.own_threshold_help"))  # fmt: skip
    threshold_panel(r, threshold, key="own_metrics_curves", counts="metrics.own_counts")
    st.subheader(t("metrics.calibration_title"), anchor=False)
    if r.probabilities:
        calibration_panel(r)
        st.caption(t("metrics.calibration_note_own"))
    else:
        st.metric("AUC", f"{r.auc:.4f}")
        st.info(t("metrics.own_not_probabilities", lo=f"{r.score.min():.4g}", hi=f"{r.score.max():.4g}"))
    if r.users_total:
        st.subheader(t("metrics.own_gauc_title"), anchor=False)
        m = st.columns(3)
        m[0].metric(t("metrics.own_global_auc"), f"{r.auc:.4f}")
        m[1].metric("GAUC", "—" if r.gauc is None else f"{r.gauc:.4f}")
        m[2].metric(t("metrics.own_users_counted"), f"{r.users_counted} / {r.users_total}")
        if r.gauc is None:
            st.warning(t("metrics.own_no_gauc"))
        else:
            st.caption(t("metrics.own_gauc_coverage", counted=r.users_counted, total=r.users_total,
                         share=f"{r.impressions_counted:.0%}"))  # fmt: skip


def threshold_panel(
    r: MetricsResult | ScoreReport, threshold: float, key: str = "metrics_curves", counts: str = "metrics.counts"
) -> None:
    op = metrics.operating_point(r.y, r.score, threshold)
    m = st.columns(4)
    m[0].metric(t("metrics.precision"), f"{op.precision:.3f}")
    m[1].metric(t("metrics.recall"), f"{op.tpr:.3f}")
    m[2].metric("F1", f"{op.f1:.3f}")
    m[3].metric(t("metrics.fpr"), f"{op.fpr:.3f}")
    st.caption(t(counts, tp=op.tp, fp=op.fp, fn=op.fn, tn=op.tn))
    chart(curves_figure(r, op), width="stretch", key=key)


def curves_figure(r: MetricsResult | ScoreReport, op: metrics.OperatingPoint) -> go.Figure:
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=(t("metrics.roc", auc=f"{r.auc:.3f}"), t("metrics.pr", ap=f"{r.average_precision:.3f}"))
    )  # fmt: skip
    fig.add_trace(go.Scatter(x=r.fpr, y=r.tpr, mode="lines", name="ROC", line=dict(width=3)), 1, 1)
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line=dict(dash="dash", color="gray"),
                             name=t("metrics.chance"), showlegend=False), 1, 1)  # fmt: skip
    fig.add_trace(
        go.Scatter(x=r.recall, y=r.precision, mode="lines", name="PR", line=dict(width=3, shape="hv")), 1, 2
    )
    base = float(r.y.mean())
    fig.add_trace(go.Scatter(x=[0, 1], y=[base, base], mode="lines", line=dict(dash="dash", color="gray"),
                             name=t("metrics.chance"), showlegend=False), 1, 2)  # fmt: skip
    point = dict(size=15, color="red", symbol="circle", line=dict(width=2, color="white"))
    label = t("metrics.threshold_point", t=f"{op.threshold:.2f}")
    fig.add_trace(go.Scatter(x=[op.fpr], y=[op.tpr], mode="markers", marker=point, name=label), 1, 1)
    fig.add_trace(
        go.Scatter(x=[op.tpr], y=[op.precision], mode="markers", marker=point, name=label, showlegend=False),
        1,
        2,
    )
    fig.update_xaxes(title_text=t("metrics.fpr"), range=[-0.02, 1.02], row=1, col=1)
    fig.update_yaxes(title_text=t("metrics.tpr"), range=[-0.02, 1.02], row=1, col=1)
    fig.update_xaxes(title_text=t("metrics.recall"), range=[-0.02, 1.02], row=1, col=2)
    fig.update_yaxes(title_text=t("metrics.precision"), range=[-0.02, 1.02], row=1, col=2)
    fig.update_layout(height=420, legend=dict(orientation="h", y=-0.2), margin=dict(t=50))
    return fig


def reliability_figure(r: MetricsResult | ScoreReport) -> go.Figure:
    n_bins = r.params["n_bins"]
    centers = (np.arange(n_bins) + 0.5) / n_bins
    fig = make_subplots(rows=1, cols=2, subplot_titles=(t("metrics.reliability"), t("metrics.histogram")))
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line=dict(dash="dash", color="gray"),
                             name=t("metrics.perfect")), 1, 1)  # fmt: skip
    full = r.bin_counts > 0
    fig.add_trace(
        go.Scatter(
            x=r.bin_confidence[full],
            y=r.bin_accuracy[full],
            mode="lines+markers",
            name=t("metrics.model"),
            marker=dict(size=9),
            text=[f"n = {c}" for c in r.bin_counts[full]],
        ),
        1,
        1,
    )
    fig.add_trace(
        go.Bar(x=centers, y=r.bin_counts, width=1 / n_bins * 0.9, name=t("metrics.rows"), showlegend=False),
        1,
        2,
    )
    fig.update_xaxes(title_text=t("metrics.confidence"), range=[0, 1], row=1, col=1)
    fig.update_yaxes(title_text=t("metrics.fraction_positive"), range=[0, 1], row=1, col=1)
    fig.update_xaxes(title_text=t("metrics.confidence"), range=[0, 1], row=1, col=2)
    fig.update_yaxes(title_text=t("metrics.rows"), type="log", dtick=1, row=1, col=2)
    fig.update_layout(height=400, legend=dict(orientation="h", y=-0.2), margin=dict(t=50))
    return fig


def confusion_figure(r: MetricsResult) -> go.Figure:
    K = len(r.confusion)
    names = [t("metrics.class", k=k) for k in range(K)]
    fig = go.Figure(go.Heatmap(z=r.confusion, x=names, y=names, colorscale="Blues", text=r.confusion,
                               texttemplate="%{text}", colorbar=dict(title=t("metrics.rows"))))  # fmt: skip
    fig.update_layout(title=t("metrics.confusion_title"), xaxis_title=t("metrics.predicted_class"),
                      yaxis_title=t("metrics.true_class"), yaxis_autorange="reversed", height=420)  # fmt: skip
    return fig


def class_table(r: MetricsResult) -> dict:
    K = len(r.confusion)
    rows = [t("metrics.class", k=k) for k in range(K)] + [t(f"metrics.avg_{a}") for a in r.averages]
    support = list(r.confusion.sum(axis=1)) + [int(r.confusion.sum())] * 3

    def col(i, per_class):
        return [f"{v:.3f}" for v in per_class] + [f"{v[i]:.3f}" for v in r.averages.values()]

    return {
        "": rows,
        t("metrics.precision"): col(0, r.class_precision),
        t("metrics.recall"): col(1, r.class_recall),
        "F1": col(2, r.class_f1),
        t("metrics.support"): [str(s) for s in support],
    }


def gauc_figure(r: MetricsResult) -> go.Figure:
    names = [t(f"metrics.model_{m}") for m in metrics.MODELS]
    fig = go.Figure()
    for what, values, pattern in (("AUC", r.model_auc, ""), ("GAUC", r.model_gauc, "/")):
        v = [values[m] for m in metrics.MODELS]
        fig.add_trace(go.Bar(x=names, y=v, name=what, text=[f"{x:.3f}" for x in v], textposition="outside",
                             marker=dict(pattern_shape=pattern)))  # fmt: skip
    lo = min(min(r.model_auc.values()), min(r.model_gauc.values()))
    fig.update_layout(title=t("metrics.gauc_bars"), barmode="group", yaxis_title=t("metrics.held_out"),
                      yaxis_range=[max(0.0, lo - 0.1), 1.0], height=420, legend=dict(orientation="h", y=1.1))  # fmt: skip
    return fig


def users_figure(r: MetricsResult) -> go.Figure:
    seen = r.user_impressions > 0
    fig = go.Figure(
        go.Scatter(
            x=r.user_impressions[seen],
            y=r.user_ctr[seen],
            mode="markers",
            marker=dict(size=5, opacity=0.5),
            name=t("metrics.user"),
        )
    )
    fig.update_layout(title=t("metrics.users_title"), xaxis_title=t("metrics.impressions"), xaxis_type="log", xaxis_dtick=1,
                      yaxis_title=t("metrics.user_ctr"), yaxis_tickformat=".0%", height=420)  # fmt: skip
    return fig


def gauc_verdict(r: MetricsResult) -> str:
    a, g = r.model_auc, r.model_gauc
    key = (
        "gauc_flip"
        if a["user_activity"] > a["within_user"] and g["user_activity"] < g["within_user"]
        else "gauc_noflip"
    )
    return t(f"metrics.{key}", auc_a=f"{a['within_user']:.3f}", auc_b=f"{a['user_activity']:.3f}",
             gauc_a=f"{g['within_user']:.3f}", gauc_b=f"{g['user_activity']:.3f}")  # fmt: skip


def compact() -> None:
    """The question page's panel: the threshold on both curves; the activity effect on AUC vs GAUC."""
    left, right = st.columns(2)
    with left:
        threshold = widget(DEMO, metrics.THRESHOLD, key_prefix="compact_")
    with right:
        effect = widget(DEMO, SPEC["activity_effect"], key_prefix="compact_")
    r = _run(defaults(metrics.PARAMS) | {"activity_effect": effect})
    threshold_panel(r, threshold, key="compact_metrics_curves")
    chart(gauc_figure(r), width="stretch", key="compact_metrics_gauc")
    st.caption(t("metrics.compact_look"))
