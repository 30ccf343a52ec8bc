"""How far a long run has got, and about how long it has left: for a page's progress bar.

A run marks its loops with `steps(...)`: each item of a marked loop is an equal share of the
enclosing item's share, so nested loops (seeds > students > epochs) need no totals added up by
hand, and a loop that stops early (early stopping) hands its unused share on when it ends:

    for seed in progress.steps(range(seeds), "seed"):
        for kind in progress.steps(("alone", "distilled"), "student"):
            for epoch in progress.steps(range(epochs), "epoch"):
                ...

The page's job runner opens `watch(report)` around the run and gets a `Progress` after every
step. Without one (tests, the CLI) `steps` only iterates. Like kdlab.core.budget, the watcher is a
context variable: each job's thread has its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    done: float  # share of the whole run finished, 0..1
    elapsed: float  # seconds since the run started
    where: tuple[tuple[str, int, int], ...]  # (name, step 1.., of n) for each marked loop, outermost first

    @property
    def seconds_left(self) -> float | None:
        """Elapsed time scaled by what is left; None before anything is done."""
        if self.done <= 0:
            return None
        return max(0.0, self.elapsed * (1 - self.done) / self.done)


@dataclass
class _Level:
    name: str
    n: int
    low: float  # this loop's share of the run: [low, high)
    high: float
    index: int = 0  # the item being worked on, 0..n-1


class _Watch:
    def __init__(self, report: Callable[[Progress], None]):
        self.report = report
        self.start = time.monotonic()
        self.levels: list[_Level] = []

    def span(self) -> tuple[float, float]:
        """The share of the run the current innermost item covers."""
        if not self.levels:
            return 0.0, 1.0
        top = self.levels[-1]
        width = (top.high - top.low) / top.n
        return top.low + top.index * width, top.low + (top.index + 1) * width

    def send(self, done: float) -> None:
        where = tuple((lv.name, min(lv.index + 1, lv.n), lv.n) for lv in self.levels)
        self.report(Progress(min(1.0, done), time.monotonic() - self.start, where))


_watch: ContextVar[_Watch | None] = ContextVar("kdlab_progress", default=None)


@contextmanager
def watch(report: Callable[[Progress], None]):
    """Report every step of the marked loops run inside this block."""
    token = _watch.set(_Watch(report))
    try:
        yield
    finally:
        _watch.reset(token)


def steps(items: Iterable, name: str = "") -> Iterator:
    """The items, each one step of the run's progress (nothing else without a watcher)."""
    w = _watch.get()
    if w is None:
        yield from items
        return
    items = list(items)
    if not items:
        return
    low, high = w.span()
    level = _Level(name, len(items), low, high)
    w.levels.append(level)
    try:
        for i, item in enumerate(items):
            level.index = i
            yield item
            w.send(low + (high - low) * (i + 1) / level.n)
    finally:
        w.levels.remove(level)  # also when the loop stops early: the enclosing step reports next
