"""What every demo page shares: widgets built from a demo's PARAMS, a shared result store,
the "reproduce this run" commands and the kdlab source beside the results."""

from __future__ import annotations

import math
import os
import shlex
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import streamlit as st

from kdlab import budget
from kdlab.params import Param, defaults
from kdlab.source import SourceError, find_source
from views.common import t


def label(demo: str, p: Param) -> str:
    return t(f"params.{demo}.{p.name}", default=p.name)


def widget(demo: str, p: Param, key_prefix: str = "", **overrides) -> Any:
    """One bounded widget for one Param: the same bounds the CLI enforces."""
    key = f"{key_prefix}{demo}_{p.name}"
    value = overrides.pop("value", p.default)
    hint = t(f"params.{demo}.{p.name}_help", default=p.help) or None
    kw = dict(label=label(demo, p), key=key, help=hint) | overrides
    if p.choices:
        # Labels looked up now, not in format_func: AppTest calls that outside a script run.
        labels = {c: t(f"choices.{demo}.{c}", default=str(c)) for c in p.choices}
        return st.selectbox(options=p.choices, index=p.choices.index(value), format_func=labels.get, **kw)
    if isinstance(p.default, bool):
        return st.toggle(value=value, **kw)
    if isinstance(p.default, int):
        return st.slider(min_value=int(p.low), max_value=int(p.high), value=int(value), step=1, **kw)
    if p.low is not None and p.low > 0 and p.high / p.low >= 100:
        # Learning rates and the like span decades: a log grid, not a linear slider.
        return st.select_slider(options=log_grid(p, value), value=value, format_func=lambda v: f"{v:g}", **kw)
    step = (p.high - p.low) / 100
    return st.slider(min_value=float(p.low), max_value=float(p.high), value=float(value), step=step, **kw)


def log_grid(p: Param, value: float) -> list[float]:
    lo, hi = math.log10(p.low), math.log10(p.high)
    values = {float(f"{10 ** (lo + (hi - lo) * i / 24):.2g}") for i in range(25)} | {p.default, value}
    return sorted(v for v in values if p.low <= v <= p.high)


def reproduce(demo: str, module_name: str, params: dict, params_spec: tuple[Param, ...]) -> None:
    """The exact command and Python call for the current settings."""
    changed = {k: v for k, v in params.items() if defaults(params_spec).get(k, object()) != v}
    flags = " ".join(f"--{k.replace('_', '-')} {shlex.quote(str(v))}" for k, v in changed.items())
    call = ", ".join(f"{k}={v!r}" for k, v in changed.items())
    with st.expander(f"🔁 {t('demo_kit.reproduce')}"):
        st.caption(t("demo_kit.reproduce_cli"))
        st.code(f"python -m kdlab {demo} {flags} --json".replace("  ", " "), language="bash")
        st.caption(t("demo_kit.reproduce_python"))
        st.code(f"from {module_name} import run\n\nresult = run({call})", language="python")


def show_source(*refs: str) -> None:
    with st.expander(f"🧾 {t('demo_kit.source')}"):
        for ref in refs:
            st.caption(ref)
            try:
                st.code(find_source(ref), language="python")
            except SourceError as err:
                st.warning(str(err))


class Jobs:
    """At most `slots` trainings at once, server-wide; identical requests share one run.

    On 2 cores, more than two trainings at once only make each slower (one torch thread
    each). A learner whose job must wait is told so (`on_wait`), then runs when a slot frees.
    """

    def __init__(self, slots: int = 2):
        self.slots = slots
        self._free = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self._running: dict[tuple, Future] = {}

    def run(self, key: tuple, fn: Callable[[], Any], on_wait: Callable[[], None] | None = None) -> Any:
        while True:
            with self._lock:
                future = self._running.get(key)
                mine = future is None
                if mine:
                    future = self._running[key] = Future()
            if mine:
                break
            try:
                return future.result()  # the same settings are training for someone else: share it
            except BaseException:  # that run failed or was interrupted (its learner left): run it ourselves
                continue
        try:
            if not self._free.acquire(blocking=False):
                if on_wait is not None:
                    on_wait()
                self._free.acquire()
            try:
                result = fn()
            finally:
                self._free.release()
            future.set_result(result)
            return result
        except BaseException as err:
            future.set_exception(err)
            raise
        finally:
            with self._lock:
                self._running.pop(key, None)


JOB_SECONDS = float(os.environ.get("KDLAB_JOB_SECONDS", "120"))  # no training job may run longer


@st.cache_resource(show_spinner=False)
def jobs() -> Jobs:
    return Jobs(slots=int(os.environ.get("KDLAB_MAX_JOBS", "2")))


class ResultStore:
    """Finished runs shared by every session: identical settings never train twice.

    Results are treated as read-only. A small LRU bounds the memory a classroom can fill.
    """

    def __init__(self, name: str, max_entries: int = 32):
        self.name = name
        self._items: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries = max_entries

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

    def run(self, key: tuple, fn: Callable[[], Any]) -> Any:
        """Train through the shared job queue, telling the learner if they must wait.

        The job's time budget starts when it gets a slot; past it, training stops at the
        next epoch and the learner is told why (nothing is stored).
        """

        def within_budget() -> Any:
            with budget.deadline(JOB_SECONDS):
                return fn()

        notice = st.empty()
        try:
            waiting = lambda: notice.info(t("demo_kit.queued"), icon="⏳")  # noqa: E731
            return self.put(key, jobs().run((self.name, *key), within_budget, on_wait=waiting))
        except budget.BudgetExceeded as err:
            st.error(t("demo_kit.over_budget", seconds=f"{err.seconds:.0f}"), icon="⏱️")
            st.stop()
        finally:
            notice.empty()

    def get_or_run(self, key: tuple, fn: Callable[[], Any]) -> Any:
        found = self.get(key)
        return found if found is not None else self.run(key, fn)


@st.cache_resource(show_spinner=False)
def store(demo: str) -> ResultStore:
    return ResultStore(demo)


def key_of(params: dict) -> tuple:
    return tuple(sorted(params.items()))
