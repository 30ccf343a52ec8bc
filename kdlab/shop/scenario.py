"""What every e-commerce scenario returns: models scored over seeds, and the verdicts."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from kdlab.core.seeds import mean_std, verdict

# --- what every scenario returns ---------------------------------------------------


@dataclass
class ModelRow:
    """One model's scores on the held-out data, one value per seed, and what serving it costs."""

    key: str  # teacher / alone / distilled / naive / teacher_serving
    params: int  # learned numbers (0 for a rule)
    ms_per_1000: float  # measured: milliseconds to score 1,000 candidates (or rows) in one call
    scores: dict[str, np.ndarray]  # metric -> (seeds,)
    serves: bool = True  # False: needs something that does not exist at serving time


@dataclass
class Comparison:
    """`model` against `baseline` in the primary metric, seed by seed (paired: same world, same init)."""

    model: str
    baseline: str
    gain: float  # mean over seeds, signed so that > 0 means `model` is better
    gain_std: float  # std over seeds of the per-seed gains
    verdict: str  # helped / hurt when |gain| > gain_std (and seeds >= 2), else unclear


@dataclass
class ScenarioResult:
    scenario: str
    seeds: list[int]
    metrics: list[str]  # display order; metrics[0] is the one the verdict is about
    higher_is_better: dict[str, bool]
    models: list[ModelRow]
    gain: float  # distilled minus alone in metrics[0], signed so that > 0 means better
    gain_std: float  # std over seeds of the per-seed gains (paired: same world, same init)
    verdict: str  # helped / hurt when |gain| > gain_std (and seeds >= 2), else unclear
    comparisons: dict[str, Comparison]  # "distillation" (the three fields above) and any others
    design: str  # who sees what, in one paragraph
    settings: dict  # the sizes this run used
    seconds: float
    extra: dict = field(default_factory=dict)  # scenario-specific numbers and arrays for figures

    def row(self, key: str) -> ModelRow:
        return next(m for m in self.models if m.key == key)

    def mean_std(self, key: str, metric: str) -> tuple[float, float]:
        return mean_std(self.row(key).scores[metric])


def ms_per_1000(score: Callable[[], object], n_rows: int, repeats: int = 30) -> float:
    """Median wall time of `score()` (which scores n_rows rows in one call), per 1,000 rows."""
    for _ in range(3):  # warm-up: the first calls pay for memory allocation
        score()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        score()
        times.append(time.perf_counter() - start)
    return 1000.0 * float(np.median(times)) * 1000 / n_rows


def compare(
    models: list[ModelRow], metric: str, higher_is_better: bool, model: str, baseline: str
) -> Comparison:
    rows = {m.key: m for m in models}
    sign = 1.0 if higher_is_better else -1.0
    gain, spread, word = verdict(sign * (rows[model].scores[metric] - rows[baseline].scores[metric]))
    return Comparison(model, baseline, gain, spread, word)


def finish(
    scenario: str,
    seeds: list[int],
    metrics: list[str],
    higher_is_better: dict[str, bool],
    models: list[ModelRow],
    design: str,
    settings: dict,
    start: float,
    extra: dict | None = None,
    pairs: dict[str, tuple[str, str]] | None = None,
) -> ScenarioResult:
    """Fill in the verdicts: the distilled student against the student alone, and any other `pairs`."""
    primary = metrics[0]
    pairs = {"distillation": ("distilled", "alone")} | (pairs or {})
    comparisons = {
        name: compare(models, primary, higher_is_better[primary], a, b) for name, (a, b) in pairs.items()
    }
    main = comparisons["distillation"]
    return ScenarioResult(
        scenario, seeds, metrics, higher_is_better, models, main.gain, main.gain_std, main.verdict,
        comparisons, design, settings, time.perf_counter() - start, extra or {},
    )  # fmt: skip


