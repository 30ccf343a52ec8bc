"""KD Lab's entry point: language, navigation, then the chosen page.

    streamlit run app.py

Every question page is generated from the bank (questions/) at a stable URL:
/<question id>, e.g. /c03-knowledge-distillation?lang=en.
"""

import importlib
from functools import partial

import streamlit as st

from kdlab.demos import DEMOS
from views import demo_stub, home, mock, progress_page, question
from views.common import bank, language_switch, register_pages, t
from views.home import DEMO_ICON
from views.practice import profile_picker

st.set_page_config(page_title="KD Lab", page_icon="🧪", layout="wide")
language_switch()
profile_picker()

SECTIONS = {"c": "nav.concept", "e": "nav.ecommerce", "p": "nav.coding"}

pages = {"home": st.Page(home.render, title=t("nav.home"), icon="🏠", url_path="home", default=True)}


def render_demo(demo: str) -> None:
    """views/demo_<id>.py's render(), imported only when the page opens (torch costs seconds),
    or a placeholder while that page is being written."""
    try:
        module = importlib.import_module(f"views.demo_{demo}")
    except ModuleNotFoundError as err:
        if err.name != f"views.demo_{demo}":
            raise
        demo_stub.render(demo)
        return
    module.render()


for demo in DEMOS:
    pages[f"demo-{demo}"] = st.Page(
        partial(render_demo, demo), title=t(f"demo.{demo}"), icon=DEMO_ICON[demo], url_path=f"demo-{demo}"
    )
pages["mock-interview"] = st.Page(mock.render, title=t("nav.mock"), icon="🎤", url_path="mock-interview")
pages["progress"] = st.Page(progress_page.render, title=t("nav.progress"), icon="📊", url_path="progress")
b = bank()
for q in b.in_language(st.session_state.lang):
    pages[q.id] = st.Page(partial(question.render, q.id), title=q.short_title, url_path=q.id)
register_pages(pages)

menu = {
    t("nav.start"): [pages["home"]],
    t("nav.practice"): [pages["mock-interview"], pages["progress"]],
    t("nav.demos"): [pages[f"demo-{d}"] for d in DEMOS],
}
for prefix, label in SECTIONS.items():
    section = [page for url, page in pages.items() if url[:1] == prefix and url[1:3].isdigit()]
    if section:
        menu[t(label)] = section
st.navigation(menu, expanded=False).run()
