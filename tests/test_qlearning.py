"""Grid world, Q-learning, SARSA and value iteration.

How "learned = optimal" is judged: value iteration on the known model gives Q*; a cell
agrees when every action the learned table ranks best (all of them, if it has ties) is
among Q*'s optimal actions (`qlearning.agreement`). Comparing action sets is needed
because open grids have many cells with two optimal actions, and counting a learned tie
as right would let an unvisited cell (all four values still 0) pass. Q-learning only
converges where it has tried every action often, so "all reachable cells" is asserted
where the behaviour explores everywhere (a small open grid, or a random behaviour policy,
which off-policy Q-learning is allowed to learn from); elsewhere the claim is about the
cells the greedy policy actually walks through: every move of its path is optimal.
"""

import json
import subprocess
import sys

import numpy as np
import pytest

from kdlab.core.params import ParamError, defaults, validate
from kdlab.core.result import jsonable
from kdlab.rl.gridworld import MAX_SIZE, PRESETS, GridWorld, parse_grid
from kdlab.rl.qlearning import (
    PARAMS,
    _epsilon_greedy,
    agreement,
    best_actions,
    greedy_path,
    greedy_policy,
    q_learning,
    render_policy,
    run,
    sarsa,
    summarize,
    value_iteration,
)

UP, RIGHT, DOWN, LEFT = range(4)
OPEN4 = "S.../..../..../...G"
DECAY = dict(
    alpha=0.5, gamma=0.9, epsilon=1.0, epsilon_decay=0.99, epsilon_min=0.05, episodes=500, max_steps=200
)


# --- the grid ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "grid, message",
    [
        ([], "the grid is empty"),
        ("S..G/...", "row 2 has 3 cells, expected 4"),
        (["S.......", "........", "...", "......G."], "row 3 has 3 cells, expected 8"),
        ("S.a/..G", "row 1, column 3: unknown cell 'a'"),
        ("..../...G", "no start S"),
        ("S.S/..G", "2 starts S (row 1 column 1, row 1 column 3)"),
        ("S../...", "no goal G"),
        ("S#./##./..G", "no goal G can be reached"),
        ("SX./XX./..G", "no goal G can be reached"),
        ("S" + "." * MAX_SIZE + "/G" + "." * MAX_SIZE, f"row 1 has {MAX_SIZE + 1} cells; at most {MAX_SIZE}"),
        ("/".join(["S"] + ["."] * MAX_SIZE + ["G"]), f"the grid has {MAX_SIZE + 2} rows; at most {MAX_SIZE}"),
    ],
)
def test_malformed_grids_are_refused_with_a_reason(grid, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_grid(grid)


def test_grid_accepts_rows_or_a_slash_string():
    assert (
        parse_grid(" S.# / ..G ") == parse_grid(["S.#", "..G"]) == parse_grid("S.#\n..G\n") == ("S.#", "..G")
    )


def test_presets_are_valid_and_the_cliff_is_sutton_bartos():
    for rows in PRESETS.values():
        env = GridWorld(rows)
        assert max(env.shape) <= MAX_SIZE
    cliff = PRESETS["cliff"]
    assert (len(cliff), len(cliff[0])) == (4, 12)  # Sutton & Barto, Example 6.6
    assert cliff[-1] == "S" + "X" * 10 + "G"
    assert all(set(row) == {"."} for row in cliff[:-1])


def test_moves_walls_edges_and_rewards():
    env = GridWorld(("S#G", "...", "X.."), step_reward=-2.0, goal_reward=7.0, pit_reward=-50.0)
    assert env.step((0, 0), RIGHT) == ((0, 0), -2.0, False)  # into a wall: stay, pay a step
    assert env.step((0, 0), UP) == ((0, 0), -2.0, False)  # off the grid: stay
    assert env.step((0, 0), DOWN) == ((1, 0), -2.0, False)
    assert env.step((1, 0), DOWN) == ((2, 0), -50.0, True)
    assert env.step((1, 2), UP) == ((0, 2), 7.0, True)
    assert env.reachable.tolist() == [[True, False, False], [True, True, True], [False, True, True]]


def test_slip_replaces_the_action_at_the_given_rate():
    env = GridWorld(("S..", "...", "..G"), slip=0.4)
    rng = np.random.default_rng(0)
    moved_right = np.mean([env.step((1, 1), RIGHT, rng)[0] == (1, 2) for _ in range(20_000)])
    assert moved_right == pytest.approx(1 - 0.4 + 0.4 / 4, abs=0.01)


# --- value iteration against closed forms ------------------------------------------------


def discounted_value(moves: int, gamma: float, step: float, goal: float) -> float:
    """moves - 1 steps paying `step`, then the move onto G paying `goal`."""
    return sum(step * gamma**k for k in range(moves - 1)) + goal * gamma ** (moves - 1)


def test_value_iteration_matches_the_closed_form_in_a_corridor():
    env = GridWorld(("S...G",), step_reward=-1.0, goal_reward=10.0)
    V, Q = value_iteration(env, gamma=0.9)
    assert V[0, 0] == pytest.approx(-1 - 0.9 - 0.81 + 0.729 * 10)  # 4.58 by hand
    for col in range(4):
        assert V[0, col] == pytest.approx(discounted_value(4 - col, 0.9, -1.0, 10.0))
    assert V[0, 4] == 0.0  # nothing follows the goal
    assert Q[0, 0, LEFT] == pytest.approx(-1 + 0.9 * V[0, 0])  # a bump costs a step and gets nowhere


def test_value_iteration_on_the_open_grid_follows_manhattan_distance():
    env = GridWorld.preset("open")
    V, Q = value_iteration(env, gamma=0.95)
    for r, c in zip(*np.nonzero(env.reachable), strict=True):
        assert V[r, c] == pytest.approx(discounted_value(8 - r - c, 0.95, -1.0, 10.0))
    optimal = best_actions(Q, env, rtol=1e-6)
    assert optimal[0, 0].tolist() == [False, True, True, False]  # right and down tie
    assert optimal[4, 3].tolist() == [False, True, False, False]


def test_value_iteration_with_slip_matches_the_closed_form():
    # From S, "right" reaches G with p = 1 - slip + slip/4; otherwise the agent bumps and stays:
    # V = p * goal + (1 - p) * (step + gamma * V).
    slip, gamma = 0.3, 0.9
    env = GridWorld(("SG",), slip=slip)
    V, _ = value_iteration(env, gamma=gamma)
    p = 1 - slip + slip / 4
    assert V[0, 0] == pytest.approx((p * 10.0 + (1 - p) * -1.0) / (1 - (1 - p) * gamma))


def test_with_slip_the_safe_route_becomes_optimal():
    def optimal_path(env):
        return greedy_path(value_iteration(env, gamma=0.99)[1], env)

    assert len(optimal_path(GridWorld.preset("bridge")).actions) == 7  # straight across
    detour = optimal_path(GridWorld.preset("bridge", slip=0.1))
    assert detour.outcome == "goal" and len(detour.actions) == 13
    assert not any(r == 3 and 0 < c < 7 for r, c in detour.cells)  # never on the bridge


# --- one update by hand ---------------------------------------------------------------------
# The corridor S . G (cells 0, 1, 2), step -1, goal +10, alpha 0.5, gamma 0.9, two episodes capped at
# 2 moves. epsilon = 1: every action is random, drawn as int(4u) from every second number of the
# seeded stream (the first of each pair is the u < epsilon test). With seed 227 the stream is
# 0.497 0.490 | 0.173 0.372 | 0.853 0.346 | 0.055 0.971 | 0.125 0.179 ..., so the actions are
# right, right | right, left, up (1, 1 | 1, 3, 0); both learners draw the same numbers in the same order.
#   episode 1: S -right-> 1 (r -1): Q(S,right) = 0 + 0.5 * (-1 + 0.9 * 0 - 0) = -0.5   (Q(1,.) all 0)
#              1 -right-> G (r +10, the end): Q(1,right) = 0 + 0.5 * (10 - 0) = 5
#   episode 2: S -right-> 1 (r -1), and the next action drawn at 1 is left; then 1 -left-> S, cap.
HAND = dict(episodes=2, alpha=0.5, gamma=0.9, epsilon=1.0, epsilon_decay=1.0, epsilon_min=1.0, max_steps=2, seed=227)


def corridor_sg():
    return GridWorld(("S.G",), step_reward=-1.0, goal_reward=10.0, slip=0.0)


def test_seed_227_draws_the_actions_the_hand_computation_assumes():
    u = np.random.default_rng(227).random(10)
    assert (u[1::2] * 4).astype(int).tolist() == [RIGHT, RIGHT, RIGHT, LEFT, UP]


def test_one_q_learning_update_by_hand():
    r = q_learning(corridor_sg(), **HAND)
    assert r.algorithm == "q_learning" and r.lengths.dtype.kind == "i"
    # Episode 2, S -right-> 1: the target bootstraps from the BEST action at 1 (right, 5):
    # Q(S,right) = -0.5 + 0.5 * (-1 + 0.9 * max(0, 5, 0, 0) - (-0.5)) = -0.5 + 0.5 * 4 = 1.5
    assert r.Q[0, 0, RIGHT] == pytest.approx(1.5)
    # Then 1 -left-> S: Q(1,left) = 0 + 0.5 * (-1 + 0.9 * max(0, 1.5, 0, 0) - 0) = 0.5 * 0.35 = 0.175
    assert r.Q[0, 1, LEFT] == pytest.approx(0.175)
    assert r.Q[0, 1, RIGHT] == pytest.approx(5.0)
    assert np.count_nonzero(r.Q) == 3  # nothing else was updated
    assert r.lengths.tolist() == [2, 2] and r.outcomes.tolist() == ["goal", "cap"] and r.returns.tolist() == [9, -2]


def test_one_sarsa_update_by_hand():
    r = sarsa(corridor_sg(), **HAND)
    assert r.algorithm == "sarsa" and r.lengths.dtype.kind == "i"
    # Episode 2, S -right-> 1: the target bootstraps from the action TAKEN next at 1 (left, still 0):
    # Q(S,right) = -0.5 + 0.5 * (-1 + 0.9 * Q(1,left) - (-0.5)) = -0.5 + 0.5 * (-1 + 0 + 0.5) = -0.75
    assert r.Q[0, 0, RIGHT] == pytest.approx(-0.75)
    # Then 1 -left-> S, the next action drawn is up: Q(1,left) = 0 + 0.5 * (-1 + 0.9 * Q(S,up) - 0) = -0.5
    assert r.Q[0, 1, LEFT] == pytest.approx(-0.5)
    assert r.Q[0, 1, RIGHT] == pytest.approx(5.0)
    assert np.count_nonzero(r.Q) == 3
    assert r.lengths.tolist() == [2, 2] and r.outcomes.tolist() == ["goal", "cap"] and r.returns.tolist() == [9, -2]


def test_epsilon_greedy_reads_the_stream_as_written():
    # Each call reads one number for "explore?", then one more only to explore or to break a tie.
    u = iter([0.5, 0.99])
    assert _epsilon_greedy([0.0, 1.0, 0.0, 0.0], 0.3, u) == 1 and next(u) == 0.99  # one best: one draw
    assert _epsilon_greedy([1.0, 1.0, 0.0, 1.0], 0.3, iter([0.5, 0.7])) == 3  # ties 0, 1, 3: int(0.7 * 3) = 2
    assert _epsilon_greedy([0.0, 1.0, 0.0, 0.0], 0.3, iter([0.2, 0.6])) == 2  # explores: int(0.6 * 4)
    assert _epsilon_greedy([0.0, 1.0, 0.0, 0.0], 0.3, iter([0.3, 0.6])) == 1  # u = epsilon: does not explore


@pytest.mark.parametrize(
    "bad", [dict(alpha=0.0), dict(alpha=1.01), dict(gamma=-0.01), dict(gamma=1.01), dict(episodes=0), dict(max_steps=0)]
)
def test_learners_refuse_settings_out_of_range(bad):
    for learner in (q_learning, sarsa):
        with pytest.raises(ValueError, match=r"need 0 < alpha <= 1, 0 <= gamma <= 1, episodes >= 1 and max_steps >= 1"):
            learner(GridWorld(("SG",)), **bad)


def test_learners_accept_the_edges_of_their_ranges():
    for edge in (dict(alpha=1.0), dict(gamma=0.0), dict(gamma=1.0), dict(episodes=1), dict(max_steps=1)):
        assert len(q_learning(GridWorld(("S.G",)), **edge).returns) == edge.get("episodes", 500)


def test_q_learning_with_slip_learns_the_slippery_values():
    """S . G with slip 0.3 (a random action replaces the chosen one 30% of the time), learned from random
    moves with a small step (alpha 0.02, 4000 episodes): Q-learning's values are value iteration's for the
    slippery grid to 0.4, while the slip-free values differ from those by 1.18."""
    env = GridWorld(("S.G",), step_reward=-1.0, goal_reward=10.0, slip=0.3)
    _, q_star = value_iteration(env, 0.9)
    _, q_dry = value_iteration(GridWorld(("S.G",), step_reward=-1.0, goal_reward=10.0), 0.9)
    live = ~np.isnan(q_star)
    assert np.max(np.abs(q_dry[live] - q_star[live])) > 1.1
    r = q_learning(env, episodes=4000, alpha=0.02, gamma=0.9, epsilon=1.0, epsilon_min=1.0, max_steps=50, seed=0)
    np.testing.assert_allclose(r.Q[live], q_star[live], atol=0.4)


def test_run_assembles_what_the_page_reads():
    # S . #      the wall is NaN; the pit X and the goal G are 0 (nothing follows them)
    # X . G      by hand (gamma 0.5, step -2, goal +5): V(1,1) = 5, V(0,1) = -2 + 0.5 * 5 = 0.5,
    #            V(S) = -2 + 0.5 * 0.5 = -1.75 (down from S is the pit: -7)
    r = run(grid="S.#/X.G", algorithm="q_learning", episodes=300, step_reward=-2.0, goal_reward=5.0,
            pit_reward=-7.0, gamma=0.5, epsilon=1.0)  # fmt: skip
    np.testing.assert_allclose(r.V_star, [[-1.75, 0.5, np.nan], [0.0, 5.0, 0.0]])
    assert r.Q_star[1, 0].tolist() == pytest.approx([np.nan] * 4, nan_ok=True) and r.Q_star[0, 0, DOWN] == -7
    assert r.source == "custom" and r.actions == ("up", "right", "down", "left") and 0 < r.seconds < 60
    assert r.optimal[0, 0].tolist() == [False, True, False, False]  # right: -2 + 0.5 * 0.5 beats the rest
    agent = r.runs["q_learning"]
    Q = agent.train.Q
    assert len(agent.train.returns) == 300
    np.testing.assert_array_equal(agent.V_max[r.reachable], Q.max(axis=2)[r.reachable])
    assert np.isnan(agent.V_max[0, 2]) and agent.V_max[1, 0] == 0 and agent.V_max[1, 2] == 0
    np.testing.assert_array_equal(agent.best[0, 0], Q[0, 0] == Q[0, 0].max())
    assert agent.agree_fraction == pytest.approx(agent.agrees.sum() / 3)  # 3 cells where the agent chooses
    assert agent.path.cells == [(0, 0), (0, 1), (1, 1), (1, 2)] and agent.path.rewards == [-2.0, -2.0, 5.0]
    assert agent.path_optimal and agent.agrees_on_optimal_path
    assert run(preset="maze", episodes=5).source == "maze"
    slippery = run(grid="S.G", algorithm="q_learning", episodes=5, slip=0.3, gamma=0.9)
    _, q_slip = value_iteration(GridWorld(("S.G",), slip=0.3), 0.9)
    np.testing.assert_allclose(slippery.Q_star, q_slip)  # the run's reference is the slippery grid's


def test_greedy_paths_end_in_a_pit_or_at_the_cap_with_their_rewards():
    tall = GridWorld(("S", ".", ".", ".", "G"))  # 5 x 1: the default cap is its 5 cells
    Q = np.zeros((5, 1, 4))
    Q[..., DOWN] = 1.0
    path = greedy_path(Q, tall)
    assert path.outcome == "goal" and path.actions == [DOWN] * 4 and path.total_reward == -1 * 3 + 10
    capped = greedy_path(Q, tall, max_steps=2)
    assert (capped.outcome, capped.actions, capped.rewards, capped.total_reward) == ("cap", [DOWN, DOWN], [-1.0, -1.0], -2.0)
    pit = GridWorld(("S.", "XG"), pit_reward=-50.0)
    Q = np.zeros((2, 2, 4))
    Q[0, 0, DOWN] = 1.0
    fall = greedy_path(Q, pit)
    assert (fall.outcome, fall.cells, fall.rewards) == ("pit", [(0, 0), (1, 0)], [-50.0])


def test_render_policy_draws_arrows_walls_and_unreached_cells():
    env = GridWorld(("S.#", "X.G", "#.."))
    policy = np.array([[1, 2, -1], [-1, 1, -1], [-1, 0, -1]])  # the bottom middle cell points up (action 0)
    assert render_policy(policy, env) == ["→↓#", "X→G", "#↑·"]


# --- learning ------------------------------------------------------------------------------


def path_is_optimal(Q, Q_star, env) -> bool:
    path = greedy_path(Q, env)
    agrees = agreement(Q, Q_star, env)
    return path.outcome == "goal" and all(agrees[cell] for cell in path.cells[:-1])


def test_q_learning_finds_the_optimal_policy_everywhere_on_a_small_open_grid():
    env = GridWorld(OPEN4)
    _, Q_star = value_iteration(env, DECAY["gamma"])
    trained = q_learning(env, seed=0, **DECAY)
    assert agreement(trained.Q, Q_star, env)[env.reachable].all()
    assert path_is_optimal(sarsa(env, seed=0, **DECAY).Q, Q_star, env)


def test_both_learners_walk_an_optimal_path_through_the_maze():
    env = GridWorld.preset("maze")
    _, Q_star = value_iteration(env, DECAY["gamma"])
    for learner in (q_learning, sarsa):
        trained = learner(env, seed=1, **DECAY)
        assert path_is_optimal(trained.Q, Q_star, env), learner.__name__
        assert len(greedy_path(trained.Q, env).actions) == 17


def test_off_policy_q_learning_learns_the_optimal_policy_from_random_moves():
    env = GridWorld.preset("maze")
    _, Q_star = value_iteration(env, 0.9)
    trained = q_learning(env, alpha=0.5, gamma=0.9, epsilon=1.0, episodes=200, max_steps=200, seed=0)
    assert agreement(trained.Q, Q_star, env)[env.reachable].all()


def test_q_learning_with_epsilon_decay_finds_the_cliff_edge_path():
    env = GridWorld.preset("cliff")
    _, Q_star = value_iteration(env, DECAY["gamma"])
    trained = q_learning(env, seed=0, **DECAY)
    assert path_is_optimal(trained.Q, Q_star, env)
    assert greedy_path(trained.Q, env).cells == [(3, 0), *[(2, c) for c in range(12)], (3, 11)]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_on_the_cliff_q_learning_walks_the_edge_and_sarsa_keeps_away(seed):
    # Sutton & Barto, Example 6.6: epsilon fixed at 0.1, the demo's defaults.
    result = run(preset="cliff", algorithm="both", epsilon=0.1, epsilon_decay=1.0, seed=seed)
    q, s = result.runs["q_learning"], result.runs["sarsa"]
    assert q.path.outcome == s.path.outcome == "goal"
    assert len(q.path.actions) == 13 and q.path_optimal
    assert all(r == 2 for r, c in q.path.cells[1:-1])  # the row just above the cliff
    assert not any(r == 2 and 0 < c < 11 for r, c in s.path.cells)  # never along the edge
    assert len(s.path.actions) > 13 and not s.path_optimal
    assert q.agrees_on_optimal_path and not s.agrees_on_optimal_path
    # The exploring agent pays for the edge: SARSA falls less and scores more while training.
    assert s.train.returns.mean() > q.train.returns.mean()
    assert np.mean(s.train.outcomes == "pit") < np.mean(q.train.outcomes == "pit")


def test_every_episode_ends_within_max_steps():
    # A positive step reward makes never finishing the best plan: every episode hits the cap.
    env = GridWorld.preset("open", step_reward=1.0)
    for learner in (q_learning, sarsa):
        trained = learner(env, episodes=30, max_steps=25, epsilon=0.1, seed=0)
        assert trained.lengths.tolist() == [25] * 30
        assert set(trained.outcomes) == {"cap"}
        assert greedy_path(trained.Q, env).outcome == "loop"
    trained = q_learning(GridWorld.preset("cliff"), episodes=200, max_steps=10, epsilon=1.0, seed=3)
    assert trained.lengths.max() <= 10 and len(trained.returns) == 200


def test_random_tie_breaking_lets_a_greedy_agent_leave_a_zero_table():
    # Steps cost nothing and epsilon is 0: with a plain argmax the agent would bump "up"
    # at the start forever (the value stays 0, the tie stays); random tie-breaking walks on.
    env = GridWorld.preset("open", step_reward=0.0)
    for learner in (q_learning, sarsa):
        trained = learner(env, episodes=3, epsilon=0.0, max_steps=500, seed=0)
        assert trained.outcomes.tolist() == ["goal"] * 3


def test_runs_are_reproducible_and_the_seed_matters():
    env = GridWorld.preset("maze")
    a, b, c = (sarsa(env, episodes=50, seed=seed) for seed in (4, 4, 5))
    assert np.array_equal(a.Q, b.Q) and np.array_equal(a.returns, b.returns)
    assert not np.array_equal(a.returns, c.returns)


def test_epsilon_schedule_decays_to_its_floor():
    trained = q_learning(GridWorld(OPEN4), episodes=300, epsilon=1.0, epsilon_decay=0.95, epsilon_min=0.05)
    assert trained.epsilons[0] == 1.0 and trained.epsilons[1] == pytest.approx(0.95)
    assert trained.epsilons[-1] == pytest.approx(0.05)


def test_greedy_path_reports_loops_and_caps():
    env = GridWorld.preset("open")
    Q = np.zeros((*env.shape, 4))
    Q[..., UP] = 1.0  # always "up": the start cell bumps into the edge
    assert greedy_path(Q, env).outcome == "loop"
    Q[..., RIGHT] = 2.0
    path = greedy_path(Q, env, max_steps=2)
    assert path.outcome == "cap" and path.cells == [(0, 0), (0, 1), (0, 2)]
    assert greedy_policy(Q, env)[4, 4] == -1  # no choice on the goal


# --- the demo contract -------------------------------------------------------------------------


def test_params_are_bounded():
    for name, bad in [("episodes", 5000), ("gamma", 1.0), ("max_steps", 5), ("alpha", 0.0), ("preset", "x")]:
        with pytest.raises(ParamError):
            validate(PARAMS, {name: bad})


def test_run_accepts_a_custom_grid_as_rows():
    result = run(grid=["S..#", ".#..", "...G"], algorithm="q_learning", episodes=200)
    assert result.source == "custom" and result.grid == ["S..#", ".#..", "...G"]
    assert list(result.runs) == ["q_learning"]
    agent = result.runs["q_learning"]
    assert agent.train.Q.shape == (3, 4, 4) and agent.V_max.shape == (3, 4)
    assert agent.path.outcome == "goal" and agent.path_optimal
    with pytest.raises(ValueError, match="no start S"):
        run(grid="...G/....")


def test_default_run_and_summary():
    result = run()
    assert result.params == defaults(PARAMS)
    assert set(result.runs) == {"q_learning", "sarsa"}
    text = summarize(result)
    assert "q_learning" in text and "sarsa" in text and "value iteration" in text
    json.dumps(jsonable(result))  # a page or the CLI can serialise it


def test_cli_prints_json():
    out = subprocess.run(
        [sys.executable, "-m", "kdlab", "qlearning", "--json", "--episodes", "50", "--grid", "S..#/...G"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    data = json.loads(out.stdout)
    assert data["source"] == "custom" and data["grid"] == ["S..#", "...G"]
    assert len(data["runs"]["sarsa"]["train"]["returns"]) == 50
    assert data["V_star"][0][3] is None  # a wall: NaN becomes null


def test_cli_reports_a_bad_grid_without_a_traceback():
    out = subprocess.run(
        [sys.executable, "-m", "kdlab", "qlearning", "--grid", "S../..."],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2 and "no goal G" in out.stderr and "Traceback" not in out.stderr
