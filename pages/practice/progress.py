"""My progress: answers and ratings over time, accuracy by tag, what is due next, CSV export."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import plotly.graph_objects as go
import streamlit as st

from kdlab.practice.progress import RATINGS
from pages.practice.store import learner, not_saved_hint, safely, when
from pages.shared.common import bank, lang, page_link, t
from pages.shared.plots import chart

RATING_COLORS = {"again": "#EF553B", "hard": "#FFA15A", "good": "#00CC96", "easy": "#636EFA"}


def _timezone():
    try:
        return ZoneInfo(st.context.timezone) if st.context.timezone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def render() -> None:
    st.header(f"📊 {t('progress.title')}", anchor=False)
    who = learner()
    if who is None:
        st.info(not_saved_hint("progress.needs_name"))
        return
    stats = safely(lambda s: s.stats(who, _timezone()))
    due_now = safely(lambda s: s.due(who)) or []
    schedule = safely(lambda s: s.schedule(who)) or []
    if stats is None:
        return
    m = st.columns(4)
    m[0].metric(t("progress.answers"), stats.answers)
    m[1].metric(t("progress.accuracy"), "—" if stats.accuracy is None else f"{stats.accuracy:.0%}")
    m[2].metric(t("progress.ratings"), stats.ratings)
    m[3].metric(t("progress.due_now"), len(due_now))
    if not stats.days:
        st.info(t("progress.empty"))
        return

    left, right = st.columns(2)
    days = [d["day"].isoformat() for d in stats.days]  # categories: one bar per day that has activity
    with left:
        if not stats.answers:
            st.caption(t("progress.no_answers"))
        fig = go.Figure()
        fig.add_bar(x=days, y=[d["correct"] for d in stats.days], name=t("progress.correct"), marker_color="#00CC96")
        fig.add_bar(x=days, y=[d["answers"] - d["correct"] for d in stats.days], name=t("progress.wrong"),
                    marker_color="#EF553B")  # fmt: skip
        fig.update_layout(barmode="stack", title=t("progress.answers_title"), height=340, xaxis_type="category",
                          legend=dict(orientation="h", y=1.12))  # fmt: skip
        chart(fig, width="stretch")
    with right:
        fig = go.Figure()
        for rating in RATINGS:
            fig.add_bar(x=days, y=[d[rating] for d in stats.days], name=t(f"practice.rating_{rating}"),
                        marker_color=RATING_COLORS[rating])  # fmt: skip
        fig.update_layout(barmode="stack", title=t("progress.ratings_title"), height=340, xaxis_type="category",
                          legend=dict(orientation="h", y=1.12))  # fmt: skip
        chart(fig, width="stretch")

    b = bank()  # once: each call re-reads the bank's file times
    by_tag = defaultdict(lambda: [0, 0])
    for q in stats.questions:
        question = b.get(q["question_id"], lang())
        for tag in question.tags if question else ("?",):
            by_tag[tag][0] += q["correct"]
            by_tag[tag][1] += q["answers"]
    tags = sorted((tag for tag, (_, n) in by_tag.items() if n), key=lambda tag: by_tag[tag][0] / by_tag[tag][1])
    if tags:
        # Every label outside its bar (a bar at 0% has one too), 36 px a bar, the axis to 100%.
        fig = go.Figure(go.Bar(
            y=tags, x=[by_tag[tag][0] / by_tag[tag][1] for tag in tags], orientation="h",
            text=[f"{by_tag[tag][0]}/{by_tag[tag][1]}" for tag in tags], textposition="outside", cliponaxis=False,
            marker_color="#636EFA",
        ))  # fmt: skip
        fig.update_layout(title=t("progress.by_tag_title"), height=140 + 36 * len(tags), bargap=0.25,
                          xaxis=dict(title=t("progress.by_tag_axis"), tickformat=".0%", range=[0, 1.12],
                                     tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1]),
                          yaxis=dict(automargin=True), margin=dict(r=20))  # fmt: skip
        chart(fig, width="stretch")

    st.markdown(f"#### {t('progress.next_title')}")
    for qid, due in schedule[:15]:
        question = b.get(qid, lang())
        if question is not None:
            # The short title: the full one can be wider than the column at 1280 px (cut mid-word).
            page_link(qid, f"{when(due)} · {question.short_title}", icon="🗓️", help=question.title)
    csv = safely(lambda s: s.export_csv(who))
    if csv is not None:
        st.download_button(t("progress.export"), csv.encode("utf-8-sig"), file_name="kdlab-progress.csv",
                           mime="text/csv", icon="⬇️")  # fmt: skip
        st.caption(t("progress.export_help"))
