"""The Q-learning page used like a learner would: presets, grid edits (good and broken), learners, replay.

Plus the small library pieces the page relies on (translatable grid errors, smoothing, the replay's rewards).
"""

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from kdlab.rl.gridworld import PRESETS, GridError, GridWorld, parse_grid
from kdlab.rl.qlearning import greedy_path, run, smooth, value_iteration

APP = str(Path(__file__).resolve().parent.parent / "app.py")
GRID = "qlearning_grid_text"


@pytest.fixture
def open_page():
    """Open /demo-qlearning in a language (every run takes hundredths of a second)."""

    def opener(lang: str = "en") -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params["lang"] = lang
        at.run()
        at._page_hash = calc_hash("demo-qlearning")  # what a browser does for /demo-qlearning
        at.run()
        assert not at.exception, at.exception
        return at

    return opener


def figures(at: AppTest) -> list[dict]:
    """The result figures (the grid's click editor, shown whenever the grid parses, is apart)."""
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart") if "_editor_" not in el.proto.id]


def editor(at: AppTest):
    return next(el for el in at.get("plotly_chart") if "_editor_" in el.proto.id)


def z_shape(trace: dict) -> tuple[int, ...]:
    z = trace["z"]  # plotly sends a numpy array as {"dtype", "bdata", "shape"}
    return tuple(int(n) for n in z["shape"].split(",")) if isinstance(z, dict) else (len(z), len(z[0]))


def titles(at: AppTest) -> list[str]:
    return [fig["layout"].get("title", {}).get("text", "") for fig in figures(at)]


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [e.value for kind in ("success", "info", "warning", "error")
                                              for e in at.get(kind)]  # fmt: skip
    return "\n".join(parts)


# --- the page ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_default_page_shows_both_policies_the_optimum_and_the_curves(open_page, lang):
    at = open_page(lang)
    names = titles(at)
    learned = "greedy policy" if lang == "en" else "贪心策略"
    assert sum(name.startswith("Q-learning") and learned in name for name in names) >= 2  # your grid + cliff
    assert sum(name.startswith("SARSA") and learned in name for name in names) >= 2
    assert any(("Value iteration" if lang == "en" else "价值迭代") in name for name in names)
    assert len(figures(at)) == 3 + 2 + 1 + 3  # maps, curves, replay, cliff (2 maps + returns)
    assert at.text_area(key=GRID).value == "\n".join(PRESETS["cliff"])
    # The default cliff run shows the textbook picture, said with the run's own numbers.
    # 37 cells where the agent chooses on the 4 x 12 cliff: 48 minus 10 pits and the goal
    assert at.metric[0].value == "35/37"
    if lang == "en":
        assert "every move is optimal" in texts(at)
        assert "SARSA does better" in texts(at)
        assert "step cap" in " ".join(c.value for c in at.caption)


def test_choosing_a_preset_loads_its_grid_and_trains_on_it(open_page):
    at = open_page()
    for preset in [*PRESETS, "cliff"]:
        at.selectbox(key="qlearning_preset").set_value(preset).run()
        assert not at.exception, at.exception
        assert at.text_area(key=GRID).value == "\n".join(PRESETS[preset])
        heatmap = figures(at)[0]["data"][0]
        assert heatmap["type"] == "heatmap"
        assert z_shape(heatmap) == (len(PRESETS[preset]), len(PRESETS[preset][0]))


MALFORMED = {
    "en": [
        ("S..#\n..G", "row 2 has 3 cells, expected 4"),
        ("S.a\n..G", "row 1, column 3: unknown cell “a”"),
        ("S.S\n..G", "there are 2 starts S, at (row, column) (1, 1), (1, 3)"),
        ("S#.\n##.\n..G", "no goal G can be reached from the start S"),
        ("S..\n...", "there is no goal G"),
        ("", "the grid is empty"),
        ("\n".join(["S" + "." * 12] + ["." * 13] * 2 + ["." * 12 + "G"]), "row 1 has 13 cells; at most 12"),
        ("\n".join(["S"] + ["."] * 12 + ["G"]), "the grid has 14 rows; at most 12"),
    ],
    "zh": [
        ("S..#\n..G", "第 2 行有 3 格，应为 4 格"),
        ("S.a\n..G", "第 1 行第 3 列：无法识别的字符“a”"),
        ("S#.\n##.\n..G", "从起点 S 走不到任何终点 G"),
    ],
}


@pytest.mark.parametrize("lang", list(MALFORMED))
def test_a_malformed_grid_shows_the_parsers_message_without_an_exception(open_page, lang):
    at = open_page(lang)
    for grid, message in MALFORMED[lang]:
        at.text_area(key=GRID).input(grid).run()
        assert not at.exception, at.exception
        assert len(at.error) == 1 and message in at.error[0].value, grid
        assert not figures(at)  # nothing was trained
    # Fixing the grid brings the results back.
    at.text_area(key=GRID).input("S..#\n...G").run()
    assert not at.exception and not at.error and figures(at)


def test_an_edited_grid_is_trained_and_reproducible(open_page):
    at = open_page()
    at.text_area(key=GRID).input("S...\n.##.\n...G").run()
    assert not at.exception, at.exception
    heatmap = figures(at)[0]["data"][0]
    assert z_shape(heatmap) == (3, 4)
    assert any("grid='S.../.##./...G'" in c.value for c in at.code)
    assert any("--grid 'S.../.##./...G'" in c.value for c in at.code)  # quoted: '#' starts a shell comment
    # Back to the preset: the grid parameter disappears from the reproduce commands.
    at.button(key="qlearning_reload_button").click().run()
    assert at.text_area(key=GRID).value == "\n".join(PRESETS["cliff"])
    assert not any("--grid" in c.value for c in at.code)


@pytest.mark.parametrize("algorithm, learned", [("q_learning", ["Q-learning"]), ("sarsa", ["SARSA"])])
def test_one_learner_shows_one_policy_beside_the_optimum(open_page, algorithm, learned):
    at = open_page()
    at.selectbox(key="qlearning_algorithm").set_value(algorithm).run()
    assert not at.exception, at.exception
    your_grid = titles(at)[:2]
    assert [name.split(":")[0] for name in your_grid] == [*learned, "Value iteration"]
    # The cliff tab still compares both learners.
    assert any(name.startswith("SARSA") for name in titles(at)) and any(
        name.startswith("Q-learning") for name in titles(at)
    )


def test_the_replay_steps_through_the_greedy_path_to_its_outcome(open_page):
    at = open_page()
    step = next(s for s in at.slider if s.key.startswith("qlearning_replay_step_q_learning"))
    assert step.max == 13  # the default Q-learning path along the cliff edge (4 x 12)
    step.set_value(3).run()
    assert not at.exception, at.exception
    assert any("Step 3 of 13" in m.value for m in at.markdown)
    at.radio(key="qlearning_replay_who").set_value("sarsa").run()
    assert not at.exception, at.exception
    step = next(s for s in at.slider if s.key.startswith("qlearning_replay_step_sarsa"))
    step.set_value(step.max).run()
    assert any("reaches the goal in 15 moves" in s.value for s in at.success)  # one row up, and back


def test_a_greedy_loop_is_reported_not_hung(open_page):
    # Paying +1 a step makes never finishing the best plan: every episode hits the cap, the path loops.
    at = open_page()
    at.selectbox(key="qlearning_preset").set_value("open").run()
    at.slider(key="qlearning_step_reward").set_value(1.0).run()
    assert not at.exception, at.exception
    assert any("loops" in w.value for w in at.warning)
    assert any("stopped at the cap in 100%" in m.value for m in at.markdown)


def test_reset_restores_the_defaults(open_page):
    at = open_page()
    at.selectbox(key="qlearning_preset").set_value("maze").run()
    at.button(key="qlearning_reset_button").click().run()
    assert not at.exception, at.exception
    assert at.selectbox(key="qlearning_preset").value == "cliff"
    assert at.slider(key="qlearning_episodes").value == 500
    assert at.text_area(key=GRID).value == "\n".join(PRESETS["cliff"])


# --- library pieces the page relies on -------------------------------------------------------


@pytest.mark.parametrize(
    "grid, code, values",
    [
        ("S..#/..G", "ragged", {"row": 2, "cells": 3, "expected": 4}),
        ("S.a/..G", "unknown_cell", {"row": 1, "column": 3, "cell": "a"}),
        ("S.S/..G", "many_starts", {"n": 2, "positions": [(1, 1), (1, 3)]}),
        ("SX./XX./..G", "unreachable_goal", {}),
    ],
)
def test_grid_errors_carry_a_code_and_values_for_translation(grid, code, values):
    with pytest.raises(GridError) as err:
        parse_grid(grid)
    assert isinstance(err.value, ValueError) and err.value.code == code and err.value.values == values


def test_smooth_is_a_trailing_mean():
    x = np.array([1.0, 3.0, 5.0, 7.0])
    assert smooth(x, 2).tolist() == [1.0, 2.0, 4.0, 6.0]
    assert smooth(x, 1).tolist() == x.tolist()
    assert smooth(x, 100).tolist() == pytest.approx([1.0, 2.0, 3.0, 4.0])


def test_greedy_path_records_each_reward_and_the_run_caps_it_at_max_steps():
    env = GridWorld(("S...G",), step_reward=-1.0, goal_reward=10.0)
    path = greedy_path(value_iteration(env, 0.9)[1], env)
    assert path.rewards == [-1.0, -1.0, -1.0, 10.0] and path.total_reward == 7.0
    # A path needing more moves than the step cap is stopped there, like a training episode.
    long = "S........./#########./.........G"
    result = run(grid=long, algorithm="q_learning", episodes=300, max_steps=10)
    assert result.runs["q_learning"].path.outcome in ("cap", "loop")
    assert len(result.runs["q_learning"].path.actions) <= 10


def test_extreme_settings_render_honestly(open_page):
    at = open_page()
    at.text_area(key=GRID).input("SG").run()
    at.slider(key="qlearning_episodes").set_value(1).run()
    at.slider(key="qlearning_epsilon").set_value(0.0).run()
    at.select_slider(key="qlearning_gamma").set_value(0.0).run()
    at.slider(key="qlearning_slip").set_value(0.5).run()
    assert not at.exception, at.exception
    assert any(m.value == "G in 1 move" for m in at.metric)
    # The cliff tab trains on the cliff with the same settings; one greedy episode shows nothing of the book.
    assert any("does not show the textbook picture" in i.value for i in at.info)


def test_clicking_a_cell_paints_it_and_retrains(open_page):
    """As in REINFORCEjs: choose what to paint, click a square; the grid text follows."""
    at = open_page()
    assert editor(at) is not None
    at.session_state["qlearning_brush"] = "#"
    # What the browser sends when a square is clicked: the chart's selection, under its key.
    at.session_state["qlearning_editor_0"] = {"selection": {"points": [{"x": 3, "y": 1}], "point_indices": [15]}}
    at.run()
    assert not at.exception, at.exception
    rows = at.text_area(key=GRID).value.splitlines()
    assert rows[1][3] == "#" and rows[0] == PRESETS["cliff"][0]
    assert figures(at)  # retrained on the new grid


def test_the_epsilon_floor_is_greyed_out_until_epsilon_decays(open_page):
    at = open_page()
    floor = at.slider(key="qlearning_epsilon_min")
    assert floor.disabled  # decay 1 by default: ε never moves, a floor would do nothing
    at.slider(key="qlearning_epsilon_decay").set_value(0.99).run()
    assert not at.exception and not at.slider(key="qlearning_epsilon_min").disabled
