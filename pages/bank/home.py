"""Home: what KD Lab is, how to use it, and the searchable, filterable question list."""

from __future__ import annotations

import streamlit as st

from kdlab.demos import DEMOS
from kdlab.practice.bank import DIFFICULTIES, KINDS
from pages.practice.store import learner, safely, when
from pages.shared.common import SEARCH_MAX, bank, lang, page_link, plain, t

DIFFICULTY_ICON = {"easy": "🟢", "medium": "🟡", "hard": "🔴"}
DEMO_ICON = {"regression": "📈", "cnn": "🖼️", "distill": "⚗️", "qlearning": "🧭", "ecommerce": "🛒", "logistic": "🔀", "tree": "🌳", "ensemble": "🌲", "metrics": "🎯", "svm": "➗", "pca": "🔭", "capacity": "🎚️", "losses": "📉", "rnn": "💬", "detect": "🔲", "segment": "🧩", "attention": "🔦", "forecast": "📅", "gan": "🎭", "gan_digits": "✍️", "playground": "🧠", "optimizers": "⛰️", "adversarial": "🎭", "augment": "🔄", "transfer": "🚚"}


def render() -> None:
    b = bank()
    st.title(f"🧪 {t('app.name')}")
    st.caption(t("app.tagline"))
    st.markdown(t("home.intro"))
    with st.expander(t("home.how_title"), expanded=False):
        st.markdown(t("home.how"))
        st.caption(t("home.teachers"))
    with st.expander(t("home.article_title"), expanded=False):
        st.markdown(t("home.article"))

    _due_today()
    if b.problems:
        with st.expander(t("home.problems_title", n=len(b.problems)), icon="⚠️"):
            st.code("\n".join(str(p) for p in b.problems), language=None)

    st.subheader(t("home.demos_title"))
    cols = st.columns(3)  # wide enough for the titles; the links wrap onto a second row
    for i, demo in enumerate(DEMOS):
        with cols[i % 3]:
            page_link(f"demo-{demo}", t(f"demo.{demo}"), icon=DEMO_ICON.get(demo))

    st.subheader(t("home.questions_title"))
    # max_chars is enforced by the server too (Streamlit cuts a longer value when it arrives).
    query = st.text_input(
        t("home.search"), placeholder=t("home.search_placeholder"), key="home_query", max_chars=SEARCH_MAX
    )
    c1, c2, c3 = st.columns([1, 1, 2])
    kind_labels = {k: t(f"kind.{k}") for k in KINDS}  # looked up now: format_func may run outside a run
    level_labels = {d: t(f"difficulty.{d}") for d in DIFFICULTIES}
    any_ = t("home.any")
    kinds = c1.multiselect(t("home.kind_filter"), KINDS, format_func=kind_labels.get, key="home_kinds", placeholder=any_)
    levels = c2.multiselect(
        t("home.difficulty_filter"), DIFFICULTIES, format_func=level_labels.get, key="home_levels", placeholder=any_
    )
    tags = c3.multiselect(t("home.tag_filter"), b.tags(), key="home_tags", placeholder=any_)

    questions = b.search(query, lang()) if query.strip() else b.in_language(lang())
    shown = [
        q
        for q in questions
        if (not kinds or q.kind in kinds)
        and (not levels or q.difficulty in levels)
        and (not tags or set(tags) & set(q.tags))
    ]
    st.caption(t("home.count", shown=len(shown), total=len(b.ids())))
    if not shown:
        st.info(t("home.none"))
    for q in shown:
        left, right = st.columns([3, 2], vertical_alignment="center")
        with left:
            # The short title fits one line; the whole question is in the tooltip and on its page.
            page_link(q.id, f"**{q.id.split('-')[0].upper()}** · {q.short_title}", help=q.title)
        right.caption(
            f"{DIFFICULTY_ICON[q.difficulty]} {t(f'difficulty.{q.difficulty}')} · {t(f'kind.{q.kind}')}"
            + (f" · {DEMO_ICON[q.demo]} {t(f'demo.{q.demo}')}" if q.demo else "")
            + f" · {', '.join(q.tags)}"
        )


def _due_today() -> None:
    """What spaced repetition says this learner should review now."""
    who = learner()
    if who is None:
        return
    due = safely(lambda s: s.due(who))
    if due is None:
        return
    with st.container(border=True):
        if not due:
            st.markdown(t("practice.nothing_due", name=plain(who.name)))
            return
        st.markdown(t("practice.due_title", name=plain(who.name), n=len(due)))
        b = bank()  # once: each call re-reads the bank's file times
        for qid, when_due in due[:10]:
            q = b.get(qid, lang())
            if q is not None:
                page_link(qid, f"{when(when_due)} · {q.title}", icon="🔁")
