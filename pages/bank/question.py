"""One page per question, generated from the bank: question, your attempt, model answer, quiz, rating.

A visit (from opening the page until leaving it) has an id. In it, a quiz item's first answer is
recorded and later changes only show feedback; "Try again" starts a new attempt, recorded as such.
Options come in the learner's own order (kdlab.practice.progress.option_order), recorded as the
bank's index. The self-rating comes last; a second click in the same visit changes it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st

from kdlab.core.source import SourceError, find_source
from kdlab.practice.bank import Question
from kdlab.practice.progress import ANSWER_MAX, RATINGS, new_visit_id, option_order, review_reason
from pages.bank.exercise import exercise_section
from pages.bank.home import DEMO_ICON, DIFFICULTY_ICON
from pages.demos.kit import demo_page
from pages.practice.store import learner, not_saved_hint, safely, when
from pages.shared.common import bank, lang, page_link, t
from pages.shared.projector import long_text


def render(qid: str) -> None:
    q = bank().get(qid, lang())
    if q is None:
        st.error(t("question.not_found"))
        return
    if q.lang != lang():
        st.info(t("question.fallback_language"))
    st.caption(
        f"{qid.split('-')[0].upper()} · {t(f'kind.{q.kind}')} · "
        f"{DIFFICULTY_ICON[q.difficulty]} {t(f'difficulty.{q.difficulty}')} · {', '.join(q.tags)}"
    )
    st.header(q.title, anchor=False)
    if q.placeholder:
        st.warning(t("question.placeholder"), icon="🚧")
    if task := q.sections.get("task"):
        st.markdown(task)

    visit = _visit(qid)
    _live(q)
    _attempt(q)
    exercise_section(q, visit)  # the coding exercise, where the question has one
    if st.session_state.get(f"reveal_{qid}"):
        _model_answer(q)
    _quiz(q, visit)
    _rate(q, visit)
    _links(q)


def _visit(qid: str) -> dict:
    """This visit's state: id, attempt number, the items answered in this attempt, the rating.

    The draft box is on the page in every run of a visit; Streamlit drops its state when the
    learner leaves the page, so its absence marks the first run of a new visit."""
    key = f"_visit_{qid}"
    if f"draft_{qid}" not in st.session_state or key not in st.session_state:
        st.session_state[key] = {"id": new_visit_id(), "attempt": 1, "answered": {}, "rating": None}
        for k in [k for k in st.session_state if isinstance(k, str) and k.startswith((f"quiz_{qid}_", f"rate_{qid}"))]:
            del st.session_state[k]
    return st.session_state[key]


def _live(q: Question) -> None:
    """The question's experiment, running here at its defaults (cached after the first run), with
    the control that carries the question's point; the full lab is one click away."""
    if not q.demo:
        return
    with st.container(border=True):
        st.subheader(f"{DEMO_ICON[q.demo]} {t('question.live_title')}: {t(f'demo.{q.demo}')}", anchor=False)
        module = demo_page(q.demo)
        if module is not None:
            module.compact()
        page_link(f"demo-{q.demo}", t("question.live_open"), icon="🔬")


def _attempt(q: Question) -> None:
    st.subheader(f"✍️ {t('question.try_first')}", anchor=False)
    st.text_area(
        t("question.try_first"),
        key=f"draft_{q.id}",
        placeholder=t("question.draft_placeholder"),
        help=t("question.try_first_help"),
        label_visibility="collapsed",
        height=120,
        max_chars=ANSWER_MAX,
    )
    key = f"reveal_{q.id}"
    shown = st.session_state.get(key, False)
    if st.button(
        t("question.hide" if shown else "question.reveal"), type="secondary" if shown else "primary"
    ):
        st.session_state[key] = not shown
        st.rerun()


def _model_answer(q: Question) -> None:
    st.subheader(f"📖 {t('question.answer')}", anchor=False)
    long_text(q.sections["answer"])  # folded on a projector when long
    for key in ("approach", "complexity"):
        if text := q.sections.get(key):
            st.markdown(f"#### {t(f'question.{key}')}")
            st.markdown(text)
    if q.source:
        st.markdown(f"#### {t('question.source')}")
        for ref in q.source:
            try:
                st.code(find_source(ref), language="python")
                st.caption(ref)
            except SourceError as err:
                st.warning(t("question.source_missing", ref=ref, error=err))

    if q.key_points:
        st.markdown(f"#### ✅ {t('question.key_points')}")
        st.caption(t("question.key_points_help"))
        ticked = sum(st.checkbox(point, key=f"kp_{q.id}_{i}") for i, point in enumerate(q.key_points))
        if ticked:
            st.caption(t("question.covered", n=ticked, total=len(q.key_points)))
    if q.follow_ups:
        st.markdown(f"#### 💬 {t('question.follow_ups')}")
        for item in q.follow_ups:
            with st.expander(item.question):
                st.markdown(item.answer)
    if q.mistakes:
        st.markdown(f"#### ⚠️ {t('question.mistakes')}")
        st.markdown("\n".join(f"- {m}" for m in q.mistakes))
    if tests := q.sections.get("tests"):
        st.markdown(f"#### 🧪 {t('question.tests')}")
        st.markdown(tests)
    if errata := q.sections.get("seed_errata"):
        with st.container(border=True):
            st.markdown(f"#### 🔍 {t('question.seed_errata')}")
            st.markdown(errata)


def _span(d: timedelta) -> str:
    """A duration in words: 10 min, 5 h, 8 days."""
    seconds = d.total_seconds()
    if seconds < 3600:
        return t("practice.span_minutes", n=max(1, round(seconds / 60)))
    if seconds < 86400:
        return t("practice.span_hours", n=round(seconds / 3600))
    return t("practice.span_days", n=round(seconds / 86400))


def _rate(q: Question, visit: dict) -> None:
    """Self-rating after the quiz: schedules the next review (FSRS) for this learner. The rating
    shows as selected; another choice in this visit changes it (the same review)."""
    st.markdown(f"#### 🗓️ {t('practice.rate_title')}")
    who = learner()
    if who is None:
        st.caption(not_saved_hint("practice.rate_needs_name"))
        return
    st.caption(t("practice.rate_help"))
    key = f"rate_{q.id}"
    if visit["rating"] is not None and st.session_state.get(key) is None:
        st.session_state[key] = visit["rating"]  # a click on the selected rating keeps it
    labels = {r: t(f"practice.rating_{r}") for r in RATINGS}  # resolved now, in this run's language
    rating = st.segmented_control(
        t("practice.rate_title"),
        RATINGS,
        format_func=labels.__getitem__,
        key=key,
        on_change=_rated,
        args=(q, key, visit),
        label_visibility="collapsed",
        width="stretch",
    )
    if rating is None:
        now = datetime.now(UTC)
        preview = safely(lambda s: s.preview(who, q.id, visit=visit["id"], now=now))
        card = safely(lambda s: s.card(who, q.id))
        if card is not None:
            st.success(t("practice.next_review", when=when(card.due)), icon="🗓️")
        if preview:
            st.caption(
                t("practice.preview")
                + " · ".join(f"{labels[r]}: {_span(after.due - now)}" for r, after in preview.items())
            )
        return
    if visit.get("due") is None:
        return  # not saved (the page says why)
    scheduler = safely(lambda s: s.scheduler)
    card = safely(lambda s: s.card(who, q.id))
    if card is None or scheduler is None:
        return
    reason = review_reason(card)
    steps = scheduler.learning_steps if reason == "learning" else scheduler.relearning_steps
    st.success(
        t(
            f"practice.explain_{reason}",
            rating=t(f"practice.rating_{rating}"),
            when=_span(card.due - (card.last_review or card.due)),
            steps=", ".join(_span(step) for step in steps),
        ),
        icon="🗓️",
    )
    st.caption(t("practice.rate_changes"))


def _rated(q: Question, key: str, visit: dict) -> None:
    visit = st.session_state.get(f"_visit_{q.id}", visit)
    rating = st.session_state.get(key)
    if rating is None or rating == visit["rating"]:
        return  # the selected rating clicked again: it stays (restored in the run)
    who = learner()
    if who is None:
        return
    draft = st.session_state.get(f"draft_{q.id}") or None
    due = safely(lambda s: s.rate(who, q.id, rating, lang(), answer=draft, visit=visit["id"]))
    ticked = sum(st.session_state.get(f"kp_{q.id}_{i}", False) for i in range(len(q.key_points)))
    if ticked:  # the learner graded the open answer against the key points
        covered = 2 * ticked >= len(q.key_points)
        safely(lambda s: s.record_self_grade(who, q.id, covered, lang(), answer=draft, visit=visit["id"]))
    visit["rating"], visit["due"] = rating, due


def _quiz(q: Question, visit: dict) -> None:
    if not q.quiz:
        return
    st.subheader(f"🎯 {t('question.quiz')}", anchor=False)
    who = learner()
    if visit["attempt"] > 1:
        st.caption(t("practice.attempt", n=visit["attempt"]))
    for i, item in enumerate(q.quiz):
        with st.container(border=True):
            # Options are the bank's indices (a choice survives a language switch and is recorded
            # as such), in this learner's own order.
            key = f"quiz_{q.id}_{i}"
            choice = st.radio(
                item.question,
                option_order(who, q.id, i, len(item.options)),
                index=None,
                format_func=lambda k, item=item: item.options[k],
                key=key,
                on_change=_answered,
                args=(q.id, i, key, item.answer, visit),
            )
            if choice is not None:
                if choice == item.answer:
                    st.success(t("question.correct"))
                else:
                    st.error(t("question.wrong", answer=item.options[item.answer]))
                st.markdown(item.explanation)
                first = visit["answered"].get(i)
                if first is not None and first != choice:
                    st.caption(t("practice.first_answer_counts", answer=item.options[first]))
    if visit["answered"]:
        st.button(
            t("practice.try_again"),
            key=f"retry_{q.id}",
            icon="🔁",
            help=t("practice.try_again_help"),
            on_click=_try_again,
            args=(q, visit),
        )


def _answered(qid: str, item: int, key: str, answer: int, visit: dict) -> None:
    """The first choice in this attempt is the answer, recorded for the learner if there is one;
    a changed choice is graded on the page but not recorded."""
    visit = st.session_state.get(f"_visit_{qid}", visit)
    choice = st.session_state.get(key)
    if choice is None or item in visit["answered"]:
        return
    visit["answered"][item] = choice
    who = learner()
    if who is not None:
        safely(lambda s: s.record_quiz(
            who, qid, item, choice == answer, lang(), choice=choice, attempt=visit["attempt"], visit=visit["id"]
        ))  # fmt: skip


def _try_again(q: Question, visit: dict) -> None:
    """A new attempt: the options cleared, the next first answers recorded with the next number."""
    visit = st.session_state.get(f"_visit_{q.id}", visit)
    visit["attempt"] += 1
    visit["answered"] = {}
    for i in range(len(q.quiz)):
        st.session_state[f"quiz_{q.id}_{i}"] = None


def _links(q: Question) -> None:
    b = bank()
    related = [r for ref in q.related if (r := b.get(ref, lang()))]
    if related:
        st.markdown(f"#### {t('question.related')}")
        for r in related:
            page_link(r.id, f"{r.id.split('-')[0].upper()} · {r.title}")
