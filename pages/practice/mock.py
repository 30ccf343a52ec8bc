"""Mock interview: a few questions, one at a time, against the clock; rate each, review the weak ones."""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime

import streamlit as st
import streamlit.components.v1 as components

from kdlab.practice.bank import DIFFICULTIES, KINDS
from kdlab.practice.progress import ANSWER_MAX, RATINGS, new_mock_id
from pages.practice.store import learner, not_saved_hint, safely
from pages.shared.common import bank, lang, page_link, t

MAX_QUESTIONS = 10


def render() -> None:
    st.header(f"🎤 {t('mock.title')}", anchor=False)
    mock = st.session_state.get("mock")
    if mock is None:
        setup()
    elif mock["i"] >= len(mock["ids"]):
        summary(mock)
    else:
        ask(mock)


def setup() -> None:
    st.markdown(t("mock.intro"))
    b = bank()
    with st.form("mock_setup"):
        c1, c2 = st.columns(2)
        count = c1.slider(t("mock.count"), 1, MAX_QUESTIONS, 5)
        minutes = c2.slider(t("mock.minutes"), 1, 10, 3, help=t("mock.minutes_help"))
        kind_labels = {k: t(f"kind.{k}") for k in KINDS}
        level_labels = {d: t(f"difficulty.{d}") for d in DIFFICULTIES}
        kinds = c1.multiselect(
            t("home.kind_filter"), KINDS, format_func=kind_labels.get, placeholder=t("home.any")
        )
        levels = c2.multiselect(
            t("home.difficulty_filter"), DIFFICULTIES, format_func=level_labels.get, placeholder=t("home.any")
        )
        tags = st.multiselect(t("home.tag_filter"), b.tags(), placeholder=t("home.any"))
        start = st.form_submit_button(t("mock.start"), type="primary")
    if learner() is None:
        st.caption(not_saved_hint("mock.no_name"))
    if not start:
        return
    pool = [
        q.id
        for q in b.in_language(lang())
        if (not kinds or q.kind in kinds)
        and (not levels or q.difficulty in levels)
        and (not tags or set(tags) & set(q.tags))
    ]
    if not pool:
        st.warning(t("mock.empty"))
        return
    st.session_state.mock = {
        "id": new_mock_id(),
        "ids": random.sample(pool, min(count, len(pool))),  # a different interview each time
        "i": 0,
        "minutes": minutes,
        "started": time.time(),
        "answer_seconds": None,
        "results": [],
    }
    st.rerun()


def ask(mock: dict) -> None:
    qid = mock["ids"][mock["i"]]
    q = bank().get(qid, lang())
    n = len(mock["ids"])
    _unsaved_notice(mock)
    st.progress(mock["i"] / n, text=t("mock.progress", i=mock["i"] + 1, n=n))
    if mock["answer_seconds"] is None:
        _ticking_clock(mock)
    else:
        _clock(mock)
    st.subheader(q.title, anchor=False)
    if task := q.sections.get("task"):
        st.markdown(task)
    st.text_area(
        t("question.try_first"), key=f"mock_draft_{mock['id']}_{mock['i']}", height=150, max_chars=ANSWER_MAX
    )

    if mock["answer_seconds"] is None:
        c1, c2 = st.columns([1, 4])
        if c1.button(t("question.reveal"), type="primary"):
            mock["answer_seconds"] = time.time() - mock["started"]
            st.rerun()
        if c2.button(t("mock.stop")):
            mock["ids"] = mock["ids"][: mock["i"]]
            st.rerun()
        return

    with st.container(border=True):
        st.markdown(q.sections["answer"])
        if q.key_points:
            st.markdown(f"**{t('question.key_points')}**")
            st.markdown("\n".join(f"- {p}" for p in q.key_points))
    st.markdown(f"**{t('mock.rate')}**")
    cols = st.columns(len(RATINGS))
    for col, rating in zip(cols, RATINGS, strict=True):
        if col.button(t(f"practice.rating_{rating}"), key=f"mock_rate_{rating}", width="stretch"):
            _rated(mock, q.id, rating)
            st.rerun()


def _clock(mock: dict) -> None:
    seconds = mock["answer_seconds"] if mock["answer_seconds"] is not None else time.time() - mock["started"]
    over = seconds > mock["minutes"] * 60
    text = t("mock.clock", time=f"{int(seconds) // 60:02d}:{int(seconds) % 60:02d}", limit=mock["minutes"])
    (st.error if over else st.info)(text + (f" · {t('mock.over')}" if over else ""), icon="⏱️")


CLOCK_HTML = """<div id="clock" style="font: 1rem 'Source Sans Pro', sans-serif; padding: 0.75rem 1rem;
border-radius: 0.5rem;"></div>
<script>
const d = DATA, el = document.getElementById("clock"), start = Date.now() - d.elapsed * 1000;
function tick() {
  const s = Math.floor((Date.now() - start) / 1000), over = s > d.limit;
  const time = String(Math.floor(s / 60)).padStart(2, "0") + ":" + String(s % 60).padStart(2, "0");
  el.textContent = "⏱️ " + d.text.replace("{time}", time) + (over ? " · " + d.over : "");
  el.style.background = over ? "rgba(255, 43, 43, 0.09)" : "rgba(28, 131, 225, 0.1)";
  el.style.color = over ? "rgb(125, 53, 59)" : "rgb(0, 66, 128)";
}
tick(); setInterval(tick, 1000);
</script>"""


def _ticking_clock(mock: dict) -> None:
    """The clock ticks in the learner's browser: a server rerun every second cost 27% of a core
    per idle tab (issue 17). Only our own numbers and words go into it, as JSON, never as HTML."""
    data = {
        "elapsed": time.time() - mock["started"],
        "limit": mock["minutes"] * 60,
        "text": t("mock.clock", time="{time}", limit=mock["minutes"]),
        "over": t("mock.over"),
    }
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    components.html(CLOCK_HTML.replace("DATA", payload), height=52)


def _rated(mock: dict, qid: str, rating: str) -> None:
    draft = st.session_state.get(f"mock_draft_{mock['id']}_{mock['i']}") or None
    result = {"qid": qid, "rating": rating, "seconds": mock["answer_seconds"], "answer": draft,
              "lang": lang(), "at": datetime.now(UTC), "saved": False}  # fmt: skip
    mock["results"].append(result)
    _save(mock, [result])
    mock["i"] += 1
    mock["started"], mock["answer_seconds"] = time.time(), None


def _save(mock: dict, results: list[dict]) -> None:
    """Record ratings; one that fails stays in the interview, marked unsaved, for a retry. The
    message drawn by `safely` is lost to the st.rerun() that follows a rating, so the pages below
    say it again from these marks."""
    who = learner()
    if who is None:
        return
    for r in results:
        due = safely(lambda s, r=r: s.rate(who, r["qid"], r["rating"], r["lang"], mock=mock["id"],
                                           answer=r["answer"], seconds=r["seconds"], now=r["at"]))  # fmt: skip
        r["saved"] = due is not None


def _unsaved_notice(mock: dict) -> None:
    """While a learner is named, say how many ratings are not in the database, and offer a retry."""
    unsaved = [r for r in mock["results"] if not r["saved"]]
    if not unsaved or learner() is None:
        return
    st.warning(t("mock.unsaved", n=len(unsaved)), icon="💾")
    if st.button(t("mock.retry_save"), key=f"mock_retry_{mock['id']}_{len(mock['results'])}"):
        _save(mock, unsaved)
        st.rerun()


def summary(mock: dict) -> None:
    results = mock["results"]
    b = bank()  # once: each call re-reads the bank's file times
    st.subheader(t("mock.summary_title"), anchor=False)
    if not results:
        st.info(t("mock.nothing"))
    else:
        total = sum(r["seconds"] for r in results)
        c = st.columns(len(RATINGS) + 1)
        c[0].metric(t("mock.total_time"), f"{int(total) // 60}:{int(total) % 60:02d}")
        for col, rating in zip(c[1:], RATINGS, strict=True):
            col.metric(t(f"practice.rating_{rating}"), sum(r["rating"] == rating for r in results))
        st.table(
            {
                t("mock.col_question"): [b.get(r["qid"], lang()).title for r in results],
                t("mock.col_rating"): [t(f"practice.rating_{r['rating']}") for r in results],
                t("mock.col_time"): [
                    f"{int(r['seconds']) // 60}:{int(r['seconds']) % 60:02d}" for r in results
                ],
            }
        )
        weak = [
            r["qid"]
            for r in sorted(results, key=lambda r: RATINGS.index(r["rating"]))
            if r["rating"] in ("again", "hard")
        ]
        st.markdown(f"#### {t('mock.review_title')}")
        if weak:
            for qid in dict.fromkeys(weak):
                page_link(qid, b.get(qid, lang()).title, icon="🔁")
        else:
            st.success(t("mock.all_good"))
        if learner() is None:
            st.caption(not_saved_hint("mock.no_name"))
        elif all(r["saved"] for r in results):
            st.caption(t("mock.saved"))
        else:
            _unsaved_notice(mock)
    if st.button(t("mock.again"), type="primary"):
        del st.session_state["mock"]
        st.rerun()
