"""No HTML or script from the bank or from a learner reaches the page unescaped."""

from pathlib import Path

from tests.test_app import open_url, start

ROOT = Path(__file__).resolve().parent.parent


# The one raw-HTML call: a constant stylesheet (monospace grid editor), no data interpolated but a constant key.
ALLOWED = {
    ("qlearning.py", 'st.html(f"<style>.st-key-{GRID_KEY} textarea'),
    # The mock interview's clock ticks in the browser; its only data is our JSON (numbers, locale words).
    ("mock.py", 'components.html(CLOCK_HTML.replace("DATA", payload)'),
    ("mock.py", "import streamlit.components.v1 as components"),
    # Projector mode's constant stylesheet (larger type, centred equations): no data in it.
    ("projector.py", "        st.html(CSS)"),
}


def test_no_page_opts_out_of_escaping():
    # st.markdown escapes HTML unless told otherwise; nothing here may tell it otherwise.
    for path in [ROOT / "app.py", *(ROOT / "pages").rglob("*.py")]:
        for line in path.read_text(encoding="utf-8").splitlines():
            for risky in ("unsafe_allow_html=True", "st.html(", "components.html(", "components.v1"):
                if risky in line:
                    assert any(path.name == name and snippet in line for name, snippet in ALLOWED), (path.name, line)


def test_question_and_learner_text_render_as_escaped_markdown(monkeypatch, tmp_path):
    monkeypatch.setenv("KDLAB_DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    at = start("en")
    at.query_params["learner"] = "<script>alert(1)</script>"
    at = open_url(at.run(), "c03-knowledge-distillation")
    assert not at.exception
    at.button[0].click().run()
    elements = [*at.markdown, *at.caption, *at.info, *at.warning, *at.success]
    assert elements
    assert not any(el.proto.allow_html for el in at.markdown)
