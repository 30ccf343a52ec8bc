"""The small shared pieces: bounded parameters, JSON results, i18n, source lookup, the CLI."""

import dataclasses
import json
import re
import subprocess
import sys

import numpy as np
import pytest

from kdlab.core.i18n import LANGS, PLURAL, catalog, pick_language, translate
from kdlab.core.params import Param, ParamError, validate
from kdlab.core.result import jsonable
from kdlab.core.source import SourceError, find_source

PARAMS = (
    Param("lr", 0.1, low=1e-4, high=2.0),
    Param("epochs", 10, low=1, high=50),
    Param("method", "batch", choices=("batch", "sgd")),
    Param("scale", True),
)


def test_validate_fills_defaults_and_coerces_strings():
    assert validate(PARAMS, {}) == {"lr": 0.1, "epochs": 10, "method": "batch", "scale": True}
    got = validate(PARAMS, {"lr": "0.5", "epochs": "3", "scale": "false"})
    assert got == {"lr": 0.5, "epochs": 3, "method": "batch", "scale": False}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"lr": 5}, "lr: 5.0 is above the maximum 2.0"),
        ({"lr": 0}, "lr: 0.0 is below the minimum 0.0001"),
        ({"lr": "fast"}, "lr: expected float, got 'fast'"),
        ({"lr": float("nan")}, "lr: NaN is not a valid value"),
        ({"epochs": 2.5}, "epochs: expected int, got 2.5"),
        ({"method": "adam"}, "method: 'adam' is not one of batch, sgd"),
        ({"scale": "maybe"}, "scale: expected bool, got 'maybe'"),
        ({"colour": 1}, "unknown parameter(s): colour"),
    ],
)
def test_validate_refuses_with_a_reason(values, message):
    with pytest.raises(ParamError, match=re.escape(message)):
        validate(PARAMS, values)


def test_jsonable_handles_arrays_nan_and_hidden_fields():
    @dataclasses.dataclass
    class R:
        x: np.ndarray
        loss: float
        model: object = dataclasses.field(default=None, metadata={"json": False})

    out = jsonable(R(np.arange(3), float("nan"), model=object()))
    assert out == {"x": [0, 1, 2], "loss": None}
    json.dumps(out)


def test_catalogs_have_the_same_keys():
    assert set(catalog("zh")) == set(catalog("en"))
    assert translate("en", "nav.home") == "Home" and translate("zh", "nav.home") == "首页"
    assert translate("en", "home.count", shown=1, total=2) == "1 of 2 questions"


def test_english_plurals_follow_the_number():
    assert translate("en", "transfer.note_even", n=1, method="m", acc="a", scratch="s").startswith("With 1 label per")
    assert translate("en", "transfer.note_even", n=3, method="m", acc="a", scratch="s").startswith("With 3 labels per")
    assert translate("en", "practice.due_title", n=1, name="Ada") == "**Ada, 1 question is due for review:**"
    assert translate("zh", "augment.results_title", n=110, seeds=1) == translate("zh", "augment.results_title", n=110, seeds=4).replace("4", "1")
    # Every plural names a value its text shows, and "(s)" is gone from the English catalog.
    for key, text in catalog("en").items():
        for name, *_ in PLURAL.findall(text):
            assert "{" + name + "}" in text or "{" + name + ":" in text, key
        assert not re.search(r"\w\(s\)", text), key


@pytest.mark.parametrize(
    ("requested", "locale", "expected"),
    [("en", "zh-CN", "en"), (None, "en-US", "en"), (None, "zh_TW", "zh"), (None, "fr-FR", "zh"), ("xx", None, "zh")],
)
def test_language_choice(requested, locale, expected):
    assert pick_language(requested, locale) == expected
    assert expected in LANGS


def test_find_source_reads_without_importing():
    text = find_source("kdlab.core.params:validate")
    assert text.startswith("def validate(") and "ParamError" in text
    with pytest.raises(SourceError, match="no top-level function or class 'nope'"):
        find_source("kdlab.core.params:nope")
    with pytest.raises(SourceError, match=re.escape("no module 'kdlab.nowhere'")):
        find_source("kdlab.nowhere:x")
    with pytest.raises(SourceError, match="only kdlab modules"):
        find_source("os:getcwd")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kdlab", *args], capture_output=True, text=True, timeout=300)


def test_check_bank_passes_on_the_shipped_bank():
    out = run_cli("check-bank")
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip().endswith(": ok")


def test_check_bank_prints_file_line_problem_and_fails(tmp_path):
    (tmp_path / "x1-bad.en.md").write_text("---\nid: x1-bad\nkind: essay\n---\n", encoding="utf-8")
    out = run_cli("check-bank", str(tmp_path))
    assert out.returncode == 1
    assert "x1-bad.en.md:3: kind: required, one of concept, coding; got 'essay'" in out.stdout


def test_cli_refuses_an_out_of_range_parameter():
    out = run_cli("regression", "--lr", "1000")
    assert out.returncode == 2
    assert "lr" in out.stderr and "maximum" in out.stderr


def test_bench_measures_a_case_without_judging_speed():
    from kdlab.bench import _measure

    figures = _measure("regression")
    assert figures["seconds"] > 0 and figures["peak_mb"] > 0
