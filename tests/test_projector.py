"""Projector mode and the shared plot style (issue 15): ?projector=1 kept across pages, larger figure
fonts; one temperature step for every form; the progress page's accuracy-by-tag chart to 100% with
every label; log axes by decade; a loss at rounding level not drawn as noise; progress with the
time left; display equations set apart from their paragraph."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from kdlab import distill
from kdlab.core import progress
from kdlab.practice.bank import display_math
from kdlab.practice.progress import new_visit_id, open_store
from pages.demos import kit
from pages.shared.plots import settled_at, style
from tests.test_app import APP, open_url

ROOT = Path(__file__).resolve().parent.parent


def start(projector: bool, learner: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "en"
    if projector:
        at.query_params["projector"] = "1"
    if learner:
        at.query_params["learner"] = learner
    return at.run()


def figures(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec)["layout"] for el in at.get("plotly_chart")]


def param(at: AppTest, name: str):
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def test_projector_param_is_kept_across_pages_and_makes_figures_larger():
    at = open_url(start(projector=True), "demo-regression")
    assert not at.exception
    assert at.session_state["projector"] is True and param(at, "projector") == "1"
    large = figures(at)
    assert large and all(f["font"]["size"] == 18 and f["title"]["font"]["size"] == 24 for f in large)

    at = open_url(at, "demo-losses")  # another page in the same session: still on, still in the URL
    assert not at.exception and param(at, "projector") == "1"
    assert all(f["font"]["size"] == 18 for f in figures(at))

    at.sidebar.toggle(key="projector").set_value(False).run()  # the toggle turns it off, URL too
    assert not at.exception and param(at, "projector") is None
    assert figures(at) and all(f.get("font", {}).get("size") in (None, 12) for f in figures(at))


def test_every_temperature_slider_steps_by_the_one_step_in_params():
    # The page's default run, stored small beforehand: this test is about the sliders, not the numbers.
    defaults = {p.name: p.default for p in distill.PARAMS if p.name in ("T", "alpha", "student_hidden", "n_labels",
                                                                        "epochs", "seeds", "lr")}  # fmt: skip
    quick = distill.run(experiment="compare", epochs=5, seeds=1, student_hidden=8, n_labels=20)
    kit.store("distill").put(kit.key_of({"experiment": "compare"} | defaults), quick)
    at = open_url(start(projector=False), "demo-distill")
    assert not at.exception
    T = next(p for p in distill.PARAMS if p.name == "T")
    sliders = {s.key: s for s in at.slider if s.label == "Temperature T"}
    # The soft-target view, the two forms (compare, omitted class) and the step-through.
    assert {"view_distill_T", "distill_T", "omit_distill_T", "step_distill_T"} <= set(sliders)
    assert T.step == 0.5
    for s in sliders.values():
        assert (s.proto.step, s.proto.min, s.proto.max) == (T.step, T.low, T.high), s.key


def test_accuracy_by_tag_reaches_100_percent_with_every_label(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'progress.db'}"
    monkeypatch.setenv("KDLAB_DATABASE_URL", url)
    with open_store(url) as store:
        ada = store.learner("Ada")
        for qid, right in (("c02-deep-learning", [True, True, True, True]), ("c06-attention", [False, False])):
            visit = new_visit_id()
            for item, correct in enumerate(right):
                store.record_quiz(ada, qid, item, correct, "en", choice=0, attempt=1, visit=visit)
    at = open_url(start(projector=False, learner="Ada"), "progress")
    assert not at.exception
    spec = next(json.loads(el.proto.spec) for el in at.get("plotly_chart")
                if "Accuracy by tag" in json.loads(el.proto.spec)["layout"]["title"]["text"])  # fmt: skip
    layout, bars = spec["layout"], spec["data"][0]
    assert layout["xaxis"]["range"][0] == 0 and layout["xaxis"]["range"][1] >= 1
    assert 1 in layout["xaxis"]["tickvals"]  # a 100% tick, labelled
    tags = bars["y"]  # deep-learning, basics at 4/4; attention, nlp, ... at 0/2, which must be labelled too
    assert len(bars["text"]) == len(tags) and "0/2" in bars["text"] and "4/4" in bars["text"]
    assert bars["textposition"] == "outside"
    assert (layout["height"] - 140) / len(tags) >= 30  # bars readable, not squashed into 20 px


def test_log_axes_get_decade_ticks_and_legends_stay_off_the_data():
    fig = go.Figure(go.Scatter(x=[0, 1, 2], y=[2807.0, 200.0, 19.8]))
    fig.add_bar(x=[0, 1], y=[1, 2], name="b", yaxis="y2")
    fig.update_layout(yaxis_type="log", yaxis2=dict(type="log", overlaying="y"),
                      legend=dict(orientation="h", y=1.12))  # fmt: skip
    style(fig)
    assert fig.layout.yaxis.dtick == 1 and fig.layout.yaxis.exponentformat == "power"
    assert list(fig.layout.yaxis2.tickvals) == [1, 2]  # under a decade: 1-2-5 ticks, not every digit
    assert fig.layout.legend.y == 1.02 and fig.layout.legend.yanchor == "bottom"  # above the plot, not over it

    inside = go.Figure(go.Bar(y=[1, 2]), layout=dict(legend=dict(x=0.8, y=0.9)))
    assert style(inside).layout.legend.yanchor == "bottom" and inside.layout.legend.y > 1
    cached = go.Figure(go.Bar(y=[1], textfont=dict(size=10)))
    assert style(cached, large=True).data[0].textfont.size == 15 and cached.data[0].textfont.size == 10


def test_a_loss_at_rounding_level_is_not_drawn_as_noise():
    flat = 2807.335 * (1 + np.random.default_rng(0).normal(0, 1e-15, 200))
    assert settled_at(flat) == 0
    converging = np.r_[np.geomspace(1000, 20, 50), np.full(50, 20.0)]
    assert settled_at(converging) == 49
    assert settled_at(np.geomspace(1000, 20, 50)) is None  # still moving at the end: draw it all


def test_progress_reports_nested_steps_in_order_and_the_time_left():
    seen: list[progress.Progress] = []
    with progress.watch(seen.append):
        for _ in progress.steps(range(2), "seed"):
            for _ in progress.steps(("alone", "distilled"), "student"):
                for epoch in progress.steps(range(10), "epoch"):
                    if epoch == 4:
                        break  # stopped early: the rest of this student's share is passed on
    done = [p.done for p in seen]
    assert done == sorted(done) and done[-1] == pytest.approx(1.0)
    assert seen[0].where == (("seed", 1, 2), ("student", 1, 2), ("epoch", 1, 10))
    assert seen[0].seconds_left is not None and seen[-1].seconds_left == pytest.approx(0.0)
    assert list(progress.steps([1, 2])) == [1, 2]  # without a watcher: just the items


def test_distillation_and_shop_runs_report_progress():
    seen: list[progress.Progress] = []
    with progress.watch(seen.append):
        distill.run(experiment="compare", epochs=5, seeds=2, student_hidden=8, n_labels=20)
    assert len(seen) == 2 * 2 * 5 + 2 * 2 + 2  # every epoch, student and seed
    assert seen[-1].done == pytest.approx(1.0) and {name for name, _, _ in seen[0].where} == {"seed", "student", "epoch"}

    from kdlab.shop import ecommerce

    seen.clear()
    with progress.watch(seen.append):
        ecommerce.run(scenario="profile", seeds=2)
    assert [round(p.done, 3) for p in seen] == [0.5, 1.0]


def test_display_equations_get_a_paragraph_of_their_own():
    text = "The model:\n$$P = \\theta\\gamma$$\nWe want it.\n```\n$$not maths$$\n```"
    assert display_math(text) == "The model:\n\n$$\nP = \\theta\\gamma\n$$\n\nWe want it.\n```\n$$not maths$$\n```"
    assert display_math("a\n$$x\n= y$$\nb") == "a\n\n$$\nx\n= y\n$$\n\nb"
    assert display_math("text with $$inline$$ maths") == "text with $$inline$$ maths"


def test_every_figure_goes_through_the_shared_style():
    """st.plotly_chart only inside pages/shared/plots.py: every page draws with chart()."""
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in (ROOT / "pages").rglob("*.py")
        if path.name != "plots.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\.plotly_chart\(", line)
    ]
    assert not offenders, "draw figures with pages.shared.plots.chart: " + ", ".join(offenders)
