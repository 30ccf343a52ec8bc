"""One page per question, generated from the bank: question, your attempt, model answer, quiz."""

from __future__ import annotations

import streamlit as st

from kdlab.bank import Question
from kdlab.source import SourceError, find_source
from views.common import bank, lang, page_link, t
from views.home import DEMO_ICON, DIFFICULTY_ICON


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

    _attempt(q)
    if st.session_state.get(f"reveal_{qid}"):
        _model_answer(q)
    _quiz(q)
    _links(q)


def _attempt(q: Question) -> None:
    st.subheader(f"✍️ {t('question.try_first')}", anchor=False)
    st.text_area(
        t("question.try_first"),
        key=f"draft_{q.id}",
        placeholder=t("question.draft_placeholder"),
        help=t("question.try_first_help"),
        label_visibility="collapsed",
        height=120,
        max_chars=5000,
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


def _quiz(q: Question) -> None:
    if not q.quiz:
        return
    st.subheader(f"🎯 {t('question.quiz')}", anchor=False)
    for i, item in enumerate(q.quiz):
        with st.container(border=True):
            # Options are indices so the choice survives a language switch.
            choice = st.radio(
                item.question,
                range(len(item.options)),
                index=None,
                format_func=lambda k, item=item: item.options[k],
                key=f"quiz_{q.id}_{i}",
            )
            if choice is not None:
                if choice == item.answer:
                    st.success(t("question.correct"))
                else:
                    st.error(t("question.wrong", answer=item.options[item.answer]))
                st.markdown(item.explanation)


def _links(q: Question) -> None:
    if q.demo:
        st.divider()
        page_link(f"demo-{q.demo}", f"{t('question.demo')}: {t(f'demo.{q.demo}')}", icon=DEMO_ICON[q.demo])
    related = [r for ref in q.related if (r := bank().get(ref, lang()))]
    if related:
        st.markdown(f"#### {t('question.related')}")
        for r in related:
            page_link(r.id, f"{r.id.split('-')[0].upper()} · {r.title}")
