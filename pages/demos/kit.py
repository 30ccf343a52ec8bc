"""What every demo page shares: widgets built from a demo's PARAMS, the shared job queue and
result stores (kdlab.core.jobs) drawn on the page, the "reproduce this run" commands and the
kdlab source beside the results."""

from __future__ import annotations

import importlib
import math
import os
import shlex
import sys
import threading
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from types import ModuleType
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from kdlab.core import budget, progress
from kdlab.core.jobs import Job, Jobs, Report, ResultStore, TooManyJobs
from kdlab.core.params import Param, defaults
from kdlab.core.source import SourceError, find_source
from pages.shared.common import t


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
    step = p.step or (p.high - p.low) / 100  # the Param's own step: the same in every form showing it
    # Enough decimals to tell one step from the next (an L2 of 0.001 must not show as "0.00").
    kw.setdefault("format", f"%.{max(2, -math.floor(math.log10(step)))}f")
    return st.slider(min_value=float(p.low), max_value=float(p.high), value=float(value), step=step, **kw)


def log_grid(p: Param, value: float) -> list[float]:
    """25 steps evenly spaced in log10, plus every round 1-2-5 value (0.01, 0.02, 0.05, 0.1, ...)."""
    lo, hi = math.log10(p.low), math.log10(p.high)
    values = {float(f"{10 ** (lo + (hi - lo) * i / 24):.2g}") for i in range(25)} | {p.default, value}
    values |= {float(f"{m}e{k}") for k in range(math.floor(lo), math.ceil(hi) + 1) for m in (1, 2, 5)}
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


JOB_SECONDS = float(os.environ.get("KDLAB_JOB_SECONDS", "120"))  # no training job may run longer
POLL_SECONDS = 0.25

# Process-wide, not st.cache_resource: a client's "clear cache" message must not reset the
# queue's limit nor drop everyone's results.
_JOBS = Jobs(
    slots=int(os.environ.get("KDLAB_MAX_JOBS", "2")), per_owner=int(os.environ.get("KDLAB_JOBS_PER_CLIENT", "2"))
)
_STORES: dict[str, ResultStore] = {}
_STORES_LOCK = threading.Lock()


def jobs() -> Jobs:
    return _JOBS


class PageStore:
    """A demo's shared results, and the wait for a run in the job queue drawn on the page."""

    def __init__(self, results: ResultStore):
        self.results = results

    def get(self, key: tuple) -> Any | None:
        return self.results.get(key)

    def put(self, key: tuple, value: Any) -> Any:
        return self.results.put(key, value)

    def run(self, key: tuple, fn: Callable[[Report], Any], draw: Callable[[Any], None] | None = None) -> Any:
        """Queue `fn(report)` and wait for it here, telling the learner if they are queued and
        drawing each reported value with `draw`. The job runs in a worker: if the learner leaves,
        it still finishes and its result is stored for their return. Past its time budget it
        stops at the next epoch and the learner is told why (nothing is stored)."""
        try:
            job = self.results.submit(jobs(), key, fn, seconds=JOB_SECONDS, owner=client())
        except TooManyJobs as err:
            st.warning(t("demo_kit.too_many", n=err.limit), icon="⏳")
            st.stop()
        notice = st.empty()
        try:
            return wait(job, notice, draw)
        except budget.BudgetExceeded as err:
            st.error(t("demo_kit.over_budget", seconds=f"{err.seconds:.0f}"), icon="⏱️")
            st.stop()
        finally:
            notice.empty()

    def get_or_run(self, key: tuple, fn: Callable[[Report], Any], draw: Callable[[Any], None] | None = None) -> Any:
        found = self.get(key)
        return found if found is not None else self.run(key, fn, draw)


def run_timed(demo: str, key: tuple, fn: Callable[[], Any], label: str) -> Any:
    """The stored result for `key`, or `fn()` run in the job queue with a progress bar: where the
    run is (the loops it marks with kdlab.core.progress.steps), how far, and about how long is left."""
    found = store(demo).get(key)
    if found is not None:
        return found
    bar = st.progress(0.0, text=f"{label} {t('demo_kit.estimating')}")

    def work(report: Report) -> Any:  # in the job's worker thread: no Streamlit here
        with progress.watch(report):
            return fn()

    def draw(p: progress.Progress) -> None:
        where = " · ".join(t(f"demo_kit.step_{name}", i=i, n=n) for name, i, n in p.where if name)
        left = p.seconds_left
        when = t("demo_kit.estimating") if left is None else t("demo_kit.time_left", done=p.done, left=duration(left))
        bar.progress(p.done, text=" · ".join(part for part in (label, where, when) if part))

    try:
        return store(demo).run(key, work, draw)
    finally:
        bar.empty()


def duration(seconds: float) -> str:
    """A time left in words: 8 s, 1 min 20 s (rounded up to 5 s past a minute)."""
    if seconds < 60:
        return t("demo_kit.seconds", n=max(1, math.ceil(seconds)))
    total = 5 * math.ceil(seconds / 5)
    return t("demo_kit.minutes", m=total // 60, s=total % 60)


def wait(job: Job, notice, draw: Callable[[Any], None] | None = None) -> Any:
    """Poll the job; every st call here lets the learner navigate away without stopping it."""
    queued_shown, drawn = False, None
    while True:
        try:
            return job.future.result(timeout=POLL_SECONDS)
        except FutureTimeout:
            pass
        if job.queued != queued_shown:
            queued_shown = job.queued
            if queued_shown:
                notice.info(t("demo_kit.queued"), icon="⏳")
            else:
                notice.empty()
        if draw is not None and job.progress is not None and job.progress is not drawn:
            drawn = job.progress
            draw(drawn)


def client() -> str:
    """Who asks, for the queue's per-learner share: the signed-in learner (every tab of theirs
    counts together) on a shared server, else this browser session. Not the IP address: behind a
    school's proxy every learner has the same one."""
    from pages.practice import signin

    who = signin.current()
    if who is not None:
        return f"learner:{who.id}"
    ctx = get_script_run_ctx()
    return f"session:{ctx.session_id if ctx else 'none'}"


def store(demo: str) -> PageStore:
    with _STORES_LOCK:
        results = _STORES.setdefault(demo, ResultStore(demo))
    return PageStore(results)


def clear_results() -> None:
    """Forget every stored result (tests start from a cold server)."""
    with _STORES_LOCK:
        for results in _STORES.values():
            results.clear()


def key_of(params: dict) -> tuple:
    return tuple(sorted(params.items()))


def demo_page(demo: str, title: str | None = None) -> ModuleType | None:
    """pages/demos/<demo>.py, imported when first needed (torch costs seconds on a fresh server),
    with `title` and a loading message on screen at once; None while that page is being written."""
    name = f"pages.demos.{demo}"
    module = sys.modules.get(name)
    # The warm-up thread may be importing it right now: a half-imported module is not ready.
    if module is not None and not getattr(module.__spec__, "_initializing", False):
        return module
    with (slot := st.empty()).container():
        if title:
            st.header(title, anchor=False)
        st.info(t("demo_kit.loading"), icon="⏳")
    try:
        return importlib.import_module(name)  # waits for another thread's import of it to finish
    except ModuleNotFoundError as err:
        if err.name != name:
            raise
        return None
    finally:
        slot.empty()


def warm_up() -> None:
    """Import torch and train the shared teacher now, in this script run, when the run asks for it
    with ?warm=1: scripts/warm.py does, once, right after the server starts (the Dockerfile runs
    it), so the first learner on a deep-learning page waits for neither. Never in a background
    thread: two threads importing modules in different orders can each get the other's module
    half-initialised (Python's import deadlock avoidance), which showed as an AttributeError on
    a learner's page."""
    if st.query_params.get("warm") != "1":
        return
    module = demo_page("distill")
    if module is not None:
        module.start_teacher().future.result(timeout=JOB_SECONDS)
