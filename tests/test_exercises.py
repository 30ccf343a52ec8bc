"""Coding exercises: the grader (kdlab.practice.exercises), check-bank's exercise checks, when
exercises may run, and the question page's "Write it yourself" section in both languages.

Grading through the sandbox uses bubblewrap where it works and the plain fallback elsewhere; the
sandbox itself, with hostile submissions, is tests/test_sandbox.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from kdlab.practice import sandbox
from kdlab.practice.exercises import (
    DEFAULT_ROOT,
    check_exercise,
    compare,
    describe,
    exercise_for,
    grade,
    load_exercises,
    localized,
    run_trusted,
)
from kdlab.practice.sandbox_runner import WireError, decode, encode

# Runs leave no temporary folder or process behind: checked over the whole machine, so every test that
# runs submissions stays in one pytest-xdist worker (two workers saw each other's runs as leftovers).
pytestmark = pytest.mark.xdist_group("sandbox")

P09 = DEFAULT_ROOT / "p09"
P20 = DEFAULT_ROOT / "p20"


def source(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# ---------------------------------------------------------------- grading p09 in the sandbox


@pytest.fixture(scope="module")
def p09_reports():
    """The reference graded in the sandbox (torch inside it), the original article's version
    through the same grading in this process (trusted code: it is about the grading)."""
    ex = exercise_for("p09-knowledge-distillation")
    return {
        "solution.py": grade(ex, source(P09 / "solution.py"), everything=True),
        "wrong_original_article.py": grade(ex, source(P09 / "wrong_original_article.py"), everything=True,
                                           run=run_trusted),
    }


def test_p09_reference_passes_every_case_in_the_sandbox(p09_reports):
    report = p09_reports["solution.py"]
    assert report.load is None and report.stop is None, report
    assert report.passed and report.n_passed == report.total == len(exercise_for("p09").cases())


def test_p09_the_original_articles_version_fails(p09_reports):
    report = p09_reports["wrong_original_article.py"]
    assert not report.passed
    failed = {localized(r.name) for r in report.results if not r.passed}
    assert "alpha = 1: the soft term alone" in failed  # the teacher's outputs never enter its loss
    assert "alpha = 0: plain cross-entropy" not in failed  # there it happens to be right


def test_results_per_case_have_name_verdict_values_and_time(p09_reports):
    report = p09_reports["wrong_original_article.py"]
    example = next(r for r in report.results if localized(r.name).startswith("4 examples"))
    assert not example.passed and not example.hidden
    assert example.note[0] == "value" and "rtol 1e-06" in describe(example.note)
    assert float(example.expected) != float(example.got)  # both shown for an example
    assert example.seconds is not None and 0 <= example.seconds < 5
    hidden = [r for r in report.results if r.hidden]
    assert hidden and all(r.expected == r.got == r.stdout == r.traceback == "" for r in hidden)
    assert all(r.note[0] in ("value_hidden", "passed") for r in hidden)  # no difference, no value


def test_run_sends_only_the_examples_and_never_an_expected_value():
    ex = exercise_for("p20")
    seen = {}

    def spy(code, job, limits):
        seen["job"] = job
        return run_trusted(code, job, limits)

    report = grade(ex, source(P20 / "solution.py"), everything=False, run=spy)
    assert report.passed and report.total == len(ex.examples()) < len(ex.cases())
    assert set(seen["job"]) == {"function", "needs", "tensors", "cases"}
    assert all(set(case) == {"args", "kwargs"} for case in seen["job"]["cases"])


def test_a_syntax_error_and_a_missing_function_are_said_plainly():
    ex = exercise_for("p20")
    broken = grade(ex, "def precision_recall_f1(C:\n", everything=False, run=run_trusted)
    assert broken.load[0] == "load_error" and broken.load[1]["type"] == "SyntaxError"
    other = grade(ex, "def something_else(C):\n    return C\n", everything=False, run=run_trusted)
    assert "no function named 'precision_recall_f1'" in describe(other.load)
    assert "precision_recall_f1" in describe(other.load, "zh")


def test_an_error_shows_the_learners_own_traceback_and_printout():
    ex = exercise_for("p20")
    code = "def precision_recall_f1(C, average=None):\n    print('hello')\n    return 1 / 0\n"
    report = grade(ex, code, everything=False, run=run_trusted)
    r = report.results[0]
    assert r.note[0] == "error" and r.note[1]["line"] == 3
    assert 'File "solution.py", line 3' in r.traceback and "runner" not in r.traceback
    assert r.stdout == "hello\n"


# ---------------------------------------------------------------- comparing and the wire format


@pytest.mark.parametrize(
    ("got", "expected", "key"),
    [
        ((np.ones(3), 2.0), (np.ones(3), 2.0), "passed"),
        (np.ones(3), np.ones(4), "shape"),
        (np.ones((3, 1)), np.ones(3), "shape"),
        ([1.0, 2.0], (1.0, 2.0), "passed"),  # a list for a tuple is the same structure
        ((1.0,), (1.0, 2.0), "length"),
        ({"a": 1.0}, {"b": 1.0}, "keys"),
        (np.array([1.0, np.nan]), np.array([1.0, np.nan]), "passed"),
        (np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.5, 3.0]), "values"),
        (1.0 + 1e-7, 1.0, "passed"),
        (1.001, 1.0, "value"),
        ("macro", "macro", "passed"),
        (None, 1.0, "type"),
    ],
)
def test_compare(got, expected, key):
    ok, note = compare(got, expected, rtol=1e-6, atol=1e-8)
    assert note[0] == key and ok == (key == "passed")


def test_compare_names_where_in_a_structure_it_differs():
    ok, note = compare((np.zeros(2), np.ones(2)), (np.zeros(2), np.array([1.0, 3.0])), 1e-6, 1e-8)
    assert not ok and note[1]["where"] == "[1]: " and note[1]["index"] == "(1,)"


def test_the_wire_format_is_exact_and_refuses_what_it_did_not_make():
    value = (np.array([[1.5, np.nan], [np.inf, -0.0]]), {"k": [1, "s", None, True]}, np.int64(3), 2.5)
    back = decode(encode(value))
    np.testing.assert_array_equal(back[0], value[0])
    assert back[1] == {"k": [1, "s", None, True]} and back[2] == 3 and back[2].shape == () and back[3] == 2.5
    with pytest.raises(WireError):
        encode(np.array([object()], dtype=object))
    with pytest.raises(WireError):
        decode({"__nd__": ["object", [1], "AAAA"]})
    with pytest.raises(WireError):
        decode({"__nd__": ["float64", [1000], "AAAAAAAAAAA="]})  # bytes do not match the shape
    with pytest.raises(WireError):
        decode({"__pickle__": "gASVAAAA"})


# ---------------------------------------------------------------- check-bank


def test_check_bank_finds_nothing_wrong_with_p09_and_p20():
    for ex_id in ("p09", "p20"):
        ex = load_exercises()[0][ex_id]
        assert check_exercise(ex, {"p09-knowledge-distillation", "p20-evaluation-metrics"}) == []


def test_check_bank_catches_a_wrong_solution_that_passes_a_missing_statement_and_english_names(tmp_path):
    root = tmp_path / "exercises"
    shutil.copytree(P20, root / "p20")
    shutil.copy(P20 / "solution.py", root / "p20" / "wrong_not_wrong.py")
    (root / "p20" / "statement.zh.md").unlink()
    cases = root / "p20" / "cases.py"
    text = source(cases).replace('{"en": "binary", "zh": "二分类"}', '"binary"')  # a plain str
    text = text.replace(', "zh": "3 个类别，微平均"}', "}")  # English only
    cases.write_text(text, encoding="utf-8")
    found, problems = load_exercises(root)
    assert any("statement.zh.md" in str(p) and "both languages" in p.message for p in problems)
    messages = [p.message for p in check_exercise(found["p20"], {"p20-evaluation-metrics"})]
    assert any("passes every case" in m for m in messages)
    named = sorted(m for m in messages if "name it in both languages" in m)
    assert named == [f"case {n!r}: name it in both languages, " + 'Case({"en": "...", "zh": "..."}, ...)'
                     for n in ("3 classes, micro", "binary")]  # fmt: skip
    assert localized("binary", "zh") == localized({"en": "binary"}, "zh") == "binary"  # shown as it is


def test_check_bank_runs_the_exercises_in_the_cli(capsys):
    from kdlab.cli import main

    assert main(["check-bank", "--exercise", "p20"]) == 0
    out = capsys.readouterr().out
    assert "wrong_nan.py:" in out and "1 exercise(s): ok" in out


# ---------------------------------------------------------------- when exercises run


@pytest.mark.parametrize(
    ("address", "env", "on", "reason"),
    [
        ("127.0.0.1", {}, True, None),
        ("localhost", {}, True, None),
        ("::1", {}, True, None),
        ("0.0.0.0", {}, False, "network"),
        (None, {}, False, "network"),  # Streamlit's default: every interface
        ("10.0.0.5", {"KDLAB_EXERCISES": "on"}, None, None),  # on only with bubblewrap
        ("127.0.0.1", {"KDLAB_EXERCISES": "off"}, False, "switched_off"),
    ],
)
def test_exercises_run_on_loopback_or_when_the_administrator_opts_in(address, env, on, reason):
    state = sandbox.allowed(address, env)
    if on is None:
        works = sandbox.bwrap_works()[0]
        assert state.on == works and (state.sandbox == "bwrap" if works else state.reason == "no_bwrap")
    else:
        assert state.on == on
        if reason:
            assert state.reason == reason


# ---------------------------------------------------------------- the page


P20_QID = "p20-evaluation-metrics"
TEXTS = {
    "en": {"failed": "1 of 3 tests pass", "accepted": "Accepted: all 10 tests pass", "expected": "Expected"},
    "zh": {"failed": "3 个测试中通过了 1 个", "accepted": "通过：全部 10 个测试都通过了", "expected": "期望结果"},
}


@pytest.fixture
def page(tmp_path, monkeypatch):
    """The app on loopback (so exercises run) with a fresh progress database."""
    from pages.bank import exercise

    monkeypatch.setattr(exercise, "address", lambda: "127.0.0.1")
    url = f"sqlite:///{tmp_path / 'progress.db'}"
    monkeypatch.setenv("KDLAB_DATABASE_URL", url)
    return url


def _start(lang: str):
    from tests.test_app import open_url
    from tests.test_practice_pages import start

    return open_url(start(lang, learner="Ada"), P20_QID)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_runs_a_wrong_solution_then_accepts_a_right_one(page, lang):
    from kdlab.classic.metrics import precision_recall_f1
    from kdlab.practice.progress import open_store

    at = _start(lang)
    assert not at.exception
    ex = exercise_for("p20")
    assert at.session_state[f"exercise_code_{ex.id}"] == ex.starter  # the editor starts from the template
    # precision and recall swapped: per class and macro fail, micro (pooled counts) passes
    at.session_state[f"exercise_code_{ex.id}"] = source(P20 / "wrong_swapped.py")
    at.button(key="exercise_run_p20").click().run()
    assert not at.exception
    assert any(TEXTS[lang]["failed"] in e.value for e in at.error)
    shown = "\n".join(c.value for c in at.code)
    C3 = np.array([[5, 1, 0], [2, 3, 1], [0, 0, 4]])
    p, r, _ = precision_recall_f1(C3)
    assert f"{p[0]:.6f}" in shown and f"{r[0]:.6f}" in shown  # the expected precision, and the swapped one
    assert any(TEXTS[lang]["expected"] == c.value for c in at.caption)

    at.session_state[f"exercise_code_{ex.id}"] = source(P20 / "solution.py")
    at.button(key="exercise_submit_p20").click().run()
    assert not at.exception
    assert any(TEXTS[lang]["accepted"] in s.value for s in at.success)
    with open_store(page) as store:
        ada = store.learner("Ada")
        rows = [(row["kind"], row["correct"], row["rating"]) for row in store.history(ada)]
        assert ("exercise", True, None) in rows and ("review", None, "good") in rows
        assert store.card(ada, P20_QID) is not None


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_failed_hidden_test_shows_its_reason(page, lang):
    """"[0]: wrong value" is a Markdown link definition: the reason showed as nothing (seen in a
    screenshot). Each failed case's reason, rendered as Markdown is (CommonMark), is visible text."""
    from markdown_it import MarkdownIt

    from kdlab.practice.exercises import describe

    at = _start(lang)
    ex = exercise_for("p20")
    at.session_state[f"exercise_code_{ex.id}"] = source(P20 / "wrong_nan.py")  # 0/0 left as NaN
    at.button(key="exercise_submit_p20").click().run()
    assert not at.exception
    report = grade(ex, source(P20 / "wrong_nan.py"), everything=True)
    failed = [r for r in report.results if not r.passed]
    assert len(failed) == 3 and all(r.hidden for r in failed)
    shown = [MarkdownIt("commonmark").render(m.value) for m in at.markdown]
    for r in failed:
        reason = describe(r.note, lang)
        assert any(reason in html for html in shown), (reason, shown)
    titles = [e.label for e in at.expander]  # each test's name in the learner's language
    assert all(any(localized(r.name, lang) in title for title in titles) for r in report.results), titles
    if lang == "zh":
        assert any(title.startswith("❌ 某个类别从未被预测到：0/0 记为 0 · 隐藏") for title in titles), titles
        assert not any("0/0 counts as 0" in title for title in titles)


def test_the_draft_survives_a_walk_to_another_page_and_back(page):
    from tests.test_app import open_url

    at = _start("en")
    at.session_state["exercise_code_p20"] = "def precision_recall_f1(C, average=None):\n    return 42\n"
    at = open_url(open_url(at, "c02-deep-learning"), P20_QID)  # a page without an experiment
    assert not at.exception
    assert at.session_state["exercise_code_p20"].endswith("return 42\n")


def test_on_a_network_address_the_editor_says_why_it_is_off(tmp_path, monkeypatch):
    from pages.bank import exercise

    monkeypatch.setattr(exercise, "address", lambda: "0.0.0.0")
    monkeypatch.setenv("KDLAB_DATABASE_URL", f"sqlite:///{tmp_path / 'progress.db'}")
    monkeypatch.delenv("KDLAB_EXERCISES", raising=False)
    at = _start("en")
    assert not at.exception
    assert any("can be reached from the network" in w.value for w in at.warning)
    assert not [b for b in at.button if b.key == "exercise_run_p20"]


def test_the_store_records_a_submission_with_its_code(tmp_path):
    from kdlab.practice.progress import open_store

    with open_store(f"sqlite:///{tmp_path / 'p.db'}") as store:
        ada = store.learner("Ada", create=False)  # not saved yet: the first record creates her
        store.record_exercise(ada, P20_QID, False, "zh", code="def f(): pass", seconds=0.4, visit="v1")
        store.record_exercise(ada, P20_QID, True, "zh", code="def g(): pass", seconds=0.5, visit="v1")
        rows = store.history(store.learner("Ada"))
        assert [(r["kind"], r["correct"], r["answer"]) for r in rows] == [
            ("exercise", False, "def f(): pass"),
            ("exercise", True, "def g(): pass"),
        ]
        assert store.card(store.learner("Ada"), P20_QID) is None  # recording alone schedules nothing
