"""A question's "Write it yourself" section: the exercise's statement, a code editor, Run (the
examples) and Submit (every test), and the results per test.

The code runs through the server's exercise queue (kdlab.practice.sandbox.exercise_jobs) in the
sandbox, never in this process; the comparison with the expected values happens here, in
kdlab.practice.exercises. The draft lives in the session (`exercise_code_<id>`), so it survives
reruns and a walk to another page and back. A submission that passes every test is recorded and
counts as a review rated Good (the same visit's self-rating can still change it); a failed one
is recorded and leaves the schedule alone.
"""

from __future__ import annotations

import uuid
from concurrent.futures import TimeoutError as FutureTimeout

import streamlit as st

from kdlab.core.jobs import TooManyJobs
from kdlab.practice.bank import Question
from kdlab.practice.exercises import (
    CODE_MAX,
    CaseResult,
    Exercise,
    Report,
    describe,
    exercise_for,
    grade,
    localized,
)
from kdlab.practice.sandbox import allowed, exercise_jobs
from pages.practice.store import learner, safely, when
from pages.shared.common import lang, plain, t

POLL_SECONDS = 0.25


def address() -> str | None:
    """The address this server listens on (None or "": every interface). Tests replace it."""
    return st.get_option("server.address")


def exercise_section(q: Question, visit: dict) -> None:
    ex = exercise_for(q.id)
    if ex is None:
        return
    with st.container(border=True, key=f"exercise_{ex.id}"):
        st.subheader(f"⌨️ {t('exercise.title')}", anchor=False)
        st.caption(t("exercise.intro"))
        st.markdown(f"##### {t('exercise.statement')}")
        st.markdown(ex.statement(lang()))
        code = _editor(ex)
        state = allowed(address())
        if not state.on:
            st.warning(f"**{t('exercise.disabled.title')}**  \n{t(f'exercise.disabled.{state.reason}')}", icon="🔒")
            return
        c1, c2, c3 = st.columns([1, 1, 1.4])
        run = c1.button(t("exercise.run"), key=f"exercise_run_{ex.id}", icon="▶️", width="stretch")
        submit = c2.button(t("exercise.submit"), key=f"exercise_submit_{ex.id}", icon="📨", type="primary",
                           width="stretch")  # fmt: skip
        c3.button(t("exercise.reset"), key=f"exercise_reset_{ex.id}", icon="↩️", on_click=_reset, args=(ex,))
        st.caption(t(f"exercise.sandbox.{state.sandbox}"))
        if run or submit:
            _run(q, ex, code, everything=submit, visit=visit)
        report = st.session_state.get(f"exercise_report_{ex.id}")
        if report is not None:
            _show(report)
        st.caption(t("exercise.review_rule"))


# ---------------------------------------------------------------- the editor


def _editor(ex: Exercise) -> str:
    """The code editor (streamlit-code-editor: Ace with Python highlighting, bundled, no network);
    returns the draft, which the editor hands back when it loses focus (a click on Run)."""
    from code_editor import code_editor

    key = f"exercise_code_{ex.id}"
    if key not in st.session_state:
        st.session_state[key] = ex.starter
    st.markdown(f"##### {t('exercise.editor')}")
    generation = st.session_state.get(f"exercise_gen_{ex.id}", 0)  # a new editor after Reset
    value = code_editor(
        st.session_state[key],
        lang="python",
        height=[12, 30],
        response_mode=["blur"],
        key=f"exercise_editor_{ex.id}_{generation}",
        options={"showLineNumbers": True, "tabSize": 4, "useSoftTabs": True, "wrap": False},
        # scrollMargin: the default margin drew line numbers a row off. theme: the component's own
        # themes (streamlit_light/dark) fetch a font from fonts.googleapis.com; KD Lab runs offline.
        props={"scrollMargin": [0, 0, 0, 0], "theme": "chrome"},
    )
    seen = f"exercise_seen_{ex.id}"
    if value and value.get("id") and value.get("id") != st.session_state.get(seen):
        st.session_state[seen] = value["id"]
        st.session_state[key] = str(value.get("text", ""))[: CODE_MAX * 2]
    st.caption(t("exercise.editor_help"))
    return st.session_state[key]


def _reset(ex: Exercise) -> None:
    st.session_state[f"exercise_code_{ex.id}"] = ex.starter
    st.session_state[f"exercise_gen_{ex.id}"] = st.session_state.get(f"exercise_gen_{ex.id}", 0) + 1
    st.session_state.pop(f"exercise_report_{ex.id}", None)
    st.toast(t("exercise.reset_done"))


# ---------------------------------------------------------------- running


def _run(q: Question, ex: Exercise, code: str, *, everything: bool, visit: dict) -> None:
    if not code.strip():
        st.warning(t("exercise.empty"))
        return
    if len(code) > CODE_MAX:
        st.warning(t("exercise.too_long", n=len(code), max=CODE_MAX))
        return
    from pages.demos.kit import client

    try:
        job = exercise_jobs().submit(
            ("exercise", ex.id, uuid.uuid4().hex), lambda _report: grade(ex, code, everything=everything),
            owner=client(),
        )  # fmt: skip
    except TooManyJobs:
        st.warning(t("exercise.busy"), icon="⏳")
        return
    notice = st.empty()
    shown = None
    while True:
        try:
            report: Report = job.future.result(timeout=POLL_SECONDS)
            break
        except FutureTimeout:
            pass
        state = "queued" if job.queued else "running"
        if state != shown:
            shown = state
            notice.info(t(f"exercise.{state}"), icon="⏳")
    notice.empty()
    st.session_state[f"exercise_report_{ex.id}"] = report
    if everything:
        _record(q, code, report, visit)


def _record(q: Question, code: str, report: Report, visit: dict) -> None:
    """A submission goes into the learner's history; a pass also counts as a review rated Good."""
    key = f"exercise_recorded_{report.exercise}"
    who = learner()
    if who is None:
        st.session_state[key] = "sign_in"
        return
    saved = safely(lambda s: s.record_exercise(who, q.id, report.passed, lang(), code=code,
                                               seconds=report.seconds, visit=visit["id"]) or True)  # fmt: skip
    if not saved:
        st.session_state.pop(key, None)
        return
    if not report.passed:
        st.session_state[key] = "fail"
        return
    due = safely(lambda s: s.rate(who, q.id, "good", lang(), visit=visit["id"]))
    if due is not None:
        visit["rating"], visit["due"] = "good", due  # the self-rating below shows it, and may change it
        st.session_state[f"rate_{q.id}"] = "good"
        st.session_state[key] = ("pass", due)


# ---------------------------------------------------------------- results


def _note(note: tuple[str, dict]) -> str:
    """A verdict as Markdown shows it as written: "[0]: wrong value" was a link definition (shown
    as nothing), and an error's message is the learner's own text."""
    return plain(describe(note, lang()))


def _show(report: Report) -> None:
    if report.load is not None:
        st.error(_note(report.load), icon="🐞")
        if report.load_traceback:
            st.code(report.load_traceback, language="text")
        if report.load_stdout:
            st.caption(t("exercise.stdout"))
            st.code(report.load_stdout, language="text")
        return
    if report.passed:
        st.success(t("exercise.passed_all" if report.everything else "exercise.passed_examples", total=report.total),
                   icon="✅")  # fmt: skip
    else:
        st.error(t("exercise.failed", passed=report.n_passed, total=report.total), icon="❌")
    recorded = st.session_state.get(f"exercise_recorded_{report.exercise}") if report.everything else None
    if recorded == "sign_in":
        st.caption(t("exercise.sign_in"))
    elif recorded == "fail":
        st.caption(t("exercise.recorded_fail"))
    elif isinstance(recorded, tuple):
        st.caption(t("exercise.recorded_pass", when=when(recorded[1])))
    for result in report.results:
        _case(result)
    if any(r.hidden for r in report.results):
        st.caption(t("exercise.hidden_note"))
    st.caption(t("exercise.total_time", seconds=f"{report.seconds:.1f}"))


def _case(r: CaseResult) -> None:
    badge = t("exercise.hidden") if r.hidden else t("exercise.example")
    ms = "" if r.seconds is None else " · " + t("exercise.time", ms=f"{r.seconds * 1000:.1f}")
    title = f"{'✅' if r.passed else '❌'} {localized(r.name, lang())} · {badge}{ms}"
    with st.expander(title, expanded=not r.passed):
        st.markdown(_note(r.note) if not r.passed else t("exercise.note.passed"))
        if r.hidden:
            return
        if r.expected or r.got:  # one above the other: side by side, arrays were cut at 1280 px
            st.caption(t("exercise.expected"))
            st.code(r.expected or "—", language="text")
            st.caption(t("exercise.got"))
            st.code(r.got or "—", language="text")
        if r.traceback:
            st.caption(t("exercise.traceback"))
            st.code(r.traceback, language="text")
        if r.stdout:
            st.caption(t("exercise.stdout"))
            st.code(r.stdout, language="text")
