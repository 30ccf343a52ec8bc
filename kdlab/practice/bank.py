"""Load and validate the question bank: Markdown files with YAML front matter.

The format is documented for teachers in questions/README.md. Loading never
raises on a bad file: every problem becomes a `Problem(path, line, message)` and
the rest of the bank still loads, so one typo cannot take the app down.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kdlab.core.source import SourceError, find_source
from kdlab.demos import DEMOS

LANGS = ("zh", "en")
KINDS = ("concept", "coding")
DIFFICULTIES = ("easy", "medium", "hard")
DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "questions"

# Canonical section key -> accepted headings (either language works in either file).
SECTIONS: dict[str, tuple[str, ...]] = {
    "task": ("Task", "题目"),
    "answer": ("Answer", "答案", "参考答案"),
    "approach": ("Approach", "思路"),
    "complexity": ("Complexity", "复杂度"),
    "key_points": ("Key points", "要点"),
    "follow_ups": ("Follow-ups", "追问"),
    "mistakes": ("Common mistakes", "常见错误"),
    "tests": ("Tests", "测试用例"),
    "quiz": ("Quiz", "测验"),
    "seed_errata": ("What the original article got wrong", "原文纠错"),
}
REQUIRED_SECTIONS = ("answer", "key_points")
_HEADING_TO_KEY = {h.casefold(): key for key, names in SECTIONS.items() for h in names}
_TAG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# c = concept, p = programming, e = e-commerce, then two digits: the sidebar's sections, and no id
# can take a built-in page's URL (home, progress, mock-interview, demo-cnn, ...).
_ID_RE = re.compile(r"^[cpe][0-9]{2}(?:-[a-z0-9]+)*$")
FRONT_MATTER_MAX = 8_000  # characters: a question's front matter is a dozen short lines


class _FrontMatterLoader(yaml.SafeLoader):
    """safe_load without aliases: `*name` can expand a few bytes into gigabytes (a YAML bomb)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed here", mark)
        return super().compose_node(parent, index)


# Fields that describe the question rather than its wording: both languages must agree.
SHARED_FIELDS = ("kind", "tags", "difficulty", "demo", "related", "source")


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{_display(self.path)}:{self.line}: {self.message}"


@dataclass(frozen=True)
class QuizItem:
    question: str
    options: tuple[str, ...]
    answer: int  # index into options
    explanation: str


@dataclass(frozen=True)
class FollowUp:
    question: str
    answer: str


@dataclass(frozen=True)
class Question:
    id: str
    lang: str
    kind: str
    title: str
    tags: tuple[str, ...]
    difficulty: str
    path: Path
    demo: str | None = None
    related: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    placeholder: bool = False
    sections: dict[str, str] = field(default_factory=dict)  # key -> Markdown
    key_points: tuple[str, ...] = ()
    mistakes: tuple[str, ...] = ()
    follow_ups: tuple[FollowUp, ...] = ()
    quiz: tuple[QuizItem, ...] = ()
    field_lines: dict[str, int] = field(default_factory=dict)  # front-matter key -> line, for messages

    @property
    def short_title(self) -> str:
        """The title up to its first question mark or comma: short enough for a menu."""
        cut = min((i for i in (self.title.find(c) for c in "？?，,") if i > 0), default=len(self.title))
        return self.title[: cut + 1].rstrip("，,") if cut < len(self.title) else self.title

    def text(self) -> str:
        """Everything searchable, lower-cased."""
        parts = [self.id, self.title, " ".join(self.tags), *self.sections.values()]
        return "\n".join(parts).casefold()


@dataclass
class Bank:
    questions: dict[tuple[str, str], Question]  # (id, lang) -> question
    problems: list[Problem]

    def ids(self) -> list[str]:
        return sorted({qid for qid, _ in self.questions}, key=_sort_key)

    def get(self, qid: str, lang: str) -> Question | None:
        """The question in `lang`, else in the other language, else None."""
        return self.questions.get((qid, lang)) or next(
            (self.questions[(qid, other)] for other in LANGS if (qid, other) in self.questions), None
        )

    def in_language(self, lang: str) -> list[Question]:
        return [q for qid in self.ids() if (q := self.get(qid, lang))]

    def tags(self) -> list[str]:
        return sorted({t for q in self.questions.values() for t in q.tags})

    def search(self, query: str, lang: str) -> list[Question]:
        """Questions (shown in `lang`) whose text in either language holds every word of `query`."""
        words = query.casefold().split()
        texts: dict[str, str] = defaultdict(str)  # each id's text in every language, built once
        for (qid, _), version in self.questions.items():
            texts[qid] += version.text() + "\n"
        return [q for q in self.in_language(lang) if all(w in texts[q.id] for w in words)]


def _sort_key(qid: str) -> tuple[int, str]:
    order = {"c": 0, "p": 1, "e": 2}
    return (order.get(qid[:1], 9), qid)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------- one file


class _FileErrors(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems


def parse_file(path: Path) -> tuple[Question | None, list[Problem]]:
    """Parse one question file; return it (None if unusable) and its problems."""
    problems: list[Problem] = []

    def bad(line: int, message: str) -> None:
        problems.append(Problem(path, line, message))

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        return None, [Problem(path, 1, f"cannot read file: {err}")]
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None, [Problem(path, 1, "missing front matter: the file must start with a '---' line")]
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        return None, [Problem(path, 1, "front matter is not closed: add a '---' line after it")]
    front = "\n".join(lines[1:end])
    if len(front) > FRONT_MATTER_MAX:
        return None, [
            Problem(path, 2, f"front matter is {len(front):,} characters; at most {FRONT_MATTER_MAX:,}")
        ]
    try:
        meta = yaml.load(front, Loader=_FrontMatterLoader) or {}  # a SafeLoader without aliases
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        reason = getattr(err, "problem", None) or str(err)
        return None, [Problem(path, line, f"front matter is not valid YAML: {reason}")]
    if not isinstance(meta, dict):
        return None, [Problem(path, 2, "front matter must be 'key: value' lines")]

    def line_of(key: str) -> int:
        for i in range(1, end):
            if lines[i].startswith(f"{key}:"):
                return i + 1
        return 1

    stem, _, lang = path.name.removesuffix(".md").rpartition(".")
    if lang not in LANGS:
        bad(1, f"file name must end in .zh.md or .en.md, not {path.name!r}")
        lang = "zh"
    known = {"id", "kind", "title", "tags", "difficulty", "demo", "related", "source", "placeholder"}
    for key in meta:
        if key not in known:
            bad(line_of(str(key)), f"unknown front-matter field {key!r} (known: {', '.join(sorted(known))})")

    qid = meta.get("id")
    if not isinstance(qid, str) or not _ID_RE.match(qid):
        bad(
            line_of("id"),
            "id: required: c (concept), p (programming) or e (e-commerce), two digits, then lowercase "
            "words joined by '-' (e.g. c03-knowledge-distillation)",
        )
        qid = None
    elif qid != stem:
        bad(line_of("id"), f"id {qid!r} does not match the file name {path.name!r}")
    kind = meta.get("kind")
    if kind not in KINDS:
        bad(line_of("kind"), f"kind: required, one of {', '.join(KINDS)}; got {kind!r}")
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        bad(line_of("title"), "title: required, a non-empty string")
    tags = meta.get("tags")
    if (
        not isinstance(tags, list)
        or not tags
        or not all(isinstance(t, str) and _TAG_RE.match(t) for t in tags)
    ):
        bad(
            line_of("tags"),
            "tags: required, a non-empty list of lowercase-hyphenated words, e.g. [cnn, computer-vision]",
        )
        tags = []
    difficulty = meta.get("difficulty")
    if difficulty not in DIFFICULTIES:
        bad(
            line_of("difficulty"),
            f"difficulty: required, one of {', '.join(DIFFICULTIES)}; got {difficulty!r}",
        )
    demo = meta.get("demo")
    if demo is not None and (not isinstance(demo, str) or demo not in DEMOS):
        bad(line_of("demo"), f"demo: one demo id, one of {', '.join(DEMOS)}; got {demo!r}")
        demo = None
    related = meta.get("related") or []
    if not isinstance(related, list) or not all(isinstance(r, str) for r in related):
        bad(line_of("related"), "related: must be a list of question ids")
        related = []
    source = meta.get("source") or []
    if not isinstance(source, list) or not all(isinstance(s, str) for s in source):
        bad(line_of("source"), "source: must be a list like [kdlab.distill.loss:distillation_loss]")
        source = []
    for ref in source:
        try:
            find_source(ref)
        except SourceError as err:
            bad(line_of("source"), f"source: {err}")
    placeholder = meta.get("placeholder", False)
    if not isinstance(placeholder, bool):
        bad(line_of("placeholder"), "placeholder: must be true or false")

    sections, section_lines = _split_sections(lines, end + 1, bad)
    for key in REQUIRED_SECTIONS:
        if not sections.get(key, "").strip():
            english, chinese = SECTIONS[key][:2]
            bad(end + 1, f"missing section '## {english}' (or '## {chinese}')")
    key_points = _bullets(sections.get("key_points", ""))
    if "key_points" in sections and not key_points:
        bad(section_lines["key_points"], "key points: write them as a bullet list ('- ...')")
    mistakes = _bullets(sections.get("mistakes", ""))
    follow_ups = tuple(FollowUp(q, a) for q, a, _ in _subsections(sections.get("follow_ups", "")))
    quiz = _parse_quiz(sections.get("quiz", ""), section_lines.get("quiz", 0), bad)
    for block in code_blocks(text):
        if block.python and not block.fragment and (err := block.syntax_error()):
            bad(
                block.line + (err.lineno or 1),
                f"```python block is not valid Python ({err.msg}); "
                "fix it, or mark it '```python fragment' if it is only a piece of code",
            )

    if problems and (qid is None or kind not in KINDS or not title):
        return None, problems
    question = Question(
        id=qid,
        lang=lang,
        kind=kind,
        title=str(title).strip(),
        tags=tuple(tags),
        difficulty=difficulty if difficulty in DIFFICULTIES else "medium",
        path=path,
        demo=demo if demo in DEMOS else None,
        related=tuple(related),
        source=tuple(source),
        placeholder=placeholder is True,
        sections={key: display_math(text) for key, text in sections.items()},
        key_points=key_points,
        mistakes=mistakes,
        follow_ups=follow_ups,
        quiz=quiz,
        field_lines={key: line_of(key) for key in known},
    )
    return question, problems


def _split_sections(lines: list[str], start: int, bad) -> tuple[dict[str, str], dict[str, int]]:
    """Split the body at level-2 headings, skipping fenced code blocks."""
    sections: dict[str, list[tuple[int, str]]] = {}
    where: dict[str, int] = {}
    current: str | None = None
    fenced = False
    for i in range(start, len(lines)):
        line = lines[i]
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if not fenced and line.startswith("## "):
            heading = line[3:].strip()
            key = _HEADING_TO_KEY.get(heading.casefold())
            if key is None:
                names = ", ".join(names[0] for names in SECTIONS.values())
                bad(i + 1, f"unknown section '## {heading}' (known: {names})")
                current = None
            elif key in sections:
                bad(i + 1, f"section '## {heading}' appears twice")
                current = None
            else:
                current, where[key] = key, i + 1
                sections[key] = []
            continue
        if current is not None:
            sections[current].append((i + 1, line))
        elif line.strip() and not sections and not fenced:
            bad(i + 1, "text before the first section: start the body with '## Answer' (or '## 答案')")
    if fenced:
        bad(len(lines), "a ``` code block is not closed")
    text = {k: "\n".join(line for _, line in v).strip() for k, v in sections.items()}
    # Where each section's (stripped) text starts, so item offsets map back to file lines.
    first = {k: next((n for n, line in v if line.strip()), where[k]) for k, v in sections.items()}
    return text, first


def display_math(markdown: str) -> str:
    """Every `$$ ... $$` block that starts a line written as a display equation: `$$` on a line of its
    own above and below the maths, with blank lines around the block.

    Streamlit's Markdown renders `$$x$$` on one line as inline maths, small and on the left, even
    in a paragraph of its own; only the fenced form is a display equation, full size and centred.
    Code blocks are left alone."""
    lines, out, fenced, i = markdown.split("\n"), [], False, 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        stripped = line.strip()
        if fenced or not stripped.startswith("$$"):
            out.append(line)
            i += 1
            continue
        end = i  # the line that closes the block: this one, or a later one ending in $$
        if len(stripped) < 4 or not stripped.endswith("$$"):
            end = next((j for j in range(i + 1, len(lines)) if lines[j].rstrip().endswith("$$")), i)
        indent = line[: len(line) - len(line.lstrip())]  # inside a list item: keep its indentation
        body = "\n".join(lines[i : end + 1]).strip()[2:-2].strip()
        if out and out[-1].strip():
            out.append("")
        out += [f"{indent}$$", *(f"{indent}{b.strip()}" for b in body.split("\n")), f"{indent}$$"]
        if end + 1 < len(lines) and lines[end + 1].strip():
            out.append("")
        i = end + 1
    return "\n".join(out)


def _bullets(markdown: str) -> tuple[str, ...]:
    items: list[str] = []
    for line in markdown.splitlines():
        m = re.match(r"^\s{0,3}(?:[-*+]|\d+[.)])\s+(.*)$", line)
        if m:
            items.append(m.group(1).strip())
        elif line.strip() and items:
            items[-1] += " " + line.strip()
    return tuple(items)


def _subsections(markdown: str) -> list[tuple[str, str, int]]:
    """(### heading, body, offset of the heading line within the section)."""
    out: list[tuple[str, list[str], int]] = []
    for n, line in enumerate(markdown.splitlines()):
        if line.startswith("### "):
            out.append((line[4:].strip(), [], n))
        elif out:
            out[-1][1].append(line)
    return [(q, "\n".join(body).strip(), n) for q, body, n in out]


_OPTION_RE = re.compile(r"^\s*[-*]\s+\[( |x|X)\]\s+(.*)$")


def _parse_quiz(markdown: str, section_line: int, bad) -> tuple[QuizItem, ...]:
    items = []
    if markdown.strip() and not markdown.lstrip().startswith("### "):
        bad(section_line, "quiz: start each item with a '### question' heading")
    for question, body, offset in _subsections(markdown):
        line = section_line + offset  # the ### line in the file
        options, correct, explanation = [], [], []
        for raw in body.splitlines():
            m = _OPTION_RE.match(raw)
            if m:
                if m.group(1).lower() == "x":
                    correct.append(len(options))
                options.append(m.group(2).strip())
            elif raw.lstrip().startswith(">"):
                explanation.append(raw.lstrip()[1:].strip())
            elif raw.strip():
                bad(
                    line,
                    f"quiz item {question[:40]!r}: unexpected line {raw.strip()[:40]!r} "
                    "(options are '- [ ] ...' / '- [x] ...', the explanation is a '> ...' block)",
                )
        if len(options) < 2:
            bad(line, f"quiz item {question[:40]!r}: needs at least two options '- [ ] ...'")
        elif len(correct) != 1:
            bad(
                line,
                f"quiz item {question[:40]!r}: mark exactly one option correct with '- [x]', "
                f"found {len(correct)}",
            )
        elif not explanation:
            bad(line, f"quiz item {question[:40]!r}: add an explanation as a '> ...' line")
        else:
            items.append(QuizItem(question, tuple(options), correct[0], " ".join(explanation)))
    return tuple(items)


# ---------------------------------------------------------------- code blocks

_FENCE_RE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^`]*)$")
PYTHON_INFO = ("python", "py", "python3")


@dataclass(frozen=True)
class CodeBlock:
    """One fenced block: `line` is its opening fence's line (1-based), `info` the words after it."""

    line: int
    info: tuple[str, ...]
    code: str

    @property
    def python(self) -> bool:
        return bool(self.info) and self.info[0].casefold() in PYTHON_INFO

    @property
    def fragment(self) -> bool:
        """Marked ```python fragment: only a piece of code, shown but not run by the tests."""
        return "fragment" in (w.casefold() for w in self.info[1:])

    def syntax_error(self) -> SyntaxError | None:
        try:
            ast.parse(self.code)
        except SyntaxError as err:
            return err
        return None


def code_blocks(text: str) -> list[CodeBlock]:
    """Every fenced code block of a Markdown text (an unclosed one runs to the end)."""
    blocks: list[CodeBlock] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE_RE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, info = len(m.group(1)), m.group(2), m.group(3).split()
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not re.match(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$", lines[j]):
            line = lines[j]
            body.append(line[min(indent, len(line) - len(line.lstrip())) :])
            j += 1
        blocks.append(CodeBlock(i + 1, tuple(info), "\n".join(body) + "\n"))
        i = j + 1
    return blocks


# ---------------------------------------------------------------- quiz statistics

# How an option's length is measured: characters as the learner sees them, in both languages (a Chinese
# character is a word's worth of meaning, an English one a letter; each option is compared only with the
# options of its own item). Markup is not counted: `$\lambda_{\max}$` counts 2 (a symbol each), not 16.
LENGTH_UNIT = "characters as shown"
_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+")
_MARKUP = re.compile(r"[$`{}^_*]|\\[,;:! ]")


def shown_length(text: str) -> int:
    """Characters as shown: a LaTeX command counts as one symbol; $, `, braces, ^, _ and * not at all."""
    return len(_MARKUP.sub("", _LATEX_COMMAND.sub("x", text)))


@dataclass(frozen=True)
class QuizStats:
    """How much a test-wise guess (pick the longest, pick a position) would score, in one language."""

    lang: str
    items: int
    longest: int  # items whose correct option is strictly longer than every other
    shortest: int  # items whose correct option is strictly shorter than every other
    positions: tuple[int, ...]  # items whose correct option is at position 1, 2, ...
    length_ratio: float  # mean over items of len(correct) / mean len(distractors)

    @property
    def longest_share(self) -> float:
        return self.longest / self.items if self.items else 0.0

    def position_shares(self) -> tuple[float, ...]:
        return tuple(n / self.items for n in self.positions) if self.items else ()

    def __str__(self) -> str:
        positions = " ".join(f"{k + 1}:{s:.0%}" for k, s in enumerate(self.position_shares()))
        return (
            f"quiz ({self.lang}): {self.items} items; correct option the single longest "
            f"({LENGTH_UNIT}) in {self.longest_share:.0%}, the single shortest in "
            f"{self.shortest / max(self.items, 1):.0%}; correct/distractor length {self.length_ratio:.2f}; "
            f"correct option at position {positions}"
        )


def quiz_stats(questions: list[Question], lang: str, measure=shown_length) -> QuizStats:
    items = [item for q in questions if q.lang == lang for item in q.quiz]
    longest = shortest = 0
    ratios: list[float] = []
    positions = [0] * max((len(item.options) for item in items), default=0)
    for item in items:
        sizes = [measure(o) for o in item.options]
        right, others = sizes[item.answer], sizes[: item.answer] + sizes[item.answer + 1 :]
        longest += all(right > o for o in others)
        shortest += all(right < o for o in others)
        ratios.append(right / max(sum(others) / len(others), 1))
        positions[item.answer] += 1
    ratio = sum(ratios) / len(ratios) if ratios else 0.0
    return QuizStats(lang, len(items), longest, shortest, tuple(positions), ratio)


# ---------------------------------------------------------------- the whole bank


def load_bank(root: Path | str | None = None) -> Bank:
    root = Path(root) if root else DEFAULT_ROOT
    questions: dict[tuple[str, str], Question] = {}
    problems: list[Problem] = []
    # questions/exercises/ holds the coding exercises (their statements are Markdown too):
    # kdlab.practice.exercises loads them.
    files = sorted(
        p for p in root.rglob("*.md") if p.name != "README.md" and p.relative_to(root).parts[0] != "exercises"
    )
    if not files:
        problems.append(Problem(root, 0, "no question files found"))
    for path in files:
        try:
            question, found = parse_file(path)
        except Exception as err:  # one file's surprise must never take down every page
            question, found = (
                None,
                [Problem(path, 1, f"cannot be read ({type(err).__name__}: {err}); skipped")],
            )
        problems.extend(found)
        if question is None:
            continue
        key = (question.id, question.lang)
        if key in questions:
            problems.append(
                Problem(
                    path,
                    1,
                    f"id {question.id!r} ({question.lang}) is also used by {_display(questions[key].path)}",
                )
            )
            continue
        questions[key] = question
    problems.extend(_cross_check(questions))
    return Bank(questions, problems)


def _cross_check(questions: dict[tuple[str, str], Question]) -> list[Problem]:
    problems = []
    by_id: dict[str, dict[str, Question]] = defaultdict(dict)
    for (qid, lang), q in questions.items():
        by_id[qid][lang] = q
    for qid, versions in sorted(by_id.items()):
        for lang in LANGS:
            if lang not in versions:
                have = next(iter(versions.values()))
                problems.append(Problem(have.path, 1, f"no {lang} version of {qid!r}: add {qid}.{lang}.md"))
        for q in versions.values():
            for ref in q.related:
                if ref not in by_id:
                    problems.append(
                        Problem(q.path, q.field_lines["related"], f"related: no question with id {ref!r}")
                    )
                elif ref == qid:
                    problems.append(Problem(q.path, q.field_lines["related"], "related: cannot name itself"))
        if len(versions) == len(LANGS):
            zh, en = versions["zh"], versions["en"]
            for name in SHARED_FIELDS:
                if getattr(zh, name) != getattr(en, name):
                    problems.append(
                        Problem(
                            en.path,
                            en.field_lines.get(name, 1),
                            f"{name} differs from {_display(zh.path)}: "
                            f"{getattr(en, name)!r} vs {getattr(zh, name)!r}",
                        )
                    )
            if [(len(i.options), i.answer) for i in zh.quiz] != [(len(i.options), i.answer) for i in en.quiz]:
                problems.append(
                    Problem(
                        en.path,
                        1,
                        f"quiz differs from {_display(zh.path)}: both languages "
                        "need the same items, option counts and correct options",
                    )
                )
    return problems


def check_main(root: str | None = None) -> int:
    """`python -m kdlab check-bank`: print each problem as file:line: message."""
    bank = load_bank(root)
    for problem in sorted(bank.problems, key=lambda p: (str(p.path), p.line)):
        print(problem)
    files = sorted(q.path for q in bank.questions.values())
    for lang in LANGS:
        print(quiz_stats(list(bank.questions.values()), lang))
        blocks = [
            b
            for path in files
            if path.name.endswith(f".{lang}.md")
            for b in code_blocks(path.read_text(encoding="utf-8"))
            if b.python
        ]
        fragments = sum(b.fragment for b in blocks)
        print(
            f"code ({lang}): {len(blocks) - fragments} runnable ```python block(s), {fragments} fragment(s)"
        )
    n_ids = len(bank.ids())
    n_placeholder = len({q.id for q in bank.questions.values() if q.placeholder})
    status = f"{len(bank.problems)} problem(s)" if bank.problems else "ok"
    print(f"{n_ids} questions, {len(bank.questions)} files, {n_placeholder} placeholder(s): {status}")
    return 1 if bank.problems else 0
