"""A time budget for one job, checked by the training loops between epochs.

The caller (a page's job runner) opens `deadline(seconds)`; every epoch loop calls
`check()`, which raises BudgetExceeded once the time is up. Context variables are
per thread, so each learner's session has its own deadline, and code run without
one (tests, the CLI) is never interrupted.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar

_deadline: ContextVar[tuple[float, float] | None] = ContextVar("kdlab_deadline", default=None)


class BudgetExceeded(RuntimeError):
    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"stopped: this job ran past its {seconds:.0f} s time budget")


@contextmanager
def deadline(seconds: float):
    token = _deadline.set((time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


def check() -> None:
    """Raise BudgetExceeded if the current job's deadline has passed."""
    current = _deadline.get()
    if current is not None and time.monotonic() > current[0]:
        raise BudgetExceeded(current[1])
