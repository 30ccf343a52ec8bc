"""Tabular Q-learning and SARSA on a grid world, checked against value iteration.

Q(s, a) estimates the return of taking action a in cell s and acting well afterwards.
Both algorithms act epsilon-greedily and nudge Q(s, a) towards a one-step target:

    Q-learning (off-policy):  r + gamma * max_a' Q(s', a')   the best next action
    SARSA      (on-policy):   r + gamma * Q(s', a')          the next action actually taken

On the cliff (Sutton & Barto, Example 6.6) that one difference shows: Q-learning learns
the values of the greedy policy and walks the cliff edge; SARSA learns the values of the
exploring policy it follows, which sometimes falls, so it keeps away from the edge.

Why epsilon-greedy, random tie-breaking and a step cap: the original article's original code always
took `np.argmax(q_table[state])`: never a random action, and on ties (a fresh zero table)
always action 0. Its episodes ended only on a -1 reward; once that reward had lowered one
Q value, the greedy agent bounced between two states collecting +1 forever, and with no
step cap `while not done` never returned (run it: the second episode does not end).

Returns are undiscounted sums of rewards per episode (as Sutton & Barto plot them);
gamma enters the learning targets and the values. The demo caps gamma at 0.999 so that
value iteration, the reference, always converges; the learners themselves accept 1.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain, count

import numpy as np

from kdlab.core.params import Param, defaults, validate
from kdlab.rl.gridworld import ACTIONS, ARROWS, PRESETS, GridWorld, parse_grid

PARAMS = (
    Param("preset", "cliff", choices=tuple(PRESETS), help="the grid (ignored when grid is given)"),
    Param("grid", "", help="custom grid: rows joined by '/', e.g. 'S.#/..G' (S start, G goal, # wall, "
          "X pit, . empty); empty = the preset"),
    Param("algorithm", "both", choices=("q_learning", "sarsa", "both"), help="which learner(s) to train"),
    Param("episodes", 500, 1, 2000, help="training episodes"),
    Param("alpha", 0.1, 0.01, 1.0, help="learning rate (step size) of each update"),
    Param("gamma", 0.99, 0.0, 0.999, help="discount factor; below 1 so value iteration always converges"),
    Param("epsilon", 0.1, 0.0, 1.0, help="probability of a random action in the first episode"),
    Param("epsilon_decay", 1.0, 0.9, 1.0, help="epsilon is multiplied by this after every episode"),
    Param("epsilon_min", 0.0, 0.0, 1.0, help="epsilon never decays below this (nor rises above epsilon)"),
    Param("max_steps", 100, 10, 500, help="step cap per episode: every episode ends"),
    Param("step_reward", -1.0, -10.0, 1.0, help="reward for every move that lands on . or S"),
    Param("goal_reward", 10.0, -10.0, 100.0, help="reward for landing on a goal G"),
    Param("pit_reward", -100.0, -200.0, 0.0, help="reward for landing in a pit X"),
    Param("slip", 0.0, 0.0, 0.5, help="probability that a random action replaces the chosen one"),
    Param("seed", 0, 0, 10_000, help="random seed (both learners get the same stream)"),
)  # fmt: skip

# A small run of the same code path, for the common test of every experiment (tests/test_registry.py).
QUICK = {"episodes": 20}


ALGORITHMS = ("q_learning", "sarsa")


# --- learning ---------------------------------------------------------------------------


@dataclass
class TrainResult:
    algorithm: str
    Q: np.ndarray  # (height, width, 4) final action values; never-visited entries stay 0
    returns: np.ndarray  # (episodes,) sum of rewards of each episode, undiscounted
    lengths: np.ndarray  # (episodes,) moves per episode, at most max_steps
    outcomes: np.ndarray  # (episodes,) "goal", "pit" or "cap" (stopped by max_steps)
    epsilons: np.ndarray  # (episodes,) exploration rate used in each episode


def _uniforms(rng: np.random.Generator) -> Iterator[float]:
    """An endless stream of U[0, 1) numbers, drawn in blocks: a draw costs tens of nanoseconds."""
    return chain.from_iterable(rng.random(4096).tolist() for _ in count())


def _epsilon_greedy(q: list[float], epsilon: float, u: Iterator[float]) -> int:
    """A random action with probability epsilon, else a best one, ties broken at random.

    Random tie-breaking matters: on a fresh (all-zero) table every action ties, and a
    plain argmax always picks action 0. If that move costs nothing (a bump with
    step_reward 0) its value stays 0 and a greedy agent repeats it forever.
    """
    if next(u) < epsilon:
        return int(next(u) * 4)
    best = max(q)
    if q.count(best) == 1:
        return q.index(best)
    ties = [a for a in range(4) if q[a] == best]
    return ties[int(next(u) * len(ties))]


def _schedule(episodes: int, epsilon: float, decay: float, floor: float) -> np.ndarray:
    # The floor never lifts epsilon above its starting value.
    return np.maximum(min(floor, epsilon), epsilon * decay ** np.arange(episodes))


def _learn(
    env: GridWorld,
    algorithm: str,
    episodes: int,
    alpha: float,
    gamma: float,
    epsilon: float,
    epsilon_decay: float,
    epsilon_min: float,
    max_steps: int,
    seed: int,
) -> TrainResult:
    if not 0.0 < alpha <= 1.0 or not 0.0 <= gamma <= 1.0 or episodes < 1 or max_steps < 1:
        raise ValueError("need 0 < alpha <= 1, 0 <= gamma <= 1, episodes >= 1 and max_steps >= 1")
    # Plain Python lists: one step of the loop then costs about a microsecond.
    nxt = env.next_state.tolist()
    reward = env.reward.tolist()
    terminal = env.terminal.tolist()
    kind = [ch for row in env.rows for ch in row]
    start = env.index(env.start)
    slip, sarsa = env.slip, algorithm == "sarsa"
    u = _uniforms(np.random.default_rng(seed))
    Q = [[0.0] * 4 for _ in nxt]
    epsilons = _schedule(episodes, epsilon, epsilon_decay, epsilon_min)
    returns, lengths, outcomes = np.zeros(episodes), np.zeros(episodes, dtype=np.int64), []

    for eps in epsilons.tolist():
        s, total, outcome, t = start, 0.0, "cap", 0
        a = _epsilon_greedy(Q[s], eps, u)
        while t < max_steps:
            t += 1
            executed = int(next(u) * 4) if slip and next(u) < slip else a
            s2 = nxt[s][executed]
            r = reward[s2]
            total += r
            if terminal[s2]:  # nothing follows: the target is the reward alone
                Q[s][a] += alpha * (r - Q[s][a])
                outcome = "goal" if kind[s2] == "G" else "pit"
                break
            if sarsa:  # bootstrap from the action we will really take next, maybe a random one
                a2 = _epsilon_greedy(Q[s2], eps, u)
                Q[s][a] += alpha * (r + gamma * Q[s2][a2] - Q[s][a])
            else:  # bootstrap from the best next action, whatever we do next
                Q[s][a] += alpha * (r + gamma * max(Q[s2]) - Q[s][a])
                a2 = _epsilon_greedy(Q[s2], eps, u)  # after the update: it counts when s2 == s
            s, a = s2, a2
        # Stopping at max_steps is a truncation, not an ending of the task: the last update
        # bootstrapped from s2 as usual.
        returns[len(outcomes)], lengths[len(outcomes)] = total, t
        outcomes.append(outcome)

    return TrainResult(
        algorithm=algorithm,
        Q=np.array(Q).reshape(*env.shape, 4),
        returns=returns,
        lengths=lengths,
        outcomes=np.array(outcomes),
        epsilons=epsilons,
    )


_D = defaults(PARAMS)


def q_learning(
    env: GridWorld,
    *,
    episodes: int = _D["episodes"],
    alpha: float = _D["alpha"],
    gamma: float = _D["gamma"],
    epsilon: float = _D["epsilon"],
    epsilon_decay: float = _D["epsilon_decay"],
    epsilon_min: float = _D["epsilon_min"],
    max_steps: int = _D["max_steps"],
    seed: int = _D["seed"],
) -> TrainResult:
    """Off-policy TD control: Q(s,a) += alpha * (r + gamma * max_a' Q(s',a') - Q(s,a))."""
    return _learn(
        env, "q_learning", episodes, alpha, gamma, epsilon, epsilon_decay, epsilon_min, max_steps, seed
    )


def sarsa(
    env: GridWorld,
    *,
    episodes: int = _D["episodes"],
    alpha: float = _D["alpha"],
    gamma: float = _D["gamma"],
    epsilon: float = _D["epsilon"],
    epsilon_decay: float = _D["epsilon_decay"],
    epsilon_min: float = _D["epsilon_min"],
    max_steps: int = _D["max_steps"],
    seed: int = _D["seed"],
) -> TrainResult:
    """On-policy TD control: Q(s,a) += alpha * (r + gamma * Q(s',a') - Q(s,a)), a' the next action taken."""
    return _learn(env, "sarsa", episodes, alpha, gamma, epsilon, epsilon_decay, epsilon_min, max_steps, seed)


# --- the reference: value iteration on the known model -------------------------------


def value_iteration(env: GridWorld, gamma: float, tol: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """Optimal values (V, Q) from the Bellman optimality equation, iterated to a fixed point.

    V: (height, width), 0 on terminal cells (nothing follows them), NaN on walls and on
    cells the agent cannot reach. Q: (height, width, 4), NaN wherever there is no choice.
    With gamma < 1 each sweep shrinks the error by gamma, so the loop always ends.
    """
    if not 0.0 <= gamma < 1.0:
        raise ValueError(f"value iteration needs 0 <= gamma < 1, got {gamma}")
    live = env.reachable.ravel()  # the cells where the agent chooses
    nxt = env.next_state[live]  # (live cells, 4) where each action leads
    reward = env.reward[nxt]  # the reward of each move
    discount = gamma * ~env.terminal[nxt]  # a move into G or X has no future
    V = np.zeros(len(live))  # every cell; terminal ones stay 0
    for _ in range(100_000):  # far more sweeps than gamma = 0.999 and tol = 1e-10 need
        Q = reward + discount * V[nxt]  # what each action brings without slip
        if env.slip:  # a slip swaps the action for a uniformly random one
            Q = (1 - env.slip) * Q + env.slip * Q.mean(axis=1, keepdims=True)
        best = Q.max(axis=1)
        change = np.max(np.abs(best - V[live]))
        V[live] = best
        if change < tol:
            break
    V[~(live | env.terminal)] = np.nan
    Q_all = np.full((len(live), 4), np.nan)
    Q_all[live] = Q
    return V.reshape(env.shape), Q_all.reshape(*env.shape, 4)


# --- reading a Q table ------------------------------------------------------------------


def greedy_policy(Q: np.ndarray, env: GridWorld) -> np.ndarray:
    """(height, width) index of the best action per reachable cell (first on ties); -1 elsewhere."""
    best = np.argmax(np.nan_to_num(Q, nan=-np.inf), axis=2)
    return np.where(env.reachable, best, -1)


def best_actions(Q: np.ndarray, env: GridWorld, rtol: float = 0.0) -> np.ndarray:
    """(height, width, 4) bool: the actions within rtol * (1 + |max|) of each cell's best.

    rtol = 0 gives the exact ties of a learned table (a greedy agent may pick any of them);
    value iteration's table needs a small rtol, since equal values come out equal only
    up to rounding.
    """
    live = env.reachable[..., None]
    top = np.where(live, Q, -np.inf).max(axis=2, keepdims=True)
    with np.errstate(invalid="ignore"):  # off the reachable cells top is -inf; masked below
        return live & (top - rtol * (1 + np.abs(top)) <= Q)


def agreement(Q: np.ndarray, Q_star: np.ndarray, env: GridWorld) -> np.ndarray:
    """(height, width) bool: every greedy action of Q is optimal under Q_star (False off the reachable cells).

    Comparing action *sets* is the sound test: where several actions are optimal (the
    open grid has many), any of them is right, and where the learned table ties a good
    and a bad action, a greedy agent may pick the bad one, so that cell counts as wrong.
    """
    learned, optimal = best_actions(Q, env), best_actions(Q_star, env, rtol=1e-6)
    return env.reachable & ~np.any(learned & ~optimal, axis=2)


@dataclass
class GreedyPath:
    cells: list[tuple[int, int]]  # from the start; the last one ends the path
    actions: list[int]  # the action taken in each cell but the last
    outcome: str  # "goal", "pit", "loop" (a cell came round again) or "cap"
    total_reward: float  # undiscounted
    rewards: list[float] = field(default_factory=list)  # the reward of each move, for a replay


def greedy_path(Q: np.ndarray, env: GridWorld, max_steps: int | None = None) -> GreedyPath:
    """Follow the greedy policy from S, each move going where it was meant to (no slip).

    Policy and moves are then deterministic, so a cell seen twice means the agent would
    circle forever: the path stops there with outcome "loop". It also stops after
    `max_steps` moves (outcome "cap"); by default as many as there are cells, which a
    path without a loop never needs.
    """
    policy = greedy_policy(Q, env)
    cap = env.shape[0] * env.shape[1] if max_steps is None else max_steps
    cell, cells, actions, rewards = env.start, [env.start], [], []
    seen = {cell}
    while True:
        if len(actions) >= cap:
            return GreedyPath(cells, actions, "cap", sum(rewards), rewards)
        a = int(policy[cell])
        cell, r, done = env.step(cell, a)
        cells.append(cell)
        actions.append(a)
        rewards.append(r)
        if done:
            outcome = "goal" if env.rows[cell[0]][cell[1]] == "G" else "pit"
            return GreedyPath(cells, actions, outcome, sum(rewards), rewards)
        if cell in seen:
            return GreedyPath(cells, actions, "loop", sum(rewards), rewards)
        seen.add(cell)


def smooth(values: np.ndarray, window: int) -> np.ndarray:
    """Trailing moving average; the first window - 1 points average what there is so far."""
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return values
    window = max(1, min(int(window), len(values)))
    total = np.cumsum(np.insert(values, 0, 0.0))
    ends = np.arange(1, len(values) + 1)
    starts = np.maximum(0, ends - window)
    return (total[ends] - total[starts]) / (ends - starts)


def render_policy(policy: np.ndarray, env: GridWorld) -> list[str]:
    """The grid as text with an arrow in every reachable cell (S too); '·' for cells never reached."""
    return [
        "".join(
            ARROWS[policy[r, c]] if policy[r, c] >= 0 else ("·" if ch in ".S" else ch)
            for c, ch in enumerate(row)
        )
        for r, row in enumerate(env.rows)
    ]


# --- the demo ---------------------------------------------------------------------------


@dataclass
class AgentRun:
    train: TrainResult
    V_max: np.ndarray  # (height, width) max_a Q(s, a), the learned values; as V_star: 0 on G and X, NaN on #
    policy: np.ndarray  # (height, width) greedy action index, -1 off the reachable cells
    best: np.ndarray  # (height, width, 4) bool: the actions tied for best in each cell (see `best_actions`)
    path: GreedyPath  # what the greedy policy does from S (same step cap as training), for a replay
    agrees: np.ndarray  # (height, width) bool: every greedy action here is optimal (see `agreement`)
    agree_fraction: float  # share of the reachable cells that agree
    path_optimal: bool  # every move on its own greedy path is optimal
    agrees_on_optimal_path: bool  # it acts optimally on every cell of value iteration's path


@dataclass
class QLearningResult:
    params: dict
    source: str  # the preset's name, or "custom"
    grid: list[str]
    actions: tuple[str, ...]  # action index -> name: up, right, down, left
    reachable: np.ndarray  # (height, width) bool: the cells where the agent chooses
    V_star: np.ndarray  # (height, width) optimal values; 0 on G and X, NaN on walls and unreachable cells
    Q_star: np.ndarray  # (height, width, 4)
    optimal: np.ndarray  # (height, width, 4) bool: the optimal actions of each cell
    policy_star: np.ndarray  # (height, width) one optimal action per cell (first on ties)
    path_star: GreedyPath
    runs: dict[str, AgentRun]  # "q_learning" and/or "sarsa"
    seconds: float


def _evaluate(train: TrainResult, env: GridWorld, Q_star: np.ndarray, max_steps: int) -> AgentRun:
    agrees = agreement(train.Q, Q_star, env)
    path, path_star = greedy_path(train.Q, env, max_steps), greedy_path(Q_star, env)
    return AgentRun(
        train=train,
        V_max=np.where(env.reachable | env.terminal.reshape(env.shape), train.Q.max(axis=2), np.nan),
        policy=greedy_policy(train.Q, env),
        best=best_actions(train.Q, env),
        path=path,
        agrees=agrees,
        agree_fraction=float(agrees.sum() / env.reachable.sum()),
        path_optimal=all(agrees[cell] for cell in path.cells[:-1]),
        agrees_on_optimal_path=all(agrees[cell] for cell in path_star.cells[:-1]),
    )


def run(**params) -> QLearningResult:
    """Train the chosen learner(s) and compare them with value iteration.

    `grid` is a '/'-joined string (the CLI's form), a list of row strings (a page with an
    editable grid passes one) or None; empty or None means the preset. A malformed grid
    raises ValueError saying what is wrong.
    """
    start = time.perf_counter()
    grid = params.get("grid") or ""
    params["grid"] = grid if isinstance(grid, str) else "/".join(grid)
    p = validate(PARAMS, params)
    rows = parse_grid(p["grid"]) if p["grid"].strip() else PRESETS[p["preset"]]
    env = GridWorld(
        tuple(rows), step_reward=p["step_reward"], goal_reward=p["goal_reward"],
        pit_reward=p["pit_reward"], slip=p["slip"],
    )  # fmt: skip
    V_star, Q_star = value_iteration(env, p["gamma"])
    settings = {k: p[k] for k in ("episodes", "alpha", "gamma", "epsilon", "epsilon_decay", "epsilon_min",
                                  "max_steps", "seed")}  # fmt: skip
    learners = {"q_learning": q_learning, "sarsa": sarsa}
    names = ALGORITHMS if p["algorithm"] == "both" else (p["algorithm"],)
    runs = {name: _evaluate(learners[name](env, **settings), env, Q_star, p["max_steps"]) for name in names}
    return QLearningResult(
        params=p,
        source="custom" if p["grid"].strip() else p["preset"],
        grid=list(env.rows),
        actions=ACTIONS,
        reachable=env.reachable,
        V_star=V_star,
        Q_star=Q_star,
        optimal=best_actions(Q_star, env, rtol=1e-6),
        policy_star=greedy_policy(Q_star, env),
        path_star=greedy_path(Q_star, env),
        runs=runs,
        seconds=time.perf_counter() - start,
    )


def summarize(result: QLearningResult) -> str:
    p, height, width = result.params, len(result.grid), len(result.grid[0])
    env = GridWorld(tuple(result.grid))
    n_cells = int(result.reachable.sum())
    star = result.path_star
    s_row, s_col = env.start
    lines = [
        f"qlearning · {result.source} {height}x{width} · gamma {p['gamma']:g} · alpha {p['alpha']:g} · "
        f"epsilon {p['epsilon']:g} (x{p['epsilon_decay']:g} per episode, min {p['epsilon_min']:g}) · "
        f"{p['episodes']} episodes, cap {p['max_steps']} moves · rewards: step {p['step_reward']:g}, "
        f"goal {p['goal_reward']:g}, pit {p['pit_reward']:g}, slip {p['slip']:g} ({result.seconds:.2f} s)",
        f"value iteration: V*(S) = {result.V_star[s_row, s_col]:.3f}; optimal greedy path "
        f"{len(star.actions)} moves -> {star.outcome} (return {star.total_reward:g})",
    ]
    for name, agent in result.runs.items():
        t, path = agent.train, agent.path
        last = t.returns[-min(100, len(t.returns)) :]
        share = {k: float(np.mean(t.outcomes == k)) for k in ("goal", "pit", "cap")}
        lines += [
            f"{name}: greedy path {len(path.actions)} moves -> {path.outcome} (return {path.total_reward:g}); "
            f"every move optimal: {'yes' if agent.path_optimal else 'no'}; agrees with value iteration on "
            f"{int(agent.agrees.sum())}/{n_cells} cells"
            f" ({'all' if agent.agrees_on_optimal_path else 'not all'} of the optimal path's)",
            f"  training: mean return {t.returns.mean():.1f} (last {len(last)}: {last.mean():.1f}); "
            f"episodes ending in goal {share['goal']:.0%}, pit {share['pit']:.0%}, cap {share['cap']:.0%}",
        ]
    maps = {name: render_policy(agent.policy, env) for name, agent in result.runs.items()}
    maps["optimal"] = render_policy(result.policy_star, env)
    col = max(width, *map(len, maps)) + 3
    lines.append("".join(name.ljust(col) for name in maps))
    lines += ["".join(m[r].ljust(col) for m in maps.values()) for r in range(height)]
    return "\n".join(line.rstrip() for line in lines)
