"""Coding exercises: load them from questions/exercises/, grade a learner's code, check them all.

    from kdlab.practice.exercises import exercise_for, grade
    ex = exercise_for("p09-knowledge-distillation")   # None if the question has no exercise
    report = grade(ex, code, everything=False)         # the example cases only ("Run")
    report = grade(ex, code, everything=True)          # every case, hidden ones too ("Submit")
    report.passed, [(localized(r.name), r.passed, r.note) for r in report.results]

The format is documented for teachers in questions/exercises/README.md. `cases.py` is trusted code
run on the server; the learner's code runs in kdlab.practice.sandbox, which receives each case's
inputs only. The expected values are computed here, by the reference (the kdlab function named in
meta.toml, else solution.py) on the same inputs, and every comparison happens here.

A verdict is a `note`: a locale key under `exercise.note.` and its values, so a page shows it in
the learner's language (`describe` gives the English, for the command line). A hidden case's note
never holds its inputs, its expected value or what the learner's code printed or raised.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import re
import sys
import threading
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kdlab.core.i18n import translate
from kdlab.practice import sandbox
from kdlab.practice.sandbox_runner import CappedText, WireError, decode, encode, execute, run_cases

DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "questions" / "exercises"
LANGS = ("zh", "en")
NEEDS = ("numpy", "torch")
CODE_MAX = 5000  # characters of code a learner may submit (the progress store's answer bound)
SHOW_MAX = 600  # characters of an expected or returned value shown per case
_ID_RE = re.compile(r"^[cpe][0-9]{2}$")
META_FIELDS = {"question", "function", "needs", "cpu_seconds", "reference", "tensors"}
Note = tuple[str, dict]
Text = str | dict[str, str]  # words a learner reads: {"en": ..., "zh": ...} (a str is shown in either)


def localized(text: Text, lang: str = "en") -> str:
    """`text` in `lang`: a str as it is; a mapping's `lang` entry, else its English."""
    if isinstance(text, dict):
        return str(text.get(lang) or text.get("en") or "")
    return str(text)


@dataclass(frozen=True)
class Case:
    """One test: inputs, tolerance, and either an expected value, a check, or neither (the
    reference computes the expected value). See questions/exercises/README.md."""

    name: Text  # {"en": ..., "zh": ...}: check-bank wants both
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    hidden: bool = False
    rtol: float = 1e-6
    atol: float = 1e-8
    expected: Any = None
    check: Callable[[Any, Any, tuple], tuple[bool, str | dict]] | None = None


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str

    def __str__(self) -> str:
        try:
            shown = self.path.resolve().relative_to(Path.cwd())
        except ValueError:
            shown = self.path
        return f"{shown}: {self.message}"


@dataclass(frozen=True)
class Exercise:
    id: str  # the folder's name: p09
    path: Path
    question: str  # "p09" or "p09-knowledge-distillation"
    function: str
    needs: tuple[str, ...] = ("numpy",)
    cpu_seconds: float = 5.0
    reference: str | None = None
    tensors: bool = False
    statements: dict[str, str] = field(default_factory=dict)
    starter: str = ""

    def matches(self, qid: str) -> bool:
        return qid == self.question or qid.split("-")[0] == self.question

    def statement(self, lang: str) -> str:
        return self.statements.get(lang) or next(iter(self.statements.values()), "")

    @property
    def limits(self) -> sandbox.Limits:
        return sandbox.Limits.for_exercise(self.cpu_seconds, torch="torch" in self.needs)

    def wrong_paths(self) -> list[Path]:
        return sorted(self.path.glob("wrong_*.py"))

    def cases(self) -> list[Case]:
        return _prepared(self).cases

    def examples(self) -> list[Case]:
        return [c for c in self.cases() if not c.hidden]


# ---------------------------------------------------------------- loading


def _signature(root: Path) -> tuple:
    try:
        return tuple(sorted((str(p), p.stat().st_mtime_ns) for p in root.glob("*/*") if p.is_file()))
    except OSError:
        return ()


_LOADED: dict[Path, tuple[tuple, dict[str, Exercise], list[Problem]]] = {}
_LOCK = threading.RLock()


def load_exercises(root: Path | str | None = None) -> tuple[dict[str, Exercise], list[Problem]]:
    """Every exercise under `root` by id, and the problems that kept any from loading. Reloaded
    when a file changes (a teacher's edit shows at the next page run)."""
    root = Path(root) if root else DEFAULT_ROOT
    signature = _signature(root)
    with _LOCK:
        cached = _LOADED.get(root)
        if cached is not None and cached[0] == signature:
            return cached[1], cached[2]
        found: dict[str, Exercise] = {}
        problems: list[Problem] = []
        for folder in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
            if folder.name.startswith((".", "_")):
                continue
            exercise, trouble = _load_one(folder)
            problems += trouble
            if exercise is not None:
                found[exercise.id] = exercise
        _LOADED[root] = (signature, found, problems)
        return found, problems


def _load_one(folder: Path) -> tuple[Exercise | None, list[Problem]]:
    problems: list[Problem] = []

    def bad(path: Path, message: str) -> None:
        problems.append(Problem(path, message))

    if not _ID_RE.match(folder.name):
        bad(folder, "an exercise folder is named for its question: p01..p20, or a concept id such as c03")
        return None, problems
    meta_path = folder / "meta.toml"
    try:
        meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        bad(meta_path, "missing: every exercise needs meta.toml")
        return None, problems
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        bad(meta_path, f"not valid TOML: {err}")
        return None, problems
    for key in sorted(set(meta) - META_FIELDS):
        bad(meta_path, f"unknown field {key!r} (known: {', '.join(sorted(META_FIELDS))})")
    question, function = meta.get("question"), meta.get("function")
    if not isinstance(question, str) or not question:
        bad(meta_path, 'question: required, e.g. question = "p09"')
    if not isinstance(function, str) or not function.isidentifier():
        bad(meta_path, 'function: required, the name the learner defines, e.g. function = "distillation_loss"')
    needs = meta.get("needs", ["numpy"])
    if not isinstance(needs, list) or not set(needs) <= set(NEEDS):
        bad(meta_path, f"needs: a list drawn from {list(NEEDS)}")
        needs = ["numpy"]
    cpu = meta.get("cpu_seconds", 5)
    if isinstance(cpu, bool) or not isinstance(cpu, int | float) or not 0 < cpu <= 30:
        bad(meta_path, "cpu_seconds: a number of seconds, more than 0 and at most 30")
        cpu = 5
    reference = meta.get("reference")
    if reference is not None and (not isinstance(reference, str) or ":" not in reference):
        bad(meta_path, 'reference: "module:function", e.g. "kdlab.distill.loss:distillation_loss"')
        reference = None
    tensors = meta.get("tensors", False)
    if not isinstance(tensors, bool):
        bad(meta_path, "tensors: true or false")
        tensors = False
    if tensors and "torch" not in needs:
        bad(meta_path, 'tensors = true needs torch: needs = ["numpy", "torch"]')
    statements = {}
    for lang in LANGS:
        path = folder / f"statement.{lang}.md"
        try:
            statements[lang] = path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            bad(path, "missing: write the statement in both languages")
            continue
        if not statements[lang]:
            bad(path, "empty: say what to write (inputs, outputs, shapes, what is graded)")
    try:
        starter = (folder / "starter.py").read_text(encoding="utf-8")
    except FileNotFoundError:
        bad(folder / "starter.py", "missing: the code the editor starts with")
        starter = ""
    if problems and not (isinstance(question, str) and question and isinstance(function, str)):
        return None, problems
    exercise = Exercise(
        id=folder.name, path=folder, question=question, function=function, needs=tuple(needs),
        cpu_seconds=float(cpu), reference=reference, tensors=tensors, statements=statements, starter=starter,
    )  # fmt: skip
    return exercise, problems


def exercise_for(qid: str, root: Path | str | None = None) -> Exercise | None:
    """The exercise of question `qid` (its full or short id), if it has one."""
    found, _ = load_exercises(root)
    return next((ex for ex in found.values() if ex.matches(qid)), None)


# ---------------------------------------------------------------- cases and expected values


@dataclass
class _Prepared:
    cases: list[Case]
    wire: list[dict]  # each case's inputs as the sandbox receives them
    expected: list[Any]  # decoded; None where `failures` has the case
    failures: dict[int, str]  # case index -> why the reference could not compute it


_PREPARED: dict[tuple, _Prepared] = {}


def _files_key(ex: Exercise) -> tuple:
    return (str(ex.path), ex.reference, *((p.name, p.stat().st_mtime_ns) for p in sorted(ex.path.glob("*.py"))))


def _import_file(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_cases(ex: Exercise) -> list[Case]:
    """cases.py's cases (trusted code), checked: Case objects with unique names."""
    module = _import_file(ex.path / "cases.py", f"kdlab_exercise_cases_{ex.id}")
    cases = list(module.cases())
    for c in cases:
        if not isinstance(c, Case):
            raise TypeError(f"cases() yields Case objects, got {type(c).__name__}")
        names = c.name if isinstance(c.name, dict) else {"en": c.name}
        if not set(names) <= set(LANGS) or not all(isinstance(v, str) for v in names.values()):
            raise TypeError(f'a case\'s name is {{"en": str, "zh": str}} (or a str), got {c.name!r}')
    for lang in LANGS:
        names = [localized(c.name, lang) for c in cases]
        if len(set(names)) != len(names):
            raise ValueError(f"two cases have the same name ({lang})")
    if not any(not c.hidden for c in cases):
        raise ValueError("at least one case must be an example (hidden=False): Run has nothing to run")
    return cases


def reference_function(ex: Exercise) -> Callable:
    if ex.reference:
        module_name, _, name = ex.reference.partition(":")
        return getattr(importlib.import_module(module_name), name)
    module = _import_file(ex.path / "solution.py", f"kdlab_exercise_solution_{ex.id}")
    return getattr(module, ex.function)


def _prepared(ex: Exercise) -> _Prepared:
    key = _files_key(ex)
    with _LOCK:
        if key in _PREPARED:
            return _PREPARED[key]
        cases = load_cases(ex)
        wire = [{"args": encode(tuple(c.args)), "kwargs": encode(dict(c.kwargs))} for c in cases]
        expected: list[Any] = [None] * len(cases)
        failures: dict[int, str] = {}
        todo = [i for i, c in enumerate(cases) if c.expected is None]  # a check gets the reference's too
        for i, c in enumerate(cases):
            if c.expected is not None:
                expected[i] = decode(json.loads(json.dumps(encode(c.expected))))
        if todo:
            function = reference_function(ex)
            records: list[dict] = []
            inputs = [(decode(wire[i]["args"]), decode(wire[i]["kwargs"])) for i in todo]
            run_cases(function, inputs, ex.tensors, records.append, CappedText(0))
            for i, record in zip(todo, records, strict=True):
                if "error" in record:
                    failures[i] = f"{record['error']}: {record['message']}"
                else:
                    expected[i] = decode(json.loads(json.dumps(record["value"])))
        prepared = _Prepared(cases, wire, expected, failures)
        _PREPARED[key] = prepared
        return prepared


# ---------------------------------------------------------------- comparing


def _kind(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return "array"
    return {tuple: "tuple", list: "list", dict: "dict", str: "str", type(None): "None"}.get(type(value), "number")


def compare(got: Any, expected: Any, rtol: float, atol: float, where: str = "") -> tuple[bool, Note]:
    """Same structure, then each leaf: same shape and allclose (NaN equals NaN). The note says
    what differs first; values are in it only as counts and the largest difference."""
    at = {"where": f"{where}: " if where else ""}
    if isinstance(expected, tuple | list):
        if not isinstance(got, tuple | list):
            return False, ("type", at | {"got": _kind(got), "expected": _kind(expected)})
        if len(got) != len(expected):
            return False, ("length", at | {"got": len(got), "expected": len(expected)})
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            ok, note = compare(g, e, rtol, atol, f"{where}[{i}]")
            if not ok:
                return ok, note
        return True, ("passed", {})
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return False, ("type", at | {"got": _kind(got), "expected": _kind(expected)})
        if set(got) != set(expected):
            missing = ", ".join(map(repr, sorted(set(expected) - set(got), key=str))) or "-"
            extra = ", ".join(map(repr, sorted(set(got) - set(expected), key=str))) or "-"
            return False, ("keys", at | {"missing": missing, "extra": extra})
        for k in expected:
            ok, note = compare(got[k], expected[k], rtol, atol, f"{where}[{k!r}]")
            if not ok:
                return ok, note
        return True, ("passed", {})
    if expected is None or isinstance(expected, str):
        if got == expected and type(got) is type(expected):
            return True, ("passed", {})
        return False, ("not_equal", at)
    e = np.asarray(expected)
    if isinstance(got, str | dict) or got is None:
        return False, ("type", at | {"got": _kind(got), "expected": _kind(expected)})
    try:
        g = np.asarray(got)
    except (ValueError, TypeError):
        return False, ("type", at | {"got": _kind(got), "expected": _kind(expected)})
    if g.dtype.kind not in "biufc":
        return False, ("type", at | {"got": _kind(got), "expected": _kind(expected)})
    if g.shape != e.shape:
        return False, ("shape", at | {"got": str(g.shape), "expected": str(e.shape)})
    if e.dtype.kind == "b" or g.dtype.kind == "b":
        close = g == e
    else:
        close = np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
    if bool(np.all(close)):
        return True, ("passed", {})
    bad = ~np.asarray(close)
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(g.astype(complex if "c" in (g.dtype.kind, e.dtype.kind) else float) - e)
    diff = np.where(np.isnan(diff), np.inf, diff)
    tolerance = {"diff": f"{float(np.max(diff[bad])):.3g}", "rtol": f"{rtol:g}", "atol": f"{atol:g}"}
    if not bad.ndim:
        return False, ("value", at | tolerance)
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    return False, ("values", at | tolerance | {"bad": int(bad.sum()), "total": int(bad.size), "index": str(first)})


def show(value: Any) -> str:
    """A value as a learner reads it: a tuple, list or dict one item per line, arrays rounded
    and summarised, numbers to 10 significant digits; cut to SHOW_MAX characters."""
    if isinstance(value, tuple | list | dict) and 0 < len(value) <= 20:
        items = value.items() if isinstance(value, dict) else enumerate(value)
        text = "\n".join(f"[{k!r}] {_one(v)}" for k, v in items)
    else:
        text = _one(value)
    return text if len(text) <= SHOW_MAX else text[: SHOW_MAX - 1] + "…"


def _one(value: Any) -> str:
    with np.printoptions(precision=6, threshold=40, edgeitems=4, suppress=True, linewidth=60):
        if isinstance(value, np.ndarray):
            if value.ndim == 0:
                return _one(value.item())
            head = f"{value.dtype} {value.shape}"
            return f"{head}: {value}" if value.ndim == 1 and value.size <= 12 else f"{head}\n{value}"
        if isinstance(value, float):
            return f"{value:.10g}"
        if isinstance(value, tuple | list):
            inner = ", ".join(_one(v) for v in value)
            return f"({inner}{',' if len(value) == 1 else ''})" if isinstance(value, tuple) else f"[{inner}]"
        if isinstance(value, dict):
            return "{" + ", ".join(f"{k!r}: {_one(v)}" for k, v in value.items()) + "}"
        return repr(value)


# ---------------------------------------------------------------- grading


@dataclass
class CaseResult:
    name: Text  # the case's name as cases.py gives it: localized(r.name, lang) shows it
    hidden: bool
    passed: bool
    note: Note  # exercise.note.<key> and its values
    expected: str = ""  # shown for examples only
    got: str = ""
    traceback: str = ""
    stdout: str = ""
    stdout_total: int = 0
    seconds: float | None = None


@dataclass
class Report:
    exercise: str
    everything: bool  # every case (Submit) or the examples only (Run)
    results: list[CaseResult]
    total: int  # cases asked for
    load: Note | None = None  # the code did not load (or the run stopped before it did)
    load_traceback: str = ""
    load_stdout: str = ""
    stop: str | None = None  # how the sandbox stopped the run (Outcome.stop)
    seconds: float = 0.0
    sandbox: str = ""

    @property
    def n_passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def passed(self) -> bool:
        return self.load is None and self.total > 0 and self.n_passed == self.total


STOPS = {"wall", "cpu", "memory", "output", "crash"}


def grade(
    ex: Exercise,
    code: str,
    *,
    everything: bool,
    run: Callable[[str, dict, sandbox.Limits], sandbox.Outcome] | None = None,
) -> Report:
    """Run `code` on the exercise's example cases (or every case) and compare on the server."""
    if len(code) > CODE_MAX:
        return Report(ex.id, everything, [], 0, load=("too_long", {"n": len(code), "max": CODE_MAX}))
    prepared = _prepared(ex)
    chosen = [i for i, c in enumerate(prepared.cases) if everything or not c.hidden]
    job = {
        "function": ex.function,
        "needs": list(ex.needs),
        "tensors": ex.tensors,
        "cases": [prepared.wire[i] for i in chosen],
    }
    limits = ex.limits
    outcome = (run or sandbox.run_code)(code, job, limits)
    limits = outcome.limits or limits
    report = Report(ex.id, everything, [], len(chosen), stop=outcome.stop, seconds=outcome.seconds,
                    sandbox=outcome.sandbox)  # fmt: skip
    records = list(outcome.records)
    head = records.pop(0) if records and ("loaded" in records[0] or "load_error" in records[0]) else None
    if head is not None:
        report.load_stdout = _stdout(head)
    if head is not None and "load_error" in head:
        report.load = ("load_error", {"type": head.get("type", "?"), "line": head.get("line") or "?",
                                      "message": str(head.get("message", ""))[:300]})  # fmt: skip
        report.load_traceback = str(head.get("load_error", ""))[:5000]
        return report
    if head is None:
        report.load = ("stopped", {"why": outcome.stop or "crash", **_limit_values(limits)})
        return report
    by_index = {r.get("i"): r for r in records if isinstance(r.get("i"), int)}
    for n, i in enumerate(chosen):
        case = prepared.cases[i]
        record = by_index.get(n)
        if record is None:  # the run was stopped during this case (the first one missing) or before it
            stopped_here = not any(r.note[0] == "stopped_here" for r in report.results)
            note = ("stopped_here", {"why": outcome.stop or "crash", **_limit_values(limits)}) if stopped_here else (
                "not_reached", {})  # fmt: skip
            report.results.append(CaseResult(case.name, case.hidden, False, note))
            continue
        report.results.append(_judge(case, prepared, i, record, limits))
    return report


def _limit_values(limits: sandbox.Limits) -> dict:
    return {"cpu": limits.cpu_seconds, "wall": f"{limits.wall_seconds:g}", "memory": limits.memory_mb,
            "output": limits.output_mb}  # fmt: skip


def _stdout(record: dict) -> str:
    text = str(record.get("stdout", ""))
    total = record.get("stdout_total", len(text))
    if isinstance(total, int) and total > len(text):
        text += f"\n… [{total - len(text):,} more characters not kept]"
    return text


def _judge(case: Case, prepared: _Prepared, i: int, record: dict, limits: sandbox.Limits) -> CaseResult:
    hidden = case.hidden
    seconds = record.get("seconds") if isinstance(record.get("seconds"), int | float) else None
    result = CaseResult(case.name, hidden, False, ("passed", {}), seconds=seconds)
    if not hidden:
        result.stdout, result.stdout_total = _stdout(record), int(record.get("stdout_total") or 0)
    if "error" in record:
        kind = str(record["error"])[:60]
        if kind == "WireError":
            result.note = ("cannot_grade", {"message": "" if hidden else str(record.get("message", ""))[:300]})
        elif hidden:
            result.note = ("error_hidden", {"type": kind, "line": record.get("line") or "?"})
        else:
            values = {"type": kind, "line": record.get("line") or "?", "message": str(record.get("message", ""))[:300]}
            memory = kind == "MemoryError"
            result.note = ("memory", values | {"memory": limits.memory_mb}) if memory else ("error", values)
            result.traceback = str(record.get("traceback", ""))[:5000]
        return result
    if i in prepared.failures:
        result.note = ("reference_failed", {"message": prepared.failures[i]})
        return result
    try:
        got = decode(record.get("value"))
    except (WireError, ValueError, TypeError, RecursionError):
        result.note = ("cannot_grade", {"message": ""})
        return result
    expected = prepared.expected[i]
    if case.check is not None:
        args = decode(prepared.wire[i]["args"])
        try:
            ok, message = case.check(got, expected, args)
        except Exception as err:  # a check that chokes on a wrong answer: a failed case, said so
            ok, message = False, f"the check could not read this result ({type(err).__name__})"
        result.passed, result.note = bool(ok), ("passed", {}) if ok else ("check", {"text": message})
    else:
        result.passed, result.note = compare(got, expected, case.rtol, case.atol)
    if not hidden:
        result.expected = "" if case.check is not None and case.expected is None else show(expected)
        result.got = show(got)
    elif not result.passed:
        key, values = result.note
        if key == "values":  # neither the difference nor where: only how many
            result.note = ("values_hidden", {"where": values["where"], "bad": values["bad"], "total": values["total"]})
        elif key == "value":
            result.note = ("value_hidden", {"where": values["where"]})
        elif key == "shape":
            result.note = ("shape_hidden", {"where": values["where"], "got": values["got"]})
    return result


def describe(note: Note, lang: str = "en") -> str:
    """A verdict in words (the page uses the same keys through its own translator)."""
    key, values = note
    if key == "check":
        return localized(values.get("text", ""), lang)
    if key in ("stopped", "stopped_here"):
        values = values | {"why": translate(lang, f"exercise.stop.{values.get('why')}", **values)}
    return translate(lang, f"exercise.note.{key}", **values)


# ---------------------------------------------------------------- checking the bank's exercises


def run_trusted(code: str, job: dict, limits: sandbox.Limits) -> sandbox.Outcome:
    """Run trusted code (a reference or a known-wrong solution) in this process, through the same
    runner code and wire format as the sandbox: for check-bank and tests, never a learner's code."""
    records: list[dict] = []
    cases = [(decode(c["args"]), decode(c["kwargs"])) for c in job["cases"]]
    execute(code, job, cases, lambda r: records.append(json.loads(json.dumps(r))), CappedText(limits.stdout_chars))
    return sandbox.Outcome(records, None, "", 0.0, "trusted")


def _defines(code: str, name: str) -> bool:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False
    return any(isinstance(n, ast.FunctionDef) and n.name == name for n in tree.body)


def check_exercise(ex: Exercise, question_ids: set[str] | None = None, verbose: bool = False) -> list[Problem]:
    """What check-bank says about one exercise: its files, its cases, the reference passing every
    case and every wrong_*.py failing at least one."""
    problems: list[Problem] = []

    def bad(path: Path, message: str) -> None:
        problems.append(Problem(path, message))

    if question_ids is not None and not any(ex.matches(q) for q in question_ids):
        bad(ex.path / "meta.toml", f"question: no question with id {ex.question!r} in the bank")
    if not _defines(ex.starter, ex.function):
        bad(ex.path / "starter.py", f"does not define the function {ex.function!r} at top level")
    if not ex.reference and not (ex.path / "solution.py").is_file():
        bad(ex.path / "solution.py", "missing: a reference solution (or name a kdlab function as reference)")
        return problems
    if not (ex.path / "cases.py").is_file():
        bad(ex.path / "cases.py", "missing: the tests")
        return problems
    try:
        prepared = _prepared(ex)
    except Exception as err:
        bad(ex.path / "cases.py", f"cannot prepare the cases: {type(err).__name__}: {err}")
        return problems
    for case in prepared.cases:
        if not isinstance(case.name, dict) or not all(case.name.get(lang) for lang in LANGS):
            bad(ex.path / "cases.py", f"case {localized(case.name)!r}: name it in both languages, "
                                      'Case({"en": "...", "zh": "..."}, ...)')  # fmt: skip
    for i, why in prepared.failures.items():
        bad(ex.path / "cases.py", f"case {localized(prepared.cases[i].name)!r}: the reference raised {why}")
    if prepared.failures:
        return problems
    solutions = [("solution.py", ex.path / "solution.py")] if (ex.path / "solution.py").is_file() else []
    for label, path in solutions:
        report = grade(ex, path.read_text(encoding="utf-8"), everything=True, run=run_trusted)
        if verbose:
            _print_report(label, report)
        if report.load is not None:
            bad(path, f"does not load: {describe(report.load)}")
        for r in report.results:
            if not r.passed:
                bad(path, f"fails case {localized(r.name)!r}: {describe(r.note)}")
    if not ex.wrong_paths():
        bad(ex.path, "no wrong_*.py: add at least one known-wrong solution (a mistake learners make)")
    for path in ex.wrong_paths():
        report = grade(ex, path.read_text(encoding="utf-8"), everything=True, run=run_trusted)
        if verbose:
            _print_report(path.name, report)
        if report.load is not None:
            bad(path, f"does not load ({describe(report.load)}): a wrong solution should be wrong, not broken")
        elif report.passed:
            bad(path, "passes every case: the cases do not catch this mistake")
    return problems


def _print_report(label: str, report: Report) -> None:
    print(f"  {label}: {report.n_passed}/{report.total} passed")
    for r in report.results:
        mark = "ok  " if r.passed else "FAIL"
        print(f"    {mark} {localized(r.name)}{' (hidden)' if r.hidden else ''}: {describe(r.note)}")


def check_main(root: str | None = None, exercise: str | None = None) -> int:
    """`python -m kdlab check-bank`: the questions (kdlab.practice.bank), then every exercise."""
    from kdlab.practice.bank import check_main as check_questions
    from kdlab.practice.bank import load_bank

    status = 0 if exercise else check_questions(root)
    bank_root = Path(root) if root else None
    ids = set(load_bank(bank_root).ids())
    ex_root = (bank_root / "exercises") if bank_root else DEFAULT_ROOT
    found, problems = load_exercises(ex_root)
    if exercise and exercise not in found:
        print(f"no exercise {exercise!r} (there are: {', '.join(sorted(found)) or 'none'})", file=sys.stderr)
        return 1
    if exercise:  # only this exercise's own problems
        problems = [p for p in problems if found[exercise].path in (p.path, *p.path.parents)]
    for ex in sorted(found.values(), key=lambda e: e.id):
        if exercise and ex.id != exercise:
            continue
        if exercise:
            print(f"{ex.id}:")
        problems += check_exercise(ex, ids, verbose=bool(exercise))
    for problem in problems:
        print(problem)
    checked = 1 if exercise else len(found)
    print(f"{checked} exercise(s): {f'{len(problems)} problem(s)' if problems else 'ok'}")
    return 1 if problems or status else 0
