"""One page per question, generated from the bank: question, your attempt, model answer, quiz."""

from __future__ import annotations

import streamlit as st

from kdlab.core.source import SourceError, find_source
from kdlab.practice.bank import Question
from kdlab.practice.progress import ANSWER_MAX, RATINGS
from pages.bank.home import DEMO_ICON, DIFFICULTY_ICON
from pages.demos.kit import demo_page
from pages.practice.store import learner, record_quiz, safely, when
from pages.shared.common import bank, lang, page_link, t


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

    _live(q)
    _attempt(q)
    if st.session_state.get(f"reveal_{qid}"):
        _model_answer(q)
    _quiz(q)
    _links(q)


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
    st.markdown(q.sections["answer"])
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
    _rate(q)


def _rate(q: Question) -> None:
    """Self-rating after the answer: schedules the next review (FSRS) for this learner."""
    st.markdown(f"#### 🗓️ {t('practice.rate_title')}")
    who = learner()
    if who is None:
        st.caption(t("practice.rate_needs_name"))
        return
    st.caption(t("practice.rate_help"))
    cols = st.columns(len(RATINGS))
    for col, rating in zip(cols, RATINGS, strict=True):
        if col.button(t(f"practice.rating_{rating}"), key=f"rate_{q.id}_{rating}", width="stretch"):
            _save_rating(q, who, rating)
    due = st.session_state.get(f"rated_{q.id}")
    if due is None:
        card = safely(lambda s: s.card(who, q.id))
        due = card.due if card is not None else None
    if due is not None:
        st.success(t("practice.next_review", when=when(due)), icon="🗓️")


def _quiz(q: Question) -> None:
    if not q.quiz:
        return
    st.subheader(f"🎯 {t('question.quiz')}", anchor=False)
    for i, item in enumerate(q.quiz):
        with st.container(border=True):
            # Options are indices so the choice survives a language switch.
            key = f"quiz_{q.id}_{i}"
            choice = st.radio(
                item.question,
                range(len(item.options)),
                index=None,
                format_func=lambda k, item=item: item.options[k],
                key=key,
                on_change=_answered,
                args=(q.id, i, key, item.answer),
            )
            if choice is not None:
                if choice == item.answer:
                    st.success(t("question.correct"))
                else:
                    st.error(t("question.wrong", answer=item.options[item.answer]))
                st.markdown(item.explanation)


def _save_rating(q: Question, who, rating: str) -> None:
    draft = st.session_state.get(f"draft_{q.id}") or None
    due = safely(lambda s: s.rate(who, q.id, rating, lang(), answer=draft))
    ticked = sum(st.session_state.get(f"kp_{q.id}_{i}", False) for i in range(len(q.key_points)))
    if ticked:  # the learner graded the open answer against the key points
        covered = 2 * ticked >= len(q.key_points)
        safely(lambda s: s.record_self_grade(who, q.id, covered, lang(), answer=draft))
    if due is not None:
        st.session_state[f"rated_{q.id}"] = due


def _answered(qid: str, item: int, key: str, answer: int) -> None:
    """Every choice is an attempt: graded at once, recorded for the learner if there is one."""
    choice = st.session_state.get(key)
    if choice is not None:
        record_quiz(qid, item, choice == answer)


def _links(q: Question) -> None:
    b = bank()
    related = [r for ref in q.related if (r := b.get(ref, lang()))]
    if related:
        st.markdown(f"#### {t('question.related')}")
        for r in related:
            page_link(r.id, f"{r.id.split('-')[0].upper()} · {r.title}")
