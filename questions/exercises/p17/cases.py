import numpy as np

from kdlab.practice.exercises import Case


def _random_transitions(rng, n_states, n_actions, m):
    out = []
    s = 0
    for _ in range(m):
        a = int(rng.integers(n_actions))
        s_next = int(rng.integers(n_states))
        done = s_next == n_states - 1  # the last state is terminal
        out.append((s, a, float(rng.normal()), s_next, bool(done)))
        s = 0 if done else s_next
    return out


def cases():
    rng = np.random.default_rng(17)
    chain = [(0, 1, 0.0, 1, False), (1, 1, 1.0, 2, True), (0, 1, 0.0, 1, False)]
    yield Case({"en": "a three-state chain, from zeros", "zh": "三个状态的链，Q 表从 0 开始"}, args=(np.zeros((3, 2)), chain, 0.5, 0.9), rtol=1e-9, atol=1e-12)
    yield Case({"en": "the same from a non-zero table", "zh": "同上，Q 表初值不为 0"}, args=(np.array([[0.0, 0.5], [0.2, 0.0], [0.0, 0.0]]), chain, 0.5, 0.9), rtol=1e-9, atol=1e-12)

    yield Case(
        {"en": "200 transitions on six states", "zh": "六个状态，200 次转移"},
        args=(0.1 * rng.normal(size=(6, 3)), _random_transitions(rng, 6, 3, 200), 0.2, 0.95),
        rtol=1e-9,
        atol=1e-12,
        hidden=True,
    )
    Q = rng.normal(size=(4, 2))  # the terminal state's row is not zero: a bootstrap from it shows
    yield Case(
        {"en": "terminal transitions with a non-zero terminal row", "zh": "终止转移，终止状态那一行不为 0"},
        args=(Q, [(0, 0, 1.0, 3, True), (1, 1, -1.0, 3, True), (2, 0, 0.5, 1, False), (0, 0, 1.0, 3, True)], 0.5, 0.9),
        rtol=1e-9,
        atol=1e-12,
        hidden=True,
    )
    yield Case(
        {"en": "a self-loop, repeated", "zh": "重复的自环转移"},
        args=(np.array([[1.0, 0.0], [0.0, 0.0]]), [(0, 0, 0.5, 0, False)] * 4 + [(0, 1, 0.0, 1, False)], 0.5, 0.9),
        rtol=1e-9,
        atol=1e-12,
        hidden=True,
    )
    yield Case(
        {"en": "gamma = 0: only the reward counts", "zh": "gamma = 0：只看即时奖励"},
        args=(rng.normal(size=(5, 2)), _random_transitions(rng, 5, 2, 30), 1.0, 0.0),
        rtol=1e-9,
        atol=1e-12,
        hidden=True,
    )
