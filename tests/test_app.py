"""Home, every question page and the navigation in both languages (Streamlit's AppTest); every demo page
is opened, and each number it shows checked, by tests/test_registry.py."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from kdlab.practice.bank import load_bank

APP = str(Path(__file__).resolve().parent.parent / "app.py")
LANGS = ("zh", "en")


def start(lang: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if lang:
        at.query_params["lang"] = lang
    return at.run()


def open_url(at: AppTest, url_path: str) -> AppTest:
    """What a browser does for /<url_path>: ask for the page whose hash is that path's.

    AppTest.switch_page only knows file pages; ours are callables registered by url_path.
    """
    at._page_hash = calc_hash(url_path)
    return at.run()


def text_of(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [h.value for h in at.header] + [h.value for h in at.title]
    return "\n".join(parts)


@pytest.mark.parametrize("lang", LANGS)
def test_home_renders(lang):
    at = start(lang)
    assert not at.exception
    assert at.session_state.lang == lang
    assert at.query_params["lang"] == [lang] or at.query_params["lang"] == lang
    assert "KD Lab" in text_of(at)


def test_language_defaults_to_chinese_without_a_browser_locale():
    at = start()
    assert not at.exception and at.session_state.lang == "zh"


def test_language_switch_changes_the_ui():
    at = start("zh")
    assert "搜索题库" in at.text_input[0].label
    at.sidebar.radio[0].set_value("en").run()
    assert not at.exception
    assert at.text_input[0].label.startswith("Search the bank")
    assert at.query_params["lang"] in ("en", ["en"])


def test_search_and_filters_narrow_the_list():
    at = start("en")
    at.text_input[0].input("distillation").run()
    assert not at.exception
    caption = next(c.value for c in at.caption if " of " in c.value and "questions" in c.value)
    shown, total = (int(x) for x in caption.split(" questions")[0].split(" of "))
    assert 0 < shown < total
    at.text_input[0].input("zzzz-no-such-thing").run()
    assert any("No question matches" in i.value for i in at.info)


@pytest.mark.shared_results  # every question's panel runs its experiment at defaults: once per process
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("qid", load_bank().ids())
def test_every_question_page_renders_by_url(qid, lang):
    at = open_url(start(lang), qid)
    assert not at.exception, at.exception
    q = load_bank().get(qid, lang)
    assert at.header[0].value == q.title
    # The model answer appears once the learner asks for it.
    at.button[0].click().run()
    assert not at.exception
    assert any(q.sections["answer"][:40] in m.value for m in at.markdown)


def test_quiz_is_graded_at_once():
    bank = load_bank()
    qid = next(i for i in bank.ids() if bank.get(i, "en").quiz)
    item = bank.get(qid, "en").quiz[0]
    at = open_url(start("en"), qid)
    at.radio(key=f"quiz_{qid}_0").set_value(item.answer).run()
    assert not at.exception
    assert any(s.value == "Correct." for s in at.success)
    wrong = (item.answer + 1) % len(item.options)
    at.radio(key=f"quiz_{qid}_0").set_value(wrong).run()
    assert any("Not quite" in e.value for e in at.error)


def test_unknown_question_url_falls_back_to_home():
    at = open_url(start("en"), "no-such-question")
    assert not at.exception
    # Home itself: its title, its search box and its list of every question, not a question page
    assert "KD Lab" in text_of(at) and at.text_input[0].label.startswith("Search the bank")
    n = len(load_bank().ids())
    assert any(c.value.startswith(f"{n} of {n} questions") for c in at.caption), [c.value for c in at.caption]


def test_sidebar_state_survives_the_first_click():
    """With a pages/ folder, Streamlit runs the first run in its legacy mode (AppTest: every run);
    the sidebar's widgets must keep their ids, or the language resets on the first click."""
    at = open_url(start("en"), "c01-machine-learning")
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state.lang == "en" and at.sidebar.radio[0].value == "en"
    assert at.header[0].value == load_bank().get("c01-machine-learning", "en").title


def test_pages_folder_has_no_top_level_scripts():
    """Streamlit's legacy mode lists every pages/*.py as a page of its own (at /home, /progress, ...)
    on a fresh server's first run; our pages live in subfolders, so it finds none."""
    top = sorted(p.name for p in (Path(APP).parent / "pages").glob("*.py"))
    assert top == ["__init__.py"]
