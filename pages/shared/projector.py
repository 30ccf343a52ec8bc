"""Projector mode: a page a class can read projected at 1280x720, from the back of the room.

On with the sidebar's toggle or `?projector=1`; like `?lang=`, the parameter is written back to the
URL on every run, so it survives navigation and a copied link opens in the same mode. It makes the
page's text and every Plotly figure's fonts larger (figures: pages/shared/plots.py), folds intros
and long answers into expanders (`intro`, `long_text`), shows display equations full size and
centred, trims the space above the title and starts with the sidebar folded, so a demo's or a
question's key plot is on the first screen.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from pages.shared.common import t

KEY = "projector"
PARAM = "projector"
LONG = 600  # characters: a longer answer is folded in projector mode

# Streamlit sizes its text in rem: a larger root font scales text and spacing together. Display
# equations (st.latex, $$ ... $$ on a line of their own) get KaTeX's display size and more.
CSS = """<style>
html { font-size: 20px; }
[data-testid="stMainBlockContainer"] { padding-top: 4rem; padding-bottom: 3rem; }
[data-testid="stHeading"] h1 { font-size: 2.2rem; padding: 0.25rem 0 0.5rem; }
[data-testid="stHeading"] h2 { font-size: 1.75rem; padding: 0.25rem 0 0.5rem; }
[data-testid="stHeading"] h3 { font-size: 1.4rem; padding: 0.25rem 0 0.25rem; }
.katex-display { text-align: center; margin: 0.4em 0; overflow-x: auto; overflow-y: hidden; }
</style>"""


def requested() -> bool:
    """What the URL asks for; app.py reads it before anything is drawn (the sidebar's first state)."""
    return st.query_params.get(PARAM) == "1"


def init() -> bool:
    if KEY not in st.session_state:
        st.session_state[KEY] = requested()
    return st.session_state[KEY]


def switch() -> bool:
    """The sidebar's toggle; kept in the URL as ?projector=1 on every run while it is on."""
    init()
    st.sidebar.toggle(t("app.projector"), key=KEY, help=t("app.projector_help"))
    if st.session_state[KEY]:
        st.query_params[PARAM] = "1"
        st.html(CSS)
    elif PARAM in st.query_params:
        del st.query_params[PARAM]
    return st.session_state[KEY]


def on() -> bool:
    return bool(st.session_state.get(KEY, False))


def intro(text: str) -> None:
    """A page's introduction: read in full on one's own screen, folded on a projector."""
    if on():
        with st.expander(t("app.intro_folded"), icon="📖"):
            st.markdown(text)
    else:
        st.markdown(text)


@contextmanager
def settings(form: str | None = None) -> Iterator[None]:
    """A demo's settings: in a form (`form` is its key) or a bordered box; folded into an expander on
    a projector, so the plots come first and the teacher opens the settings when they are needed."""
    box = st.expander(t("app.settings_folded"), icon="⚙️") if on() else st.container(border=form is None)
    with box, (st.form(form) if form else st.container()):
        yield


def long_text(text: str, label: str | None = None) -> None:
    """A long answer: folded on a projector (the teacher opens it when the class gets there)."""
    if on() and len(text) > LONG:
        with st.expander(label or t("app.long_folded"), icon="📖"):
            st.markdown(text)
    else:
        st.markdown(text)
