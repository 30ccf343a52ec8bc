"""Progress tracking for pages: the learner's profile, the shared store, and failing softly.

Every call into the store goes through `safely`: if the database cannot be opened or
written, the page says so once and carries on; questions and demos never depend on it.

Who the learner is comes from `learner()` and nowhere else. With KDLAB_AUTH=none (the default,
one's own laptop) it is the name typed in the sidebar and kept in the URL; with KDLAB_AUTH=accounts
or oidc it is whoever signed in in this session (pages/practice/signin.py), and the URL has no say.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from kdlab.practice.progress import NAME_MAX, Learner, Store, StoreUnavailable, clean_name, open_store
from pages.shared.common import lang, t

_LOG = logging.getLogger("kdlab")


@st.cache_resource(ttl=10, show_spinner=False)
def _open() -> Store | StoreUnavailable:
    # A failure is cached too (10 s): a down server must not cost every rerun a timeout, and a
    # database that is back is used again within seconds.
    try:
        return open_store()
    except StoreUnavailable as err:
        return err


def profile_picker() -> None:
    """The learner in the sidebar: a typed name, or the sign-in box when KDLAB_AUTH asks for one."""
    from pages.practice import signin  # it imports this module

    mode = signin.mode()
    if mode != "none":
        signin.sidebar(mode)
        opened = _open()
        if mode != "invalid" and isinstance(opened, StoreUnavailable):
            _unavailable(opened, st.sidebar)
        return
    _name_box()


def _name_box() -> None:
    """The learner's name in the sidebar, kept in the URL so it survives a reload (KDLAB_AUTH=none)."""
    if "learner_name" not in st.session_state:
        st.session_state.learner_name = st.query_params.get("learner", "")
    st.sidebar.text_input(
        t("practice.name_label"),
        key="learner_name",
        max_chars=NAME_MAX,
        placeholder=t("practice.name_placeholder"),
        help=t("practice.name_help"),
    )
    name = st.session_state.learner_name.strip()
    if name:
        st.query_params["learner"] = name
        opened = _open()
        if isinstance(opened, StoreUnavailable):  # said on every page, under the name it concerns
            _unavailable(opened, st.sidebar)
    elif "learner" in st.query_params:
        del st.query_params["learner"]


def _unavailable(err: StoreUnavailable, where=st) -> None:
    """Say why in the learner's words; the database's path or host goes to the server's log only."""
    _LOG.warning("progress store unavailable: %s", err)
    where.warning(t("practice.unavailable", reason=t(f"practice.reason_{err.reason}")), icon="💾")


def store() -> Store | None:
    """The shared store, or None when it cannot be opened (the sidebar says why)."""
    opened = _open()
    return None if isinstance(opened, StoreUnavailable) else opened


def reset() -> None:
    """Reopen the store on the next call (after it failed)."""
    _open.clear()


def learner() -> Learner | None:
    """The current learner, or None (nobody signed in or no name given, or no database)."""
    from pages.practice import signin  # it imports this module

    if signin.mode() != "none":
        who = signin.current()
        return None if who is None else Learner(who.id, who.name)
    name = st.session_state.get("learner_name", "").strip()
    if not name:
        return None
    try:
        clean_name(name)
    except ValueError as err:
        st.sidebar.error(str(err))
        return None
    return safely(lambda s: s.learner(name, create=False))  # the row comes with the first record


def safely(call: Callable[[Store], Any]) -> Any | None:
    """call(store), or None with a message if progress tracking is unavailable."""
    s = store()
    if s is None:
        return None
    try:
        return call(s)
    except StoreUnavailable as err:
        if err.reason != "busy":  # another writer's lock passes; the store itself is fine
            s.close()  # its pooled connections are no use now
            reset()  # reconnect on a later run
        _unavailable(err)
        return None


def named() -> bool:
    """Whether the learner said who they are (a typed name, or signed in), saved or not."""
    from pages.practice import signin  # it imports this module

    if signin.mode() != "none":
        return signin.current() is not None
    return bool(st.session_state.get("learner_name", "").strip())


def not_saved_hint(no_name_key: str) -> str:
    """Why nothing is saved: no name yet (the page's own words), or the database is unavailable."""
    return t("practice.not_saved_now") if named() else t(no_name_key)


def record_quiz(qid: str, item: int, correct: bool) -> None:
    who = learner()
    if who is not None:
        safely(lambda s: s.record_quiz(who, qid, item, correct, lang()))


def when(due) -> str:
    """A due time as a learner reads it: now, in 10 min, in 5 h, in 3 days (date)."""
    seconds = (due - datetime.now(UTC)).total_seconds()
    if seconds <= 60:
        return t("practice.due_now")
    if seconds < 3600:
        return t("practice.due_minutes", n=round(seconds / 60))
    if seconds < 86400:
        return t("practice.due_hours", n=round(seconds / 3600))
    return t("practice.due_in", days=round(seconds / 86400), date=due.date().isoformat())
