"""What every demo page shares: widgets built from a demo's PARAMS, a shared result store,
the "reproduce this run" commands and the kdlab source beside the results."""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import streamlit as st

from kdlab.demos import DEMOS
from kdlab.params import Param, defaults
from kdlab.source import SourceError, find_source
from views.common import t


def label(demo: str, p: Param) -> str:
    return t(f"params.{demo}.{p.name}", default=p.name)


def widget(demo: str, p: Param, key_prefix: str = "", **overrides) -> Any:
    """One bounded widget for one Param: the same bounds the CLI enforces."""
    key = f"{key_prefix}{demo}_{p.name}"
    value = overrides.pop("value", p.default)
    kw = dict(label=label(demo, p), key=key, help=p.help or None) | overrides
    if p.choices:
        return st.selectbox(
            options=p.choices,
            index=p.choices.index(value),
            format_func=lambda c: t(f"choices.{demo}.{c}", default=str(c)),
            **kw,
        )
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
    flags = " ".join(f"--{k.replace('_', '-')} {v}" for k, v in changed.items())
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


class ResultStore:
    """Finished runs shared by every session: identical settings never train twice.

    Results are treated as read-only. A small LRU bounds the memory a classroom can fill.
    """

    def __init__(self, max_entries: int = 32):
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

    def get_or_run(self, key: tuple, fn: Callable[[], Any]) -> Any:
        found = self.get(key)
        return found if found is not None else self.put(key, fn())


@st.cache_resource(show_spinner=False)
def store(demo: str) -> ResultStore:
    assert demo in DEMOS
    return ResultStore()


def key_of(params: dict) -> tuple:
    return tuple(sorted(params.items()))
