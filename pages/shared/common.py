"""What every page shares: the language, translated text, the cached bank, links between pages."""

from __future__ import annotations

import contextlib
import re

import streamlit as st

from kdlab.core.i18n import LANGS, pick_language, translate
from kdlab.practice.bank import DEFAULT_ROOT, Bank, load_bank

LANG_NAMES = {"zh": "中文", "en": "English"}


def init_language() -> str:
    """The session's language: ?lang= in the URL, else the browser's locale, else Chinese."""
    if st.session_state.get("lang") not in LANGS:
        st.session_state.lang = pick_language(st.query_params.get("lang"), st.context.locale)
    return st.session_state.lang


def language_switch() -> str:
    lang = init_language()
    st.sidebar.radio(
        translate(lang, "app.language"),
        LANGS,
        key="lang",
        format_func=LANG_NAMES.get,
        horizontal=True,
    )
    # Kept in the URL on every run, so a copied link opens in the same language.
    st.query_params["lang"] = st.session_state.lang
    return st.session_state.lang


def lang() -> str:
    return st.session_state.get("lang") or init_language()


def t(key: str, *, default: str | None = None, **values) -> str:
    return translate(lang(), key, default=default, **values)


def _bank_signature() -> tuple:
    # Editing a question file changes its mtime, so a teacher's edit shows on the next rerun.
    return tuple(sorted((str(p), p.stat().st_mtime_ns) for p in DEFAULT_ROOT.rglob("*.md")))


@st.cache_resource(max_entries=4, show_spinner=False)
def _load_bank(signature: tuple) -> Bank:
    return load_bank(DEFAULT_ROOT)


def bank() -> Bank:
    return _load_bank(_bank_signature())


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")
SEARCH_MAX = 200  # characters of a search: Streamlit cuts a longer one on arrival (issue 17: 10 MB cost 13 s)


def plain(text: str) -> str:
    """Text a person typed (a learner's name), escaped so Markdown shows it as typed: no link, no
    image fetched by every visitor's browser, no emphasis."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def register_pages(pages: dict) -> None:
    """app.py records its st.Page objects by url path, so pages can link to each other."""
    st.session_state["_pages"] = pages


def page_link(url_path: str, label: str, icon: str | None = None, help: str | None = None) -> None:
    page = st.session_state.get("_pages", {}).get(url_path)
    if page is not None:
        st.page_link(page, label=label, icon=icon, help=help)


def legacy_pages_scope():
    """Build the entry point's widgets under its own id, even in Streamlit's legacy pages/ run."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not PagesManager.uses_pages_directory:
        return contextlib.nullcontext()
    return ctx.run_with_active_hash(ctx.pages_manager.main_script_hash)
