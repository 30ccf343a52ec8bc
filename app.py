"""KD Lab's entry point: language, navigation, then the chosen page.

    streamlit run app.py

Every question page is generated from the bank (questions/) at a stable URL:
/<question id>, e.g. /c03-knowledge-distillation?lang=en.
"""

from functools import partial

import streamlit as st

from kdlab.demos import DEMOS
from pages.bank import home, question
from pages.bank.home import DEMO_ICON
from pages.demos import stub as demo_stub
from pages.demos.kit import demo_page, warm_up
from pages.practice import mock, teacher
from pages.practice import progress as progress_page
from pages.practice.store import profile_picker
from pages.shared import projector
from pages.shared.common import bank, language_switch, legacy_pages_scope, register_pages, t


def render_demo(demo: str) -> None:
    """pages/demos/<id>.py's render(), or a placeholder while that page is being written."""
    module = demo_page(demo, title=t(f"demo.{demo}"))
    if module is None:
        demo_stub.render(demo)
    else:
        module.render()


SECTIONS = {"c": "nav.concept", "e": "nav.ecommerce", "p": "nav.coding"}


def main() -> None:
    # A projector starts with the sidebar folded: the page gets the whole width.
    sidebar = "collapsed" if projector.requested() else "auto"
    st.set_page_config(page_title="KD Lab", page_icon="🧪", layout="wide", initial_sidebar_state=sidebar)
    language_switch()
    projector.switch()
    profile_picker()
    pages = {"home": st.Page(home.render, title=t("nav.home"), icon="🏠", url_path="home", default=True)}
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
        t("nav.practice"): [pages["mock-interview"], pages["progress"], teacher.page()],
        t("nav.demos"): [pages[f"demo-{d}"] for d in DEMOS],
    }
    for prefix, label in SECTIONS.items():
        section = [page for url, page in pages.items() if url[:1] == prefix and url[1:3].isdigit()]
        if section:
            menu[t(label)] = section
    st.navigation(menu, expanded=True).run()  # every section and title, no English "View more"
    warm_up()  # only scripts/warm.py's run asks for it (?warm=1)


# A folder named pages/ beside app.py makes Streamlit run a process's first script run (under
# AppTest: every run) in its legacy multipage mode, as a page of its own: widgets built then get
# other ids than in every later run, so the sidebar's language reset on the first click. Building
# everything under the entry point's own id keeps them the same; st.navigation ends the mode.
# tests/test_app.py::test_sidebar_state_survives_the_first_click shows it.
with legacy_pages_scope():
    main()
