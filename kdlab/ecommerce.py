"""Distillation in e-commerce: why a shop distils, in four live scenarios on a generated world.

Each scenario trains a teacher, a student alone and a distilled student on the same
data and scores them on the same held-out data, once per seed (seed k = a new world,
a new split and new initial weights), and reports mean ± std over seeds:

- ctr: click-through prediction with a privileged feature (view time) that the
  teacher sees in the training logs but no model has when ranking (Xu et al.,
  "Privileged Features Distillation at Taobao Recommendations", KDD 2020);
  `kdlab.shop_ctr`.
- demand: a gradient-boosting teacher distilled into a 3-coefficient linear model per
  item per store, against the seasonal naive forecast; `kdlab.shop_demand`.
- profile: shopper segments from behaviour; a forest on rich features distilled into a
  small tree or a logistic regression on five counters, through unlabelled shoppers;
  `kdlab.shop_profile`.
- images: the core demo's CNN teacher and MLP student (`kdlab.distill`), on
  Fashion-MNIST when its files are on disk, otherwise the bundled digits.

The world is `kdlab.shop` (its docstring is the whole generative process).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from kdlab.params import Param
from kdlab.seeds import mean_std, verdict

SCENARIOS = ("ctr", "demand", "profile", "images")

PARAMS = (
    Param("scenario", "ctr", choices=SCENARIOS, help="which e-commerce use of distillation"),
    Param("seeds", 3, 1, 5, help="runs, each with its own world, split and initial weights"),
    Param("alpha", 0.7, 0.0, 1.0, help="weight of the teacher's targets; 1 - alpha on the real labels"),
    Param("ctr_weeks", 3, 1, 6, help="ctr: weeks of click logs to train on (the next week is the test)"),
    Param("demand_weeks", 8, 4, 16, help="demand: weeks of sales history to train on"),
    Param("profile_labels", 150, 40, 1400, help="profile: training shoppers with a known segment (a survey)"),
    Param("image_labels", 100, 20, 1000, help="images: labelled training images the students get"),
)  # fmt: skip


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


# --- the demo contract -------------------------------------------------------------


def run(
    *,
    scenario: str = "ctr",
    seeds: int = 3,
    alpha: float = 0.7,
    ctr_weeks: int = 3,
    demand_weeks: int = 8,
    profile_labels: int = 150,
    image_labels: int = 100,
) -> ScenarioResult:
    """One scenario's teacher, student alone and distilled student, `seeds` times."""
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario must be one of {', '.join(SCENARIOS)}, got {scenario!r}")
    # Import first: threadpoolctl limits only the thread pools already loaded.
    if scenario == "ctr":
        from kdlab.shop_ctr import run_ctr as fn

        kw = dict(weeks=ctr_weeks)
    elif scenario == "demand":
        from kdlab.shop_demand import run_demand as fn

        kw = dict(weeks=demand_weeks)
    elif scenario == "profile":
        from kdlab.shop_profile import run_profile as fn

        kw = dict(n_labels=profile_labels)
    else:
        fn, kw = run_images, dict(n_labels=image_labels)
    from threadpoolctl import threadpool_limits

    # One thread for scikit-learn's OpenMP too, as for torch (kdlab._torch): on two cores
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


# --- product images: the core demo on catalogue-like pictures ----------------------

IMAGE_T, IMAGE_HIDDEN, IMAGE_EPOCHS, IMAGE_LR = 4.0, 32, 30, 0.01  # the core demo's defaults
FASHION_MAX_TRAIN = 3000  # of the official 60,000: a CNN on 2 cores in seconds
FASHION_TEACHER = dict(channels=16, layers=2, epochs=5, lr=0.01, batch_size=64)


def image_dataset(data_dir: str | None = None) -> str:
    """Fashion-MNIST (clothes and shoes: product photos) when its files are on disk, else digits."""
    from kdlab.data import available_datasets

    return "fashion-mnist" if "fashion-mnist" in available_datasets(data_dir) else "digits"


@lru_cache(maxsize=2)
def fashion_teacher(data_dir: str | None = None):
    """(split, CNN teacher) for Fashion-MNIST, trained once per process."""
    from kdlab._torch import seeded
    from kdlab.cnn import CNN, train_epochs
    from kdlab.data import data_root, load_idx_split

    split = load_idx_split(
        data_root(data_dir) / "fashion-mnist", "fashion-mnist", max_train=FASHION_MAX_TRAIN
    )
    cfg = dict(FASHION_TEACHER)
    epochs, lr, batch_size = cfg.pop("epochs"), cfg.pop("lr"), cfg.pop("batch_size")
    with seeded(0):
        model = CNN(**cfg, n_classes=len(split.classes), image_size=split.image_size)
    for _ in train_epochs(model, split, epochs=epochs, lr=lr, batch_size=batch_size, seed=0):
        pass
    return split, model.eval()


def distill_images(
    split,
    teacher,
    *,
    seeds: int,
    alpha: float,
    n_labels: int,
    T: float = IMAGE_T,
    hidden: int = IMAGE_HIDDEN,
    epochs: int = IMAGE_EPOCHS,
    lr: float = IMAGE_LR,
) -> dict:
    """kdlab.distill.compare's recipe for any ImageSplit: {kind: [model per seed]}.

    The same loss, labelled subset, initial weights and step count as the core demo; only
    the student's input size follows the images (28x28 for Fashion-MNIST). On the digits
    it trains the very same students as distill.compare (a test checks it).
    """
    from kdlab._torch import seeded, torch
    from kdlab.cnn import predict_logits
    from kdlab.distill import BATCH_SIZE, choose_labelled, distillation_loss
    from kdlab.students import StudentMLP, fit_student

    F = torch.nn.functional
    t = torch.from_numpy
    x, y, x_val, y_val = t(split.x_train), t(split.y_train), t(split.x_val), t(split.y_val)
    soft = t(predict_logits(teacher, split.x_train))
    steps = max(1, len(x) // BATCH_SIZE)
    transfer = np.arange(len(x))
    students = {"alone": [], "distilled": []}
    for seed in range(seeds):
        labelled = choose_labelled(split.y_train, n_labels, seed)
        mask = torch.zeros(len(y), dtype=torch.bool)
        mask[torch.as_tensor(labelled)] = True
        losses = {
            "alone": (labelled, lambda logits, idx: F.cross_entropy(logits, y[idx])),
            "distilled": (
                transfer,
                lambda logits, idx, mask=mask: distillation_loss(
                    logits, soft[idx], y[idx], T, alpha, mask[idx]
                ),
            ),
        }
        for kind, (pool, loss_fn) in losses.items():
            with seeded(seed):  # both kinds start from the same weights, as in kdlab.distill
                model = StudentMLP(hidden, n_inputs=split.image_size**2, n_classes=len(split.classes))
            fit_student(model, x, pool, loss_fn, epochs=epochs, steps_per_epoch=steps, batch_size=BATCH_SIZE,
                        lr=lr, seed=seed, x_val=x_val, y_val=y_val)  # fmt: skip
            students[kind].append(model.eval())
    return students


def run_images(
    seeds: int = 3, alpha: float = 0.7, n_labels: int = 100, data_dir: str | None = None
) -> ScenarioResult:
    """The core demo's teacher and students on product-like images, scored on held-out images."""
    from kdlab.cnn import count_parameters, predict_logits

    start = time.perf_counter()
    dataset = image_dataset(data_dir)
    if dataset == "digits":
        from kdlab import distill

        teacher, split = distill.default_teacher(), distill._split()
        n_labels = min(n_labels, len(split.y_train))
        students = distill.compare(T=IMAGE_T, alpha=alpha, student_hidden=IMAGE_HIDDEN, n_labels=n_labels,
                                   epochs=IMAGE_EPOCHS, lr=IMAGE_LR, seeds=seeds, teacher=teacher).students  # fmt: skip
    else:
        split, teacher = fashion_teacher(data_dir)
        n_labels = min(n_labels, len(split.y_train))
        students = distill_images(split, teacher, seeds=seeds, alpha=alpha, n_labels=n_labels)

    x_test, y_test = split.x_test, split.y_test
    logits = {"teacher": [predict_logits(teacher, x_test)] * seeds} | {
        k: [predict_logits(m, x_test) for m in models] for k, models in students.items()
    }
    x_serve = x_test[:1000]
    rows = []
    for k in ("teacher", "alone", "distilled"):
        model = teacher if k == "teacher" else students[k][0]
        ms = ms_per_1000(lambda m=model: predict_logits(m, x_serve), len(x_serve))
        scores = {"accuracy": np.array([_accuracy(z, y_test) for z in logits[k]]),
                  "log_loss": np.array([_log_loss(z, y_test) for z in logits[k]])}  # fmt: skip
        rows.append(ModelRow(k, count_parameters(model), ms, scores))
    settings = {"dataset": dataset, "alpha": alpha, "T": IMAGE_T, "labelled": n_labels,
                "transfer": len(split.y_train), "test": len(y_test), "student_hidden": IMAGE_HIDDEN,
                "epochs": IMAGE_EPOCHS, "image_size": split.image_size}  # fmt: skip
    design = (
        f"{dataset}: teacher CNN on every labelled training image; students: a {IMAGE_HIDDEN}-unit MLP, "
        f"alone on {n_labels} labelled images, distilled on all {len(split.y_train)} training images "
        f"(teacher's soft targets, T = {IMAGE_T:g}) plus those labels; same initial weights and steps"
    )
    extra = {"samples": x_test[:8, 0], "sample_labels": [split.classes[c] for c in y_test[:8]],
             "classes": list(split.classes)}  # fmt: skip
    return finish("images", list(range(seeds)), ["accuracy", "log_loss"], {"accuracy": True, "log_loss": False},
                  rows, design, settings, start, extra)  # fmt: skip


def _accuracy(logits: np.ndarray, y: np.ndarray) -> float:
    return float((logits.argmax(1) == y).mean())


def _log_loss(logits: np.ndarray, y: np.ndarray) -> float:
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(y)), y].mean())


def bench_cases() -> list[tuple[str, Callable[[], object]]]:
    """Each scenario's default run, for `python -m kdlab bench`.

    The scenario modules are imported here, so the timed calls do not pay for importing
    torch and scikit-learn (the app pays that once). The images case includes training
    the core demo's teacher CNN (about 2 s), which the page caches once per server.
    """
    import kdlab.shop_ctr
    import kdlab.shop_demand
    import kdlab.shop_profile  # noqa: F401

    return [(name, lambda name=name: run(scenario=name)) for name in SCENARIOS]
