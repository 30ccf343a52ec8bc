"""One common test for every experiment in the registry, as scikit-learn's check_estimator does
for estimators: a new experiment cannot forget a part of the contract (kdlab/demos.py)."""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import io
import json
import math

import pytest

from kdlab import bench
from kdlab.cli import main
from kdlab.core.i18n import LANGS, catalog
from kdlab.core.params import Param, ParamError, defaults, validate
from kdlab.demos import DEMOS, load
from tests.page_oracles import ORACLES, agrees

pytestmark = pytest.mark.parametrize("demo", list(DEMOS))


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as stop:
            code = stop.code
    return code, out.getvalue(), err.getvalue()


def flags(values: dict) -> list[str]:
    return [part for k, v in values.items() for part in (f"--{k.replace('_', '-')}", str(v))]


def outside(p: Param) -> list:
    """Values the parameter must refuse."""
    if p.choices is not None:
        return ["no-such-choice"]
    if isinstance(p.default, bool):
        return ["maybe"]
    bad = ["not-a-number"]
    if p.low is not None:
        bad.append(p.low - (1 if isinstance(p.default, int) else max(abs(p.low) * 0.5, 1e-3)))
    if p.high is not None:
        bad.append(p.high + (1 if isinstance(p.default, int) else max(abs(p.high) * 0.5, 1e-3)))
    return bad


def test_the_module_has_the_contract(demo):
    module = load(demo)
    assert (module.__doc__ or "").strip(), "a docstring: its first line is the CLI's help"
    assert module.PARAMS and all(isinstance(p, Param) for p in module.PARAMS)
    assert callable(module.run) and callable(module.summarize)
    assert set(module.QUICK) <= {p.name for p in module.PARAMS}
    validate(module.PARAMS, module.QUICK)


def test_every_default_is_valid_and_every_number_is_bounded(demo):
    for p in load(demo).PARAMS:
        assert p.check(p.default) == p.default, p.name
        if isinstance(p.default, (int, float)) and not isinstance(p.default, bool) and p.choices is None:
            assert p.low is not None and p.high is not None, f"{demo}.{p.name} is unbounded"


def test_every_bound_is_refused_with_a_message(demo):
    for p in load(demo).PARAMS:
        if isinstance(p.default, str) and p.choices is None:
            continue  # free text (a custom grid) is checked by the experiment itself
        for value in outside(p):
            with pytest.raises(ParamError, match=p.name):
                p.check(value)
            code, _, err = cli(demo, f"--{p.name.replace('_', '-')}", str(value))
            assert code == 2 and p.name in err, (p.name, value, err)


def test_a_quick_run_works_summarizes_and_prints_valid_json(demo):
    module = load(demo)
    result = module.run(**validate(module.PARAMS, module.QUICK))
    assert dataclasses.is_dataclass(result)
    text = module.summarize(result)
    assert isinstance(text, str) and text.strip()
    code, out, err = cli(demo, *flags(module.QUICK), "--json")
    assert code == 0, err
    parsed = json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} in --json output"))
    assert isinstance(parsed, dict) and parsed


@pytest.mark.parametrize("lang", LANGS)
def test_both_languages_label_every_parameter(demo, lang):
    words = catalog(lang)
    assert f"demo.{demo}" in words
    for p in load(demo).PARAMS:
        assert f"params.{demo}.{p.name}" in words, f"{lang}: no label for {demo}.{p.name}"
        for c in p.choices or ():
            if isinstance(c, str):
                assert f"choices.{demo}.{c}" in words or not c.isidentifier() or c == str(c).upper(), (
                    f"{lang}: no label for the choice {demo}.{c}"
                )
    assert f"{demo}.compact_look" in words


def test_the_page_offers_a_full_lab_and_a_compact_panel(demo):
    page = importlib.import_module(f"pages.demos.{demo}")
    assert callable(page.render) and callable(page.compact)


def test_bench_lists_it(demo):
    names = list(bench.TARGETS) + list(bench._ecommerce_cases())
    assert any(name == demo or name.startswith(f"{demo}-") for name in names)


def test_defaults_are_what_the_cli_runs(demo):
    module = load(demo)
    assert validate(module.PARAMS, {}) == defaults(module.PARAMS)
    assert all(not (isinstance(v, float) and math.isnan(v)) for v in defaults(module.PARAMS).values())


@pytest.mark.shared_results  # the default runs are those of the question pages' panels (tests/test_app.py)
@pytest.mark.parametrize("lang", LANGS)
def test_every_metric_the_page_shows_is_recomputed_independently(demo, lang, page_results):
    """Every st.metric of the page at its defaults, in both languages, against tests/page_oracles.py:
    the same number recomputed from the run's data, predictions or model by another path."""
    from streamlit.testing.v1 import AppTest

    from tests.test_app import APP, open_url

    assert demo in ORACLES, f"no oracle for {demo}'s page: add one to tests/page_oracles.py"
    at = AppTest.from_file(APP, default_timeout=240)  # the first run of a deep demo trains it
    at.query_params["lang"] = lang
    at = open_url(at.run(), f"demo-{demo}")
    assert not at.exception, at.exception
    expected = ORACLES[demo](page_results, lang)
    shown = [(m.label, m.value, m.delta) for m in at.metric]
    assert [m[0] for m in shown] == [e[0] for e in expected], "every metric shown has an oracle, in page order"
    for (label, value, delta), (_, want, *want_delta) in zip(shown, expected, strict=True):
        ok, what = agrees(value, want)
        assert ok, f"{demo} ({lang}) {label}: shows {value!r}, recomputed {what}"
        if want_delta:
            ok, what = agrees(delta, want_delta[0])
            assert ok, f"{demo} ({lang}) {label}: delta {delta!r}, recomputed {what}"
