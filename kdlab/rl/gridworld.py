"""A small grid world for tabular reinforcement learning (numpy only).

A grid is a list of equal-length strings, one character per cell:

    S  start (exactly one)           G  goal (one or more; the episode ends there)
    .  empty                         X  pit (the episode ends there, with a big penalty)
    #  wall (cannot be entered)

The agent moves up, right, down or left. Moving into a wall or off the grid
leaves it where it is. The reward of a move depends only on where it lands:
`goal_reward` on G, `pit_reward` on X, `step_reward` anywhere else (bumping into a
wall included). With `slip` > 0 the chosen action is replaced, with that
probability, by one drawn uniformly from all four.

Presets: "cliff" is the cliff walk of Sutton & Barto (Example 6.6), 4 x 12 (start
bottom-left, goal bottom-right, pits between them; here a fall ends the episode instead of
sending the agent back to the start); "maze",
"open" (5 x 5, no obstacles) and "bridge" (a short path between pits or a safe detour).

States are the cells; code that needs speed uses their flat index r * width + c.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

ACTIONS = ("up", "right", "down", "left")
ARROWS = ("↑", "→", "↓", "←")
MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))  # (row, column) change of each action
CELLS = {"S": "start", "G": "goal", "#": "wall", "X": "pit", ".": "empty"}
MAX_SIZE = 12  # rows and columns: Sutton & Barto's 4 x 12 cliff fits; tables stay readable, runs fast

PRESETS: dict[str, list[str]] = {
    # Sutton & Barto, Example 6.6 (cliff walking), 4 x 12. Start bottom-left, goal
    # bottom-right, pits (the cliff) between them. The shortest route runs along the cliff
    # edge; one exploratory step there is a fall.
    "cliff": [
        "............",
        "............",
        "............",
        "SXXXXXXXXXXG",
    ],
    # Two routes join in the middle: a short one along the top, a longer one round the
    # bottom-left.
    "maze": [
        "S..#....",
        ".#.#.##.",
        ".#...#..",
        ".###.#.#",
        ".....#.G",
    ],
    # No obstacles: many equally short routes, so many cells have two optimal actions.
    "open": [
        "S....",
        ".....",
        ".....",
        ".....",
        "....G",
    ],
    # A narrow bridge between two rows of pits, or the long way round. Without slip the
    # bridge is optimal; with slip (or while exploring) every step on it risks a fall.
    "bridge": [
        "........",
        "........",
        ".XXXXXX.",
        "S......G",
        ".XXXXXX.",
        "........",
    ],
}


class GridError(ValueError):
    """A malformed grid. `str(err)` says what is wrong in English; `code` and `values`
    (1-based rows and columns) let a page say the same in another language."""

    def __init__(self, code: str, message: str, **values):
        super().__init__(message)
        self.code = code
        self.values = values


def parse_grid(grid: str | Sequence[str]) -> tuple[str, ...]:
    """Check a grid and return its rows; raise GridError (a ValueError) saying what is wrong.

    A string may hold the rows separated by '/' or newlines ("S.#/..G").
    """
    if isinstance(grid, str):
        grid = grid.replace("/", "\n").strip().splitlines()
    rows = [str(row).strip() for row in grid]
    if not rows or not any(rows):
        raise GridError("empty", "the grid is empty")
    if len(rows) > MAX_SIZE:
        raise GridError(
            "too_many_rows", f"the grid has {len(rows)} rows; at most {MAX_SIZE} are allowed",
            rows=len(rows), max=MAX_SIZE,
        )  # fmt: skip
    width = len(rows[0])
    if width > MAX_SIZE:
        raise GridError(
            "too_wide", f"row 1 has {width} cells; at most {MAX_SIZE} are allowed", cells=width, max=MAX_SIZE
        )
    for i, row in enumerate(rows, 1):
        if len(row) != width:
            raise GridError(
                "ragged", f"row {i} has {len(row)} cells, expected {width} (as in row 1)",
                row=i, cells=len(row), expected=width,
            )  # fmt: skip
        for j, ch in enumerate(row, 1):
            if ch not in CELLS:
                raise GridError(
                    "unknown_cell", f"row {i}, column {j}: unknown cell {ch!r}; use one of S G # X .",
                    row=i, column=j, cell=ch,
                )  # fmt: skip
    starts = [(i, j) for i, row in enumerate(rows) for j, ch in enumerate(row) if ch == "S"]
    if not starts:
        raise GridError("no_start", "no start S")
    if len(starts) > 1:
        where = ", ".join(f"row {i + 1} column {j + 1}" for i, j in starts)
        raise GridError(
            "many_starts", f"{len(starts)} starts S ({where}); exactly one is allowed",
            n=len(starts), positions=[(i + 1, j + 1) for i, j in starts],
        )  # fmt: skip
    if not any("G" in row for row in rows):
        raise GridError("no_goal", "no goal G")
    _, touched = _flood(rows, starts[0])
    if not any(rows[i][j] == "G" for i, j in touched):
        raise GridError(
            "unreachable_goal", "no goal G can be reached from the start S: walls or pits block every route"
        )
    return tuple(rows)


def _flood(rows: Sequence[str], start: tuple[int, int]) -> tuple[set, set]:
    """Breadth-first search from start: (cells the agent can stand on, terminal cells it can enter)."""
    height, width = len(rows), len(rows[0])
    inside, touched = {start}, set()
    queue = deque([start])
    while queue:
        r, c = queue.popleft()
        for dr, dc in MOVES:
            cell = (r + dr, c + dc)
            if not (0 <= cell[0] < height and 0 <= cell[1] < width) or cell in inside | touched:
                continue
            ch = rows[cell[0]][cell[1]]
            if ch in "GX":
                touched.add(cell)  # an episode ends on entering it: search no further
            elif ch != "#":
                inside.add(cell)
                queue.append(cell)
    return inside, touched


@dataclass(frozen=True)
class GridWorld:
    """A checked grid plus its rewards; `step` is the environment, the arrays serve the algorithms."""

    rows: tuple[str, ...]
    step_reward: float = -1.0
    goal_reward: float = 10.0
    pit_reward: float = -100.0
    slip: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", parse_grid(self.rows))
        for name in ("step_reward", "goal_reward", "pit_reward", "slip"):
            if not np.isfinite(getattr(self, name)):
                raise ValueError(f"{name} must be a finite number")
        if not 0.0 <= self.slip <= 1.0:
            raise ValueError(f"slip is a probability in [0, 1], got {self.slip}")

    @classmethod
    def preset(cls, name: str, **rewards) -> GridWorld:
        if name not in PRESETS:
            raise ValueError(f"unknown preset {name!r}; known: {', '.join(PRESETS)}")
        return cls(tuple(PRESETS[name]), **rewards)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.rows), len(self.rows[0])

    @cached_property
    def start(self) -> tuple[int, int]:
        return next((i, row.index("S")) for i, row in enumerate(self.rows) if "S" in row)

    def index(self, cell: tuple[int, int]) -> int:
        return cell[0] * self.shape[1] + cell[1]

    def cell(self, index: int) -> tuple[int, int]:
        return divmod(int(index), self.shape[1])

    def step(
        self, cell: tuple[int, int], action: int, rng: np.random.Generator | None = None
    ) -> tuple[tuple[int, int], float, bool]:
        """One move from `cell`: (next cell, reward, episode over). Without an rng, no slip."""
        if rng is not None and self.slip > 0 and rng.random() < self.slip:
            action = int(rng.integers(4))
        nxt = self.next_state[self.index(cell), action]
        return self.cell(nxt), float(self.reward[nxt]), bool(self.terminal[nxt])

    # --- flat tables: index = r * width + c -------------------------------------------

    @cached_property
    def next_state(self) -> np.ndarray:
        """(cells, 4) int: where each action leads when it is not replaced by a slip."""
        height, width = self.shape
        nxt = np.zeros((height * width, 4), dtype=np.int64)
        for r in range(height):
            for c in range(width):
                for a, (dr, dc) in enumerate(MOVES):
                    r2, c2 = r + dr, c + dc
                    blocked = not (0 <= r2 < height and 0 <= c2 < width) or self.rows[r2][c2] == "#"
                    nxt[r * width + c, a] = r * width + c if blocked else r2 * width + c2
        return nxt

    @cached_property
    def reward(self) -> np.ndarray:
        """(cells,) float: the reward for landing on each cell."""
        by_cell = {"G": self.goal_reward, "X": self.pit_reward}
        return np.array([by_cell.get(ch, self.step_reward) for row in self.rows for ch in row])

    @cached_property
    def terminal(self) -> np.ndarray:
        """(cells,) bool: landing here ends the episode."""
        return np.array([ch in "GX" for row in self.rows for ch in row])

    @cached_property
    def reachable(self) -> np.ndarray:
        """(height, width) bool: the non-terminal cells the agent can stand on, starting from S.

        These are the states where a policy matters. Every one of them can reach a goal:
        moves between non-terminal cells can be undone, so the way back to S is always open.
        """
        inside, _ = _flood(self.rows, self.start)
        mask = np.zeros(self.shape, dtype=bool)
        for r, c in inside:
            mask[r, c] = True
        return mask
