"""The bank loader on good and deliberately broken files, and the shipped bank itself."""

import re
from pathlib import Path

import pytest

from kdlab.practice.bank import load_bank, parse_file

GOOD = """\
---
id: {qid}
kind: concept
title: {title}
tags: [distillation]
difficulty: medium
demo: distill
related: [{related}]
---

## {answer}

Soft targets carry more information than labels.

## {key_points}

- teacher and student
- temperature

## {follow_ups}

### Why T squared?
It keeps gradients comparable.

## {quiz}

### What does a higher T do?
- [ ] sharpens
- [x] softens
> Dividing logits by T > 1 flattens the softmax.
"""

HEADINGS = {
    "en": dict(answer="Answer", key_points="Key points", follow_ups="Follow-ups", quiz="Quiz"),
    "zh": dict(answer="答案", key_points="要点", follow_ups="追问", quiz="测验"),
}


def write(root: Path, qid: str, lang: str, text: str | None = None, **fields) -> Path:
    path = root / f"{qid}.{lang}.md"
    values = dict(qid=qid, title=f"Title {qid}", related="c02-other" if qid != "c02-other" else "c01-kd")
    values |= HEADINGS[lang] | fields
    path.write_text(text if text is not None else GOOD.format(**values), encoding="utf-8")
    return path


@pytest.fixture
def bank_dir(tmp_path: Path) -> Path:
    for qid in ("c02-other", "c01-kd"):
        for lang in ("zh", "en"):
            write(tmp_path, qid, lang)
    return tmp_path


def messages(root: Path) -> list[str]:
    return [str(p) for p in load_bank(root).problems]


def test_good_bank_loads_both_languages(bank_dir):
    bank = load_bank(bank_dir)
    assert bank.problems == []
    assert bank.ids() == ["c01-kd", "c02-other"]
    q = bank.get("c01-kd", "zh")
    assert q.lang == "zh" and q.demo == "distill"
    assert q.key_points == ("teacher and student", "temperature")
    assert q.follow_ups[0].question == "Why T squared?"
    assert q.quiz[0].options == ("sharpens", "softens") and q.quiz[0].answer == 1
    assert "flattens" in q.quiz[0].explanation


def test_search_matches_either_language(bank_dir):
    write(bank_dir, "c01-kd", "zh", title="知识蒸馏")
    bank = load_bank(bank_dir)
    assert [q.id for q in bank.search("蒸馏", "en")] == ["c01-kd"]
    assert [q.id for q in bank.search("soft targets", "zh")] == ["c01-kd", "c02-other"]
    assert bank.search("no-such-word", "en") == []


def only_problem(root: Path, fragment: str) -> str:
    found = messages(root)
    assert len(found) == 1, found
    assert fragment in found[0], found[0]
    return found[0]


def test_missing_front_matter(bank_dir):
    write(bank_dir, "c01-kd", "en", text="## Answer\n\ntext\n")
    found = messages(bank_dir)
    assert any("c01-kd.en.md:1: missing front matter" in m for m in found)


def test_unclosed_front_matter(bank_dir):
    write(bank_dir, "c01-kd", "en", text="---\nid: c01-kd\n")
    assert any("front matter is not closed" in m for m in messages(bank_dir))


def test_invalid_yaml_names_the_line(bank_dir):
    write(bank_dir, "c01-kd", "en", text=GOOD.format(qid="c01-kd", title="a: b: c", related="c02-other", **HEADINGS["en"]))
    assert any("c01-kd.en.md:4: front matter is not valid YAML" in m for m in messages(bank_dir))


@pytest.mark.parametrize(
    ("old", "new", "line", "fragment"),
    [
        ("kind: concept", "kind: essay", 3, "kind: required, one of concept, coding"),
        ("difficulty: medium", "difficulty: extreme", 6, "difficulty: required"),
        ("tags: [distillation]", "tags: []", 5, "tags: required"),
        ("demo: distill", "demo: telepathy", 7, "demo: one demo id, one of regression"),
        ("related: [c02-other]", "related: [zz-missing]", 8, "no question with id 'zz-missing'"),
        ("difficulty: medium", "difficulty: medium\ncolour: red", 7, "unknown front-matter field 'colour'"),
    ],
)
def test_each_bad_field_gets_its_own_message(bank_dir, old, new, line, fragment):
    for lang in ("zh", "en"):  # both languages, so only the field's own problem is reported
        path = bank_dir / f"c01-kd.{lang}.md"
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    found = [m for m in messages(bank_dir) if "c01-kd.en.md" in m]
    assert found == [m for m in found if f":{line}: " in m and fragment in m] and found, found


def test_id_must_match_file_name(bank_dir):
    path = bank_dir / "c01-kd.en.md"
    path.write_text(path.read_text(encoding="utf-8").replace("id: c01-kd", "id: c09-kd"), encoding="utf-8")
    assert any("c01-kd.en.md:2: id 'c09-kd' does not match the file name" in m for m in messages(bank_dir))


def test_missing_language(bank_dir):
    (bank_dir / "c01-kd.zh.md").unlink()
    only_problem(bank_dir, "no zh version of 'c01-kd'")


def test_duplicate_id(bank_dir):
    (bank_dir / "sub").mkdir()
    write(bank_dir / "sub", "c01-kd", "en")
    assert any("id 'c01-kd' (en) is also used by" in m for m in messages(bank_dir))


def test_missing_required_section(bank_dir):
    path = bank_dir / "c01-kd.en.md"
    text = path.read_text(encoding="utf-8").replace("## Key points", "## Follow-ups-typo")
    path.write_text(text, encoding="utf-8")
    found = [m for m in messages(bank_dir) if "c01-kd.en.md" in m]
    assert any("unknown section '## Follow-ups-typo'" in m for m in found)
    assert any("missing section '## Key points' (or '## 要点')" in m for m in found)


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("- [x] softens", "- [ ] softens", "mark exactly one option correct"),
        ("- [ ] sharpens", "- [x] sharpens", "mark exactly one option correct"),
        ("- [ ] sharpens\n", "", "needs at least two options"),
        ("> Dividing logits by T > 1 flattens the softmax.", "", "add an explanation"),
        ("- [x] softens", "- [x] softens\nstray words", "unexpected line 'stray words'"),
    ],
)
def test_malformed_quiz_items(bank_dir, old, new, fragment):
    path = bank_dir / "c01-kd.en.md"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    found = [m for m in messages(bank_dir) if fragment in m]
    assert found and all("c01-kd.en.md:27:" in m for m in found), messages(bank_dir)


def test_languages_must_agree_on_quiz_and_shared_fields(bank_dir):
    path = bank_dir / "c01-kd.en.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("- [ ] sharpens\n- [x] softens", "- [x] sharpens\n- [ ] softens")
    path.write_text(text.replace("difficulty: medium", "difficulty: hard"), encoding="utf-8")
    found = messages(bank_dir)
    assert any("difficulty differs from" in m for m in found)
    assert any("quiz differs from" in m for m in found)


def test_unknown_source_reference(bank_dir):
    for lang in ("zh", "en"):
        path = bank_dir / f"c01-kd.{lang}.md"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("demo: distill", "demo: distill\nsource: [kdlab.practice.bank:no_such_fn]"))
    assert any("kdlab.practice.bank has no top-level function or class 'no_such_fn'" in m for m in messages(bank_dir))


def test_headings_inside_code_blocks_are_not_sections(bank_dir):
    path = bank_dir / "c01-kd.en.md"
    text = path.read_text(encoding="utf-8").replace(
        "Soft targets carry", "```python\n## not a heading\n```\nSoft targets carry"
    )
    path.write_text(text, encoding="utf-8")
    assert messages(bank_dir) == []


def test_broken_file_does_not_hide_the_others(bank_dir):
    (bank_dir / "c01-kd.en.md").write_bytes(b"\xff\xfe not utf-8")
    bank = load_bank(bank_dir)
    assert any("cannot read file" in str(p) for p in bank.problems)
    assert bank.get("c02-other", "en") is not None
    assert bank.get("c01-kd", "en").lang == "zh"  # falls back to the language that exists


def test_parse_file_alone(tmp_path):
    question, problems = parse_file(write(tmp_path, "c01-kd", "en"))
    assert problems == [] and question.short_title == "Title c01-kd"
    question, problems = parse_file(write(tmp_path, "c01-kd", "zh", title="什么是知识蒸馏？请简要介绍。"))
    assert question.short_title == "什么是知识蒸馏？"


def test_shipped_bank_is_valid():
    bank = load_bank()
    assert bank.problems == [], "\n".join(map(str, bank.problems))


def test_shipped_bank_has_every_seed_question_in_both_languages():
    bank = load_bank()
    expected = {f"c{i:02d}" for i in range(1, 21)} | {f"p{i:02d}" for i in range(1, 21)}
    have = {qid.split("-")[0] for qid in bank.ids()}
    assert expected <= have
    for qid in bank.ids():
        assert {q.lang for (i, _), q in bank.questions.items() if i == qid} == {"zh", "en"}


def test_seed_worked_answers_are_full_and_corrected():
    bank = load_bank()
    for prefix in ("c01", "c02", "c03", "c07", "c15"):
        qid = next(i for i in bank.ids() if i.startswith(prefix))
        for lang in ("zh", "en"):
            q = bank.get(qid, lang)
            assert not q.placeholder, qid
            assert len(q.quiz) >= 3 and len(q.key_points) >= 3
    for prefix in ("c01", "c03", "c07", "c15"):
        qid = next(i for i in bank.ids() if i.startswith(prefix))
        assert bank.get(qid, "en").sections.get("seed_errata"), f"{qid} must say what the seed got wrong"


# ---------------------------------------------------------------- the content (issue: every question answered)

SHIPPED = load_bank()


def test_no_placeholder_answer_remains():
    assert [q.path.name for q in SHIPPED.questions.values() if q.placeholder] == []


def test_both_languages_have_the_same_ids_and_correct_quiz_options():
    for qid in SHIPPED.ids():
        zh, en = SHIPPED.questions[(qid, "zh")], SHIPPED.questions[(qid, "en")]
        assert [i.answer for i in zh.quiz] == [i.answer for i in en.quiz], qid
        assert [len(i.options) for i in zh.quiz] == [len(i.options) for i in en.quiz], qid


@pytest.mark.parametrize("qid", SHIPPED.ids())
def test_every_question_is_complete(qid):
    for lang in ("zh", "en"):
        q = SHIPPED.get(qid, lang)
        assert len(q.quiz) >= 3 and len(q.follow_ups) >= 2, (qid, lang)
        assert len(q.key_points) >= 3 and q.mistakes, (qid, lang)
        assert all(len(item.options) >= 3 and item.explanation for item in q.quiz), (qid, lang)
        if q.kind == "coding":
            for section in ("task", "approach", "complexity", "tests"):
                assert q.sections.get(section), (qid, lang, section)
        for name, text in q.sections.items():
            # Unbalanced $ means a formula that renders as raw text (or swallows the paragraph).
            assert text.replace("$$", "").count("$") % 2 == 0, (qid, lang, name)


def test_ecommerce_questions_beyond_the_seed():
    ecommerce = [qid for qid in SHIPPED.ids() if qid.startswith("e")]
    assert len(ecommerce) >= 10


def test_the_seeds_wrong_examples_are_corrected():
    for prefix in ("c01", "c02", "c03", "c07", "c15", "p01", "p09", "p10", "p17"):
        qid = next(i for i in SHIPPED.ids() if i.startswith(prefix))
        for lang in ("zh", "en"):
            assert SHIPPED.get(qid, lang).sections.get("seed_errata"), (qid, lang)


def test_demo_questions_link_their_demo():
    expected = {"c03": "distill", "p09": "distill", "c07": "qlearning", "p17": "qlearning",
                "p01": "regression", "c04": "cnn", "p06": "cnn"}  # fmt: skip
    for prefix, demo in expected.items():
        qid = next(i for i in SHIPPED.ids() if i.startswith(prefix))
        assert SHIPPED.get(qid, "en").demo == demo, qid


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("demo: distill", "demo: [distill]", "demo: one demo id"),  # took every page down (issue 17)
        ("demo: distill", "demo: {name: distill}", "demo: one demo id"),
        ("tags: [distillation]", "tags: distillation", "tags: required"),
        ("tags: [distillation]", "tags: [[a, b]]", "tags: required"),
        ("related: [c02-other]", "related: c02-other", "related: must be a list"),
        ("related: [c02-other]", "related: [{a: 1}]", "related: must be a list"),
        ("difficulty: medium", "difficulty: [medium]", "difficulty: required"),
        ("kind: concept", "kind: {a: 1}", "kind: required"),
    ],
)
def test_a_typo_of_any_shape_is_a_problem_not_a_crash(bank_dir, old, new, fragment):
    path = bank_dir / "c01-kd.en.md"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    bank = load_bank(bank_dir)  # must not raise
    assert any(fragment in m and "c01-kd.en.md" in m for m in messages(bank_dir)), messages(bank_dir)
    assert bank.get("c02-other", "en") is not None  # the other question still loads


def test_a_yaml_alias_bomb_is_refused_quickly(bank_dir):
    import time

    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    path = bank_dir / "c01-kd.en.md"
    path.write_text("---\n" + bomb + "---\n## Answer\nx\n", encoding="utf-8")
    start = time.perf_counter()
    assert any("aliases (*name) are not allowed" in m for m in messages(bank_dir))
    assert time.perf_counter() - start < 2


def test_oversized_front_matter_is_refused(bank_dir):
    path = bank_dir / "c01-kd.en.md"
    path.write_text("---\n" + "# padding\n" * 2000 + "id: c01-kd\n---\n## Answer\nx\n", encoding="utf-8")
    assert any("front matter is" in m and "at most" in m for m in messages(bank_dir))


@pytest.mark.parametrize("qid", ["progress", "mock-interview", "demo-cnn", "home", "x1-bad", "c1-short"])
def test_an_id_cannot_take_a_built_in_page_or_fall_outside_the_sections(bank_dir, qid):
    write(bank_dir, qid, "en")
    write(bank_dir, qid, "zh")
    assert any(f"{qid}.en.md" in m and "id: required: c (concept)" in m for m in messages(bank_dir))
    assert qid not in load_bank(bank_dir).ids()


def test_a_file_that_breaks_the_parser_is_skipped_with_its_name(bank_dir, monkeypatch):
    import kdlab.practice.bank as bank_module

    real = bank_module.parse_file

    def flaky(path):
        if path.name == "c01-kd.en.md":
            raise RuntimeError("surprise")
        return real(path)

    monkeypatch.setattr(bank_module, "parse_file", flaky)
    bank = load_bank(bank_dir)
    assert any("c01-kd.en.md" in str(p) and "RuntimeError: surprise" in str(p) for p in bank.problems)
    assert bank.get("c02-other", "en") is not None


def test_home_and_check_bank_survive_a_list_typo(tmp_path, monkeypatch):
    """The whole app: a `demo: [distill]` typo in one file is named on Home; every page still works."""
    import shutil
    import subprocess
    import sys

    from kdlab.practice.bank import DEFAULT_ROOT
    from tests.test_app import open_url, start

    root = tmp_path / "questions"
    shutil.copytree(DEFAULT_ROOT, root)
    broken = next(root.rglob("c03-knowledge-distillation.en.md"))
    broken.write_text(broken.read_text(encoding="utf-8").replace("demo: distill", "demo: [distill]"), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "kdlab", "check-bank", str(root)], capture_output=True, text=True)
    assert out.returncode == 1 and "c03-knowledge-distillation.en.md" in out.stdout and "demo:" in out.stdout
    import pages.shared.common as common

    monkeypatch.setattr(common, "DEFAULT_ROOT", root)
    at = start("en")
    assert not at.exception
    assert any(re.search(r"\b\d+ problems? in the question bank", e.label) for e in at.expander)
    at = open_url(at, "c01-machine-learning")
    assert not at.exception and at.header[0].value.startswith("What is machine learning")


def test_loading_the_bank_never_imports_torch():
    """A cold server loads the bank on its first page; torch would cost seconds there (find_spec on
    kdlab.distill.loss used to import kdlab.distill, and with it torch)."""
    import subprocess
    import sys

    code = "import sys; from kdlab.practice.bank import load_bank; load_bank(); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr
