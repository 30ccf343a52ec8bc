"""A shared server's hardening (issue 17): what one learner types or sends cannot cost the others."""

from __future__ import annotations

import time

from tests.test_app import start


def test_a_huge_search_costs_no_more_than_a_short_one():
    """A crafted 10 MB search used to cost 13 s of CPU per rerun; the server now cuts it to 200."""
    at = start("en")
    at.text_input(key="home_query").set_value("蒸馏 " * 2_000_000)  # past the box's max_chars
    began = time.perf_counter()
    at.run()
    assert not at.exception
    assert time.perf_counter() - began < 5  # the whole rerun, AppTest's overhead included
    assert len(at.text_input(key="home_query").value) == 200


def test_a_learner_name_is_shown_as_typed_never_as_a_link_or_image(tmp_path, monkeypatch):
    monkeypatch.setenv("KDLAB_DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    from tests.test_practice_pages import start as start_as

    at = start_as("en", learner="[CLICK](http://e.x) ![x](http://h/t.png)")
    assert not at.exception
    shown = [m.value for m in at.markdown if "CLICK" in m.value]
    assert shown, "the name is shown on Home"
    for value in shown:
        assert "\\[CLICK\\]" in value and "\\!\\[x\\]" in value


def test_names_with_zero_width_joiners_are_names():
    """Emoji sequences and Persian names use U+200D / U+200C; they are not control characters."""
    import pytest

    from kdlab.practice.progress import clean_name

    for name in ("👩\u200d💻 Ada", "می\u200cخواهم"):
        assert clean_name(name) == name
    with pytest.raises(ValueError, match="control characters"):
        clean_name("Ada\u0007")


def test_the_csv_export_never_hands_a_spreadsheet_a_formula(tmp_path):
    from datetime import UTC, datetime

    from kdlab.practice.progress import open_store, read_csv

    answers = ["=HYPERLINK(\"http://evil\")", "+1", "-2+3", "@SUM(A1)", "'quoted", "\t=tab", "plain =", "温度"]
    with open_store(f"sqlite:///{tmp_path / 'p.db'}") as store:
        ada = store.learner("Ada")
        for k, answer in enumerate(answers):
            store.record_self_grade(ada, "c03", k % 2 == 0, "en", answer=answer, now=datetime(2026, 1, 1, k, tzinfo=UTC))
        text = store.export_csv(ada)
        rows = store.history(ada)
    cells = [line.split(",")[-1] for line in text.splitlines()[1:]]
    assert not any(c.lstrip('"').startswith(("=", "+", "-", "@", "\t")) for c in cells), cells
    assert [r["answer"] for r in read_csv(text)] == [r["answer"] for r in rows] == answers
