"""The registry of live experiments: demo id -> module.

Every module named here exposes
    PARAMS: tuple[Param, ...]   bounded parameters, defaults = the default run
    run(**params) -> Result     a dataclass of numbers, histories and arrays
    summarize(result) -> str    a few human-readable lines for the CLI
    QUICK: dict                 a small run of the same code path, for the common test
and has a page, pages/demos/<id>.py, with render() (the full lab) and compact() (the panel a
question page shows), labels for every parameter in locales/<lang>/, and a `bench` case.
tests/test_registry.py checks all of it for every entry, so adding an experiment is adding a
line here and the parts that test asks for. Modules are imported lazily: torch costs seconds.
"""

from __future__ import annotations

import importlib
from types import ModuleType

DEMOS: dict[str, str] = {
    "regression": "kdlab.classic.regression",
    "cnn": "kdlab.deep.cnn",
    "distill": "kdlab.distill.experiment",
    "qlearning": "kdlab.rl.qlearning",
    "ecommerce": "kdlab.shop.ecommerce",
    "logistic": "kdlab.classic.logistic",
    "tree": "kdlab.classic.tree",
    "ensemble": "kdlab.classic.ensemble",
    "metrics": "kdlab.classic.metrics",
    "svm": "kdlab.classic.svm",
    "pca": "kdlab.classic.pca",
    "capacity": "kdlab.classic.capacity",
    "losses": "kdlab.classic.losses",
    "rnn": "kdlab.deep.rnn_text",
    "detect": "kdlab.deep.detect",
    "segment": "kdlab.deep.segment",
    "attention": "kdlab.deep.attention",
    "forecast": "kdlab.shop.forecast",
    "gan": "kdlab.deep.gan",
    "gan_digits": "kdlab.deep.gan_digits",
    "playground": "kdlab.deep.playground",
    "optimizers": "kdlab.deep.optimizers",
    "adversarial": "kdlab.deep.adversarial",
    "augment": "kdlab.deep.augment",
    "transfer": "kdlab.deep.transfer",
}


def load(demo: str) -> ModuleType:
    if demo not in DEMOS:
        raise KeyError(f"unknown demo {demo!r}; known: {', '.join(DEMOS)}")
    return importlib.import_module(DEMOS[demo])
