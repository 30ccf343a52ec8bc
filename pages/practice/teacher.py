"""The teacher's view of the class: per question and quiz item, how many answered and how many were
right at their first attempt; the hardest items; ratings over time; who is due; a CSV of the class.

Only a signed-in teacher (KDLAB_AUTH=accounts or oidc, the role checked again in the database on
every run) sees it in the menu or gets anything from it: everyone else who opens /teacher is told
it is for teachers, and is shown no name and no number. The numbers come from
kdlab.practice.classroom.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from kdlab.practice.accounts import Accounts
from kdlab.practice.classroom import class_csv, class_report
from kdlab.practice.progress import RATINGS
from pages.practice import signin
from pages.practice.progress import RATING_COLORS, _timezone
from pages.practice.store import safely, when
from pages.shared.common import bank, lang, t
from pages.shared.plots import chart, math_text

URL = "teacher"
HARDEST = 8  # items in the hardest-items chart
NUMBERS = ("teacher.col_answered", "teacher.col_answers", "teacher.col_right")


def is_teacher(check_database: bool = True) -> bool:
    """A teacher is signed in (the role re-read from the database unless told not to)."""
    if signin.mode() not in ("accounts", "oidc"):
        return False
    who = signin.current()
    if who is None or not who.teacher:
        return False
    if not check_database:
        return True
    account = safely(lambda s: Accounts(s).get(who.id))
    return account is not None and account.teacher


def page() -> st.Page:
    """The page for st.navigation: listed for teachers, hidden (but answering) for everyone else."""
    visible = is_teacher(check_database=False)
    return st.Page(render, title=t("nav.teacher"), icon="🧑‍🏫", url_path=URL,
                   visibility="visible" if visible else "hidden")  # fmt: skip


def _item_label(qid: str, item: int, width: int = 48) -> str:
    q = bank().get(qid, lang())
    text = math_text(q.quiz[item].question) if q is not None and item < len(q.quiz) else ""  # no LaTeX here
    text = text if len(text) <= width else text[: width - 1] + "…"
    return f"{qid.split('-')[0].upper()} · {t('teacher.item_n', n=item + 1)}" + (f": {text}" if text else "")


def _columns(title: str | None = None, numbers: tuple[str, ...] = (), percent: str | None = None) -> dict:
    """Column widths that fit 1280 px, with the sidebar open or on a projector, without sideways
    scrolling: a number column is narrow under a short header (its full header in the tooltip).
    Widths in pixels, for the 800 px the table has beside an open sidebar; wider, each grows alike."""
    config = {"id": st.column_config.TextColumn("id", width=170)}
    if title:
        config[t(title)] = st.column_config.TextColumn(t(title), width=270)
    for key in numbers:
        config[t(key)] = st.column_config.NumberColumn(t(f"{key}_short"), help=t(key), width=72)
    if percent:
        config[t(percent)] = st.column_config.NumberColumn(t(f"{percent}_short"), help=t(percent), width=72,
                                                           format="%d%%")  # fmt: skip
    return config


def _title(qid: str) -> str:
    q = bank().get(qid, lang())
    return q.short_title if q is not None else qid  # "What is overfitting?": fits its column


def render() -> None:
    st.header(f"🧑‍🏫 {t('teacher.title')}", anchor=False)
    if not is_teacher():
        st.warning(t("teacher.only"), icon="🔒")
        return
    report = safely(lambda s: class_report(s, tz=_timezone()))
    if report is None:
        return
    n = len(report.learners)
    m = st.columns(4)
    m[0].metric(t("teacher.learners"), n)
    m[1].metric(t("teacher.items_answered"), sum(i["answered"] for i in report.items))
    m[2].metric(t("teacher.ratings"), sum(q["ratings"] for q in report.questions))
    m[3].metric(t("teacher.due_now"), sum(d["due_now"] for d in report.due))
    st.caption(t("teacher.intro"))
    if not report.questions:
        st.info(t("teacher.empty"))

    if report.questions:
        st.subheader(t("teacher.questions_title"), anchor=False)
        st.dataframe(
            [
                {
                    "id": q["question_id"],
                    t("teacher.col_title"): _title(q["question_id"]),
                    t("teacher.col_answered"): q["answered"],
                    t("teacher.col_answers"): q["answers"],
                    t("teacher.col_right"): q["right"],
                    t("teacher.col_accuracy"): None if q["accuracy"] is None else round(100 * q["accuracy"]),
                    t("teacher.col_ratings"): q["ratings"],
                }
                for q in report.questions
            ],
            hide_index=True,
            width="stretch",
            key="teacher_questions",
            column_config=_columns(
                "teacher.col_title", (*NUMBERS, "teacher.col_ratings"), "teacher.col_accuracy"
            ),
        )
        st.caption(t("teacher.questions_help", n=n))

    hardest = report.hardest(HARDEST)
    if hardest:
        st.subheader(t("teacher.hardest_title"), anchor=False)
        labels = [_item_label(i["question_id"], i["item"]) for i in hardest]
        fig = go.Figure(go.Bar(
            y=labels, x=[i["accuracy"] for i in hardest], orientation="h", marker_color="#EF553B",
            text=[f"{i['right']}/{i['answered']}" for i in hardest], textposition="outside", cliponaxis=False,
            hovertemplate="%{y}<br>%{x:.0%} (%{text})<extra></extra>",
        ))  # fmt: skip
        fig.update_layout(
            height=140 + 40 * len(hardest), showlegend=False, margin=dict(l=10, r=10, t=30, b=50),
            xaxis=dict(title=t("teacher.axis_first_right"), tickformat=".0%", range=[0, 1.08],
                       tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1]),  # to 100%, room for the counts
            yaxis=dict(title=t("teacher.axis_item"), autorange="reversed", automargin=True),
            font=dict(size=14),
        )  # fmt: skip
        chart(fig, width="stretch", key="teacher_hardest")

        st.markdown(f"#### {t('teacher.items_title')}")
        st.dataframe(
            [
                {
                    "id": i["question_id"],
                    t("teacher.col_item"): i["item"] + 1,
                    t("teacher.col_text"): _item_label(i["question_id"], i["item"], 80),
                    t("teacher.col_answered"): i["answered"],
                    t("teacher.col_right"): i["right"],
                    t("teacher.col_accuracy"): round(100 * i["accuracy"]),
                }
                for i in report.items
            ],
            hide_index=True,
            width="stretch",
            key="teacher_items",
            column_config=_columns(
                "teacher.col_text", ("teacher.col_item", NUMBERS[0], NUMBERS[2]), "teacher.col_accuracy"
            ),
        )

    if report.days:
        st.subheader(t("teacher.ratings_title"), anchor=False)
        days = [d["day"].isoformat() for d in report.days]
        fig = go.Figure()
        for rating in RATINGS:
            fig.add_bar(x=days, y=[d[rating] for d in report.days], name=t(f"practice.rating_{rating}"),
                        marker_color=RATING_COLORS[rating], customdata=[d[rating] for d in report.days],
                        hovertemplate="%{x}: %{y:.0f}% (%{customdata})<extra></extra>")  # fmt: skip
        fig.update_layout(
            barmode="stack", barnorm="percent", height=400, font=dict(size=14),
            xaxis=dict(title=t("teacher.axis_day"), type="category"),
            yaxis=dict(title=t("teacher.axis_share"), range=[0, 100], ticksuffix="%"),
            legend=dict(orientation="h", x=0, y=-0.25, yanchor="top", traceorder="normal"), margin=dict(t=30, b=110),
        )  # fmt: skip
        chart(fig, width="stretch", key="teacher_ratings")

    if report.due:
        st.subheader(t("teacher.due_title"), anchor=False)
        st.dataframe(
            [
                {
                    t("teacher.col_learner"): d["learner"],
                    t("teacher.col_due_now"): d["due_now"],
                    t("teacher.col_scheduled"): d["scheduled"],
                    t("teacher.col_next"): "—" if d["next_due"] is None else when(d["next_due"]),
                }
                for d in report.due
            ],
            hide_index=True,
            width="stretch",
            key="teacher_due",
        )

    csv = safely(class_csv)
    if csv is not None:
        st.download_button(t("teacher.export"), csv.encode("utf-8-sig"), file_name="kdlab-class.csv",
                           mime="text/csv", icon="⬇️", key="teacher_export")  # fmt: skip
        st.caption(t("teacher.export_help"))
