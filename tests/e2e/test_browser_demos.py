"""Every live demo in a real browser: it runs, draws its charts, and answers the learner's controls."""

import re

import pytest

from kdlab.core.i18n import translate
from kdlab.demos import DEMOS

pytestmark = pytest.mark.e2e


def en(key: str, **values) -> str:
    return translate("en", key, **values)


def template(key: str, **known) -> re.Pattern:
    """The English text of `key` as a pattern: the given placeholders filled in, the others any text."""
    parts = re.split(r"(\{\w+\})", en(key))
    return re.compile("".join(
        re.escape(str(known[p[1:-1]])) if p[1:-1] in known else ".+?" if p.startswith("{") else re.escape(p)
        for p in parts
    ))  # fmt: skip


def slider(tab, label: str):
    """The visible slider thumb with this label (hidden tabs hold sliders with the same label)."""
    name = tab.page.locator("[data-testid='stWidgetLabel']").get_by_text(label, exact=True)
    return (
        tab.page.locator("[data-testid='stSlider']")
        .filter(visible=True)
        .filter(has=name)
        .locator("input[type=range]")
    )


def press(tab, label: str, *keys: str) -> None:
    thumb = slider(tab, label)
    thumb.focus()
    for key in keys:
        thumb.press(key)


@pytest.mark.parametrize("demo", list(DEMOS))
def test_demo_runs_and_draws(tab, demo, expect):
    tab.open(f"/demo-{demo}?lang=en")
    expect(tab.page.get_by_role("heading", name=en(f"demo.{demo}"))).to_be_visible()
    tab.chart()
    tab.idle()
    tab.assert_clean()


def soft_targets(tab) -> dict[str, list[float]]:
    """The soft-target bar chart: trace name ("T = 1", "T = 4") -> the ten class probabilities."""
    for figure in tab.plotly_traces():
        names = [t["name"] for t in figure]
        if names and all(str(n).startswith("T = ") for n in names):
            return {t["name"]: t["y"] for t in figure}
    raise AssertionError("no soft-target chart on the page")


def test_distill_temperature_moves_the_soft_targets(tab):
    tab.open("/demo-distill?lang=en")
    tab.page.get_by_role("tab", name=en("distill.tab_soft")).click()
    tab.chart()
    before = soft_targets(tab)
    assert set(before) == {"T = 1", "T = 4"}

    press(tab, en("params.distill.T"), *["ArrowRight"] * 4)  # 4.0 -> 6.0 in steps of 0.5
    tab.page.wait_for_function(
        """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
                 .some(p => (p.data || []).some(t => t.name === 'T = 6'))"""
    )
    tab.idle()
    after = soft_targets(tab)
    assert set(after) == {"T = 1", "T = 6"}
    assert after["T = 1"] == pytest.approx(before["T = 1"])  # the same image at T = 1
    assert after["T = 6"] != pytest.approx(before["T = 4"], abs=1e-3)
    # A higher temperature spreads the probability: the top class loses some.
    assert max(after["T = 6"]) < max(before["T = 4"])
    tab.page.locator("[data-testid='stPlotlyChart']").nth(1).scroll_into_view_if_needed()
    tab.assert_clean()


def test_cnn_trains_with_the_learners_settings(tab, expect):
    tab.open("/demo-cnn?lang=en")
    tab.chart()  # the default run
    # Small settings, and a seed no one has trained, so this really trains.
    press(tab, en("params.cnn.epochs"), "Home", "ArrowRight")  # 2
    press(tab, en("params.cnn.channels"), "Home", "ArrowRight", "ArrowRight")  # 4
    press(tab, en("params.cnn.layers"), "Home")  # 1
    press(tab, en("params.cnn.seed"), "ArrowRight")  # 1
    tab.page.get_by_role("button", name=en("cnn.train"), exact=True).click()

    expect(tab.page.get_by_text(template("cnn.trained", epochs=2))).to_be_visible()
    tab.idle()
    tab.chart()
    curves = next(f for f in tab.plotly_traces() if any(t["name"] == en("cnn.curve_train") for t in f))
    assert all(t["x"] == [1, 2] for t in curves), curves
    expect(tab.page.get_by_role("heading", name=en("cnn.confusion_title"))).to_be_visible()
    assert tab.page.locator("[data-testid='stPlotlyChart']").count() >= 4  # curves, confusions, filters, maps
    tab.assert_clean()


def loss_curve(tab) -> list[float]:
    """The regression panel's loss-per-step line, as the browser plotted it."""
    for figure in tab.plotly_traces():
        for trace in figure:
            if trace["y"] and trace["x"] and len(trace["y"]) > 20:
                return trace["y"]
    raise AssertionError("no loss curve on the page")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_question_walks_through_its_experiment(tab, lang, expect):
    """p01: the experiment runs on the question's own page; its control retrains it there."""
    tab.open(f"/p01-linear-regression?lang={lang}")
    title = f"{translate(lang, 'question.live_title')}: {translate(lang, 'demo.regression')}"
    expect(tab.page.get_by_role("heading", name=re.compile(re.escape(title)))).to_be_visible()
    tab.chart()
    before = loss_curve(tab)
    press(tab, translate(lang, "params.regression.lr"), "End")  # the largest learning rate: 2
    tab.idle()
    tab.page.wait_for_timeout(500)  # Plotly redraws after the run
    after = loss_curve(tab)
    assert before[-1] < before[0] / 10  # lr 0.1: the loss falls by orders of magnitude
    assert after[-1] > after[0] / 2  # lr 2, the stable limit: it bounces and never falls
    expect(tab.page.get_by_text(translate(lang, "question.live_open"))).to_be_visible()
    tab.assert_clean()


def test_qlearning_cells_are_painted_by_clicking(tab, expect):
    """REINFORCEjs-style editing: click a square of the grid editor; the grid text and the run follow."""
    tab.open("/demo-qlearning?lang=en")
    tab.chart()
    editor = tab.page.locator("[class*='st-key-qlearning_editor_0']").first
    editor.scroll_into_view_if_needed()
    squares = editor.locator("path.point")
    expect(squares).to_have_count(48)  # Sutton and Barto's 4 x 12 cliff
    squares.nth(15).click(force=True)  # row 2, column 4 (the wall brush is chosen by default)
    expect(tab.page.locator("textarea").first).to_have_value("............\n...#........\n" + "." * 12
                                                              + "\nSXXXXXXXXXXG")  # fmt: skip
    tab.idle()
    tab.assert_clean()
