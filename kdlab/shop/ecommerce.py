"""Distillation in e-commerce: why a shop distils, in four live scenarios on a generated world.

Each scenario trains a teacher, a student alone and a distilled student on the same
data and scores them on the same held-out data, once per seed (seed k = a new world,
a new split and new initial weights), and reports mean ± std over seeds:

- ctr: click-through prediction with a privileged feature (view time) that the
  teacher sees in the training logs but no model has when ranking (Xu et al.,
  "Privileged Features Distillation at Taobao Recommendations", KDD 2020);
  `kdlab.shop.ctr`.
- demand: a gradient-boosting teacher distilled into a 3-coefficient linear model per
  item per store, against the seasonal naive forecast; `kdlab.shop.demand`.
- profile: shopper segments from behaviour; a forest on rich features distilled into a
  small tree or a logistic regression on five counters, through unlabelled shoppers;
  `kdlab.shop.profile`.
- images: the core demo's CNN teacher and MLP student (`kdlab.distill`), on
  Fashion-MNIST when its files are on disk, otherwise the bundled digits.

The world is `kdlab.shop.world` (its docstring is the whole generative process).
"""

from __future__ import annotations

from collections.abc import Callable

from kdlab.core.params import Param
from kdlab.core.seeds import mean_std
from kdlab.shop.scenario import ScenarioResult

SCENARIOS = ("ctr", "demand", "profile", "images")

PARAMS = (
    Param("scenario", "ctr", choices=SCENARIOS, help="which e-commerce use of distillation"),
    Param("seeds", 3, 1, 5, help="runs, each with its own world, split and initial weights"),
    Param("alpha", 0.7, 0.0, 1.0, help="weight of the teacher's targets; 1 - alpha on the real labels"),
    Param("ctr_weeks", 3, 1, 6, help="ctr: weeks of click logs to train on (the next week is the test)"),
    Param("ctr_view_taste", 0.0, 0.0, 1.0, step=0.25,
          help="ctr: how much view time also reflects lasting taste for the item (0: only momentary interest)"),
    Param("demand_weeks", 8, 4, 16, help="demand: weeks of sales history to train on"),
    Param("profile_labels", 150, 40, 1400, help="profile: training shoppers with a known segment (a survey)"),
    Param("image_labels", 100, 20, 1000, help="images: labelled training images the students get"),
)  # fmt: skip

# A small run of the same code path, for the common test of every experiment (tests/test_registry.py).
QUICK = {"scenario": "profile", "seeds": 1}



# --- the demo contract -------------------------------------------------------------


def run(
    *,
    scenario: str = "ctr",
    seeds: int = 3,
    alpha: float = 0.7,
    ctr_weeks: int = 3,
    ctr_view_taste: float = 0.0,
    demand_weeks: int = 8,
    profile_labels: int = 150,
    image_labels: int = 100,
) -> ScenarioResult:
    """One scenario's teacher, student alone and distilled student, `seeds` times."""
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario must be one of {', '.join(SCENARIOS)}, got {scenario!r}")
    # Import first: threadpoolctl limits only the thread pools already loaded.
    if scenario == "ctr":
        from kdlab.shop.ctr import run_ctr as fn

        kw = dict(weeks=ctr_weeks, view_taste=ctr_view_taste)
    elif scenario == "demand":
        from kdlab.shop.demand import run_demand as fn

        kw = dict(weeks=demand_weeks)
    elif scenario == "profile":
        from kdlab.shop.profile import run_profile as fn

        kw = dict(n_labels=profile_labels)
    else:
        from kdlab.shop.images import run_images as fn

        kw = dict(n_labels=image_labels)
    from threadpoolctl import threadpool_limits

    # One thread for scikit-learn's OpenMP too, as for torch (kdlab.core.torch_env): on two cores
    # shared with other sessions, OpenMP's spinning threads made a boosting fit 60x slower.
    with threadpool_limits(limits=1):
        return fn(seeds=seeds, alpha=alpha, **kw)


def summarize(result: ScenarioResult) -> str:
    r = result
    lines = [f"{r.scenario}: {len(r.seeds)} seeds ({r.seconds:.1f} s); {r.design}"]
    head = f"{'model':<18}" + "".join(f"{m:>20}" for m in r.metrics) + f"{'params':>10}{'ms/1000':>10}"
    lines.append(head)
    for m in r.models:
        cells = "".join(f"{_pm(*mean_std(m.scores[k])):>20}" for k in r.metrics)
        name = m.key + ("" if m.serves else "*")
        lines.append(f"{name:<18}{cells}{m.params:>10,}{m.ms_per_1000:>10.3f}")
    if any(not m.serves for m in r.models):
        lines.append("* cannot serve: it needs a feature that does not exist when ranking")
    for c in r.comparisons.values():
        lines.append(
            f"{c.model} vs {c.baseline} on {r.metrics[0]}: {c.gain:+.4f} "
            f"(spread over seeds {c.gain_std:.4f}): {c.verdict}"
        )
    return "\n".join(lines)


def _pm(mean: float, std: float) -> str:
    return f"{mean:.4f} ± {std:.4f}"


def bench_cases() -> list[tuple[str, Callable[[], object]]]:
    """Each scenario's default run, for `python -m kdlab bench`.

    The scenario modules are imported here, so the timed calls do not pay for importing
    torch and scikit-learn (the app pays that once). The images case includes training
    the core demo's teacher CNN (about 2 s), which the page caches once per server.
    """
    import kdlab.shop.ctr
    import kdlab.shop.demand
    import kdlab.shop.images
    import kdlab.shop.profile  # noqa: F401

    return [(name, lambda name=name: run(scenario=name)) for name in SCENARIOS]
