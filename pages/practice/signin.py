"""Sign-in in the sidebar for a shared server: KDLAB_AUTH=accounts (name and password, join codes)
or KDLAB_AUTH=oidc (st.login with the provider in .streamlit/secrets.toml).

With sign-in on, who the learner is lives only in this session, set here and nowhere else: after
a right password, a join code, or the OIDC provider's word. `?learner=` in the URL is dropped
unread, and signing out forgets everything the session held (drafts, a mock interview, the
rating just given), so the next person at the keyboard starts clean. pages/practice/store.py's
learner() reads the identity; every page reaches records through it.

KDLAB_AUTH=none, the default, keeps store.py's typed name and never comes here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from kdlab.practice.accounts import (
    CODE_DAYS_MAX,
    ENV_AUTH,
    ENV_TEACHERS,
    PASSWORD_MAX,
    PASSWORD_MIN,
    Accounts,
    OidcIdentity,
    SignInError,
    auth_mode,
    oidc_problems,
    oidc_providers,
    teacher_emails,
)
from kdlab.practice.progress import NAME_MAX, Learner, StoreUnavailable
from pages.practice import store as progress_store
from pages.shared.common import plain, t

SESSION_KEY = "_kdlab_signed_in"
MESSAGE_KEY = "_kdlab_signin_message"
TEACHER_KEY = "_kdlab_teacher_result"
KEEP_ON_SIGN_OUT = ("lang", "projector", "_pages")  # the room's settings and the page registry; the rest goes
CODE_USES_MAX = 1000


@dataclass(frozen=True)
class SignedIn:
    """Who this session signed in as. Only this module creates one; a value of any other type under
    SESSION_KEY (a browser cannot send Python objects) is ignored."""

    id: int
    name: str
    teacher: bool
    mode: str
    key: str = ""  # OIDC: the identity's key, checked against st.user on every run


class _Unavailable(Exception):
    """The progress database cannot be used, so nobody can sign in right now."""


def mode() -> str:
    """KDLAB_AUTH, read on every run; "invalid" for a value that is none of the modes."""
    try:
        return auth_mode()
    except ValueError:
        return "invalid"


def current() -> SignedIn | None:
    who = st.session_state.get(SESSION_KEY)
    return who if isinstance(who, SignedIn) and who.mode == mode() else None


def sidebar(mode: str) -> None:
    """The sign-in box (or who is signed in, and the way out) where the name box is without sign-in."""
    if "learner" in st.query_params:
        del st.query_params["learner"]  # never an identity with sign-in on; not kept in links either
    if mode == "invalid":
        _forget()
        st.sidebar.error(t("signin.bad_mode", value=os.environ.get(ENV_AUTH, "")), icon="🔒")
    elif mode == "oidc":
        _oidc()
    else:
        _accounts()


# Helpers


def _with_accounts(call: Callable[[Accounts], Any]) -> Any:
    s = progress_store.store()
    if s is None:
        raise _Unavailable
    try:
        return call(Accounts(s))
    except StoreUnavailable as err:
        s.close()
        progress_store.reset()
        raise _Unavailable from err


def _say(kind: str, key: str, **values: Any) -> None:
    """A message for the next run to show (callbacks run before the sidebar is drawn)."""
    st.session_state[MESSAGE_KEY] = (kind, key, values)


def _say_refusal(err: SignInError) -> None:
    minutes = max(1, -(-err.wait // 60))
    if err.reason == "wrong" and err.wait:
        _say("error", "signin.wrong_now_locked", minutes=minutes)
    else:
        _say(
            "error",
            f"signin.{err.reason}",
            minutes=minutes,
            max=NAME_MAX,
            min=PASSWORD_MIN,
            most=PASSWORD_MAX,
        )


def _show_message(where) -> None:
    message = st.session_state.pop(MESSAGE_KEY, None)
    if message:
        kind, key, values = message
        getattr(where, kind)(t(key, **values))


def _sign_in_as(who: SignedIn) -> None:
    _clear_session()
    st.session_state[SESSION_KEY] = who


def _forget() -> None:
    if st.session_state.get(SESSION_KEY) is not None:
        _clear_session()


def _clear_session() -> None:
    """Forget everything this session held but its language: the next learner starts clean."""
    for key in list(st.session_state.keys()):
        if key not in KEEP_ON_SIGN_OUT:
            del st.session_state[key]


def _signed_in_box(who: SignedIn, on_sign_out: Callable[[], None]) -> None:
    """Who is signed in, and a sign-out button (its callback runs before the next run draws anything)."""
    box = st.sidebar.container(border=True)
    badge = f" · {t('signin.teacher_badge')}" if who.teacher else ""
    box.markdown(t("signin.signed_in_as", name=plain(who.name)) + badge)
    box.button(t("signin.sign_out"), key="signin_out", icon="🚪", on_click=on_sign_out)


# KDLAB_AUTH=accounts


def _accounts() -> None:
    who = current()
    if who is not None:
        _signed_in_box(who, on_sign_out=_clear_session)
        _show_message(st.sidebar)
        if who.teacher:
            _teacher_panel(who)
        return
    box = st.sidebar.container(border=True)
    box.markdown(f"**{t('signin.title')}**")
    with box.form("signin_form", border=False):
        st.text_input(t("signin.name"), key="signin_name", max_chars=NAME_MAX)
        st.text_input(t("signin.password"), key="signin_password", type="password", max_chars=PASSWORD_MAX)
        st.form_submit_button(t("signin.submit"), type="primary", key="signin_submit", on_click=_do_sign_in)
    _show_message(box)
    box.caption(t("signin.intro"))
    with st.sidebar.expander(t("signin.join_title"), icon="🎟️"):
        st.caption(t("signin.join_help", min=PASSWORD_MIN))
        with st.form("signin_join_form", border=False):
            st.text_input(
                t("signin.join_code"), key="join_code", placeholder=t("signin.join_code_placeholder")
            )
            st.text_input(t("signin.name"), key="join_name", max_chars=NAME_MAX)
            st.text_input(t("signin.password"), key="join_password", type="password", max_chars=PASSWORD_MAX)
            st.text_input(
                t("signin.password_again"), key="join_password2", type="password", max_chars=PASSWORD_MAX
            )
            st.form_submit_button(t("signin.join_submit"), key="join_submit", on_click=_do_join)


def _do_sign_in() -> None:
    name = st.session_state.get("signin_name", "")
    password = st.session_state.get("signin_password", "")
    st.session_state["signin_password"] = ""  # never kept past this click
    try:
        account = _with_accounts(lambda a: a.sign_in(name, password))
    except SignInError as err:
        _say_refusal(err)
        return
    except _Unavailable:
        _say("error", "signin.unavailable")
        return
    _sign_in_as(SignedIn(account.id, account.name, account.teacher, "accounts"))


def _do_join() -> None:
    values = {
        k: st.session_state.get(k, "") for k in ("join_code", "join_name", "join_password", "join_password2")
    }
    st.session_state["join_password"] = st.session_state["join_password2"] = ""
    if values["join_password"] != values["join_password2"]:
        _say("error", "signin.password_mismatch")
        return
    try:
        account = _with_accounts(
            lambda a: a.join(values["join_code"], values["join_name"], values["join_password"])
        )
    except SignInError as err:
        _say_refusal(err)
        return
    except _Unavailable:
        _say("error", "signin.unavailable")
        return
    _sign_in_as(SignedIn(account.id, account.name, account.teacher, "accounts"))
    _say("success", "signin.joined", name=account.name)


def _teacher_panel(who: SignedIn) -> None:
    """Join codes and accounts, for a teacher (the role is checked again on every run)."""
    try:
        account = _with_accounts(lambda a: a.get(who.id))
    except _Unavailable:
        return
    if account is None or not account.teacher:
        return
    with st.sidebar.expander(t("signin.teacher_title"), icon="🧑‍🏫"):
        with st.form("teacher_code_form"):
            st.markdown(f"**{t('signin.new_code')}**")
            st.number_input(t("signin.code_days_label"), 1, CODE_DAYS_MAX, 7, key="teacher_code_days")
            st.number_input(t("signin.code_uses_label"), 0, CODE_USES_MAX, 0, key="teacher_code_uses")
            st.form_submit_button(t("signin.code_submit"), key="teacher_code_submit", on_click=_do_new_code)
        with st.form("teacher_add_form"):
            st.markdown(f"**{t('signin.add_title')}**")
            st.text_input(t("signin.name"), key="teacher_add_name", max_chars=NAME_MAX)
            st.checkbox(t("signin.add_teacher"), key="teacher_add_teacher")
            st.form_submit_button(t("signin.add_submit"), key="teacher_add_submit", on_click=_do_add_account)
        result = st.session_state.get(TEACHER_KEY)
        if result and result[0] == "code":
            _, code, until, uses = result
            st.code(code, language=None)
            st.caption(
                t("signin.code_created", until=until)
                + " "
                + (t("signin.code_no_limit") if uses is None else t("signin.code_limit", n=uses))
            )
        elif result and result[0] == "account":
            _, name, password = result
            st.caption(t("signin.added", name=plain(name)))
            st.code(password, language=None)


def _teacher_call(call: Callable[[Accounts], Any]) -> Any:
    """A teacher's action, re-checking the role in the database first; None after a message."""
    who = current()

    def checked(accounts: Accounts) -> Any:
        account = None if who is None else accounts.get(who.id)
        if account is None or not account.teacher:
            return None
        return call(accounts)

    try:
        return _with_accounts(checked)
    except SignInError as err:
        _say_refusal(err)
    except _Unavailable:
        _say("error", "signin.unavailable")
    return None


def _do_new_code() -> None:
    uses = int(st.session_state.get("teacher_code_uses") or 0) or None
    days = int(st.session_state.get("teacher_code_days") or 7)
    who = current()
    learner = None if who is None else Learner(who.id, who.name)
    code = _teacher_call(lambda a: a.new_join_code(days=days, max_uses=uses, by=learner))
    if code is not None:
        st.session_state[TEACHER_KEY] = ("code", code.code, code.expires_at.date().isoformat(), code.max_uses)


def _do_add_account() -> None:
    name = st.session_state.get("teacher_add_name", "")
    teacher = bool(st.session_state.get("teacher_add_teacher"))
    made = _teacher_call(lambda a: a.add(name, teacher=teacher))
    if made is not None:
        account, password = made
        st.session_state[TEACHER_KEY] = ("account", account.name, password)
        st.session_state["teacher_add_name"] = ""


# KDLAB_AUTH=oidc


def _secrets(section: str) -> dict:
    try:
        value = st.secrets[section]
    except (KeyError, FileNotFoundError):  # no such section, or no secrets.toml at all
        return {}
    return dict(value) if hasattr(value, "keys") else {}


def _oidc() -> None:
    auth = _secrets("auth")
    problems = oidc_problems(auth)
    if problems:
        _forget()
        st.sidebar.error(t("signin.oidc_not_configured", missing=", ".join(problems)), icon="🔒")
        return
    user = st.user
    if not user.get("is_logged_in", False):
        _forget()
        box = st.sidebar.container(border=True)
        box.markdown(f"**{t('signin.title')}**")
        for provider in oidc_providers(auth):
            label = (
                t("signin.oidc_button")
                if provider is None
                else t("signin.oidc_button_named", provider=provider)
            )
            if box.button(label, key=f"signin_oidc_{provider or 'default'}", type="primary", icon="🔑"):
                st.login(provider)
        box.caption(t("signin.intro"))
        return
    try:
        identity = OidcIdentity.from_claims(user.to_dict())
    except SignInError as err:
        _forget()
        st.sidebar.error(t(f"signin.{err.reason}"))
        st.sidebar.button(t("signin.sign_out"), key="signin_out", on_click=_oidc_sign_out)
        return
    who = current()
    if who is None or who.key != identity.key:  # a new session, or another account in this browser
        teachers = teacher_emails(os.environ.get(ENV_TEACHERS), _secrets("kdlab").get("teacher_emails"))
        try:
            account = _with_accounts(lambda a: a.oidc_account(identity, teachers))
        except _Unavailable:
            _forget()
            st.sidebar.error(t("signin.unavailable"))
            return
        who = SignedIn(account.id, account.name, account.teacher, "oidc", identity.key)
        _sign_in_as(who)
    _signed_in_box(who, on_sign_out=_oidc_sign_out)


def _oidc_sign_out() -> None:
    _clear_session()
    st.logout()  # clears st.user for this run too, and sends the browser through the provider's logout
