"""The server's shared job queue and result stores.

- At most `slots` trainings run at once, server-wide: on 2 cores more only make each slower.
- Identical requests share one run: the second learner waits for the first one's job.
- A job runs in a worker thread, not in the learner's session: if the learner navigates away,
  the job still finishes and its result is kept, so coming back with the same settings is instant.
- Each job reports its latest progress (an epoch's numbers, say) for any session watching it.

No Streamlit here: the pages poll `Job`s (pages/demos/kit.py), tests drive them directly.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from kdlab.core import budget

Report = Callable[[Any], None]


class TooManyJobs(RuntimeError):
    """One client already has its share of the queue; it waits for those before asking again."""

    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"at most {limit} trainings per learner at once")


@dataclass
class Job:
    """One run in the queue; `progress` is the last value the run reported (None before any)."""

    key: tuple
    owner: str | None = None
    future: Future = field(default_factory=Future)
    progress: Any = None
    started: threading.Event = field(default_factory=threading.Event)

    def report(self, value: Any) -> None:
        self.progress = value  # one reference swap: safe to read from another thread

    @property
    def queued(self) -> bool:
        return not self.started.is_set() and not self.future.done()


class Jobs:
    """A fixed pool of workers; `submit` returns the live job for a key, or starts one."""

    def __init__(self, slots: int = 2, per_owner: int = 2):
        self.slots, self.per_owner = slots, per_owner
        self._pool = ThreadPoolExecutor(max_workers=slots, thread_name_prefix="kdlab-job")
        self._lock = threading.Lock()
        self._live: dict[tuple, Job] = {}

    def submit(
        self, key: tuple, fn: Callable[[Report], Any], seconds: float | None = None, owner: str | None = None
    ) -> Job:
        """Run `fn(report)` in a worker within a time budget of `seconds` (counted from its start).

        `owner` (a client) may have at most `per_owner` jobs queued or running: one client with ten
        tabs cannot push everyone else's training back by ten runs (TooManyJobs). Joining a job that
        is already live is always allowed.
        """
        with self._lock:
            job = self._live.get(key)
            if job is None:
                if owner is not None and sum(j.owner == owner for j in self._live.values()) >= self.per_owner:
                    raise TooManyJobs(self.per_owner)
                job = self._live[key] = Job(key, owner)
                self._pool.submit(self._work, job, fn, seconds)
        return job

    def _work(self, job: Job, fn: Callable[[Report], Any], seconds: float | None) -> None:
        job.started.set()
        try:
            if seconds is None:
                result = fn(job.report)
            else:
                with budget.deadline(seconds):
                    result = fn(job.report)
        except BaseException as err:  # handed to every waiting learner, never lost in the worker
            with self._lock:
                self._live.pop(job.key, None)
            job.future.set_exception(err)
        else:
            with self._lock:
                self._live.pop(job.key, None)
            job.future.set_result(result)

    def running(self) -> int:
        with self._lock:
            return sum(1 for job in self._live.values() if job.started.is_set() and not job.future.done())


class ResultStore:
    """Finished runs shared by every session, a small LRU: identical settings never train twice.

    Results are treated as read-only.
    """

    def __init__(self, name: str, max_entries: int = 32):
        self.name = name
        self.max_entries = max_entries
        self._items: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Any | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key: tuple, value: Any) -> Any:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)
        return value

    def submit(
        self,
        jobs: Jobs,
        key: tuple,
        fn: Callable[[Report], Any],
        seconds: float | None = None,
        owner: str | None = None,
    ) -> Job:
        """Queue `fn` unless its result is already here; the worker stores the result itself,
        so it is kept even if nobody is waiting when it ends."""

        def work(report: Report) -> Any:
            found = self.get(key)  # finished while this job waited in the queue
            return found if found is not None else self.put(key, fn(report))

        return jobs.submit((self.name, *key), work, seconds, owner)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
