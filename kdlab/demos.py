"""The registry of live experiments: demo id -> module.

Every module named here exposes
    PARAMS: tuple[Param, ...]   bounded parameters, defaults = the default run
    run(**params) -> Result     a dataclass of numbers, histories and arrays
    summarize(result) -> str    a few human-readable lines for the CLI
Modules are imported lazily: torch costs seconds to import.
"""

from __future__ import annotations

import importlib
from types import ModuleType

DEMOS: dict[str, str] = {
    "regression": "kdlab.regression",
    "cnn": "kdlab.cnn",
    "distill": "kdlab.distill",
    "qlearning": "kdlab.qlearning",
    "ecommerce": "kdlab.ecommerce",
}


def load(demo: str) -> ModuleType:
    if demo not in DEMOS:
        raise KeyError(f"unknown demo {demo!r}; known: {', '.join(DEMOS)}")
    return importlib.import_module(DEMOS[demo])
