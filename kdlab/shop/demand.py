"""Demand forecasting: a gradient-boosting teacher distilled into three numbers per item per store.

A shop forecasts next week's orders for every item in every store (warehouse, region).
One boosted-tree model pooled over all series is accurate but heavy to ship and run
everywhere; a linear model with three coefficients per series runs anywhere (a
spreadsheet, a store's till). The catch: one series has only a few weeks of history and
few promotion days, so its promotion coefficient is a guess.

- Seasonal naive: the same weekday last week (the baseline every forecast must beat).
- Teacher: scikit-learn's HistGradientBoostingRegressor (Poisson loss), pooled over every
  series, on weekday, store, category, relative price, promotion today and a week ago,
  the same weekday 1-4 weeks ago and the last one and four weeks' means.
- Student, per item per store: units ≈ w0 + w1 · (mean of the same weekday 1-4 weeks ago)
  + w2 · promotion, by least squares on that series' own training days.
  Alone: fit to the real orders. Distilled: fit to (1 - alpha) · orders + alpha · teacher on
  the training days, plus the same days with the promotion switched (on for off, off for on)
  labelled by the teacher alone: extra points that teach the lift a series rarely shows.
Every week is forecast from the data up to the end of the week before (lags of 7+ days),
so the same-weekday lags are known; promotions are planned, so they are known too.
Train on `weeks` weeks after four weeks of warm-up (for the lags), test on the next two weeks.
"""

from __future__ import annotations

import time

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor

from kdlab.core import budget, progress
from kdlab.shop.scenario import ModelRow, ScenarioResult, finish, ms_per_1000
from kdlab.shop.world import Catalogue, Sales, daily_sales, make_catalogue

N_ITEMS, N_CATEGORIES, N_STORES = 60, 8, 5
WARM_UP, TEST_DAYS = 28, 14
METRICS = ["wape", "mae", "wape_promo"]
HIGHER_IS_BETTER = {"wape": False, "mae": False, "wape_promo": False}
TEACHER = dict(loss="poisson", max_iter=150, learning_rate=0.1, max_leaf_nodes=31, early_stopping=False)

DESIGN = (
    "train: each series' first weeks after a 4-week warm-up; test: the next 2 weeks, each week forecast "
    "from data up to the week before. naive: same weekday last week. teacher: gradient boosting pooled "
    "over all series. student: 3 coefficients per item per store; distilled: fit to (1 - alpha) * orders "
    "+ alpha * teacher, plus the training days with the promotion switched, labelled by the teacher"
)
FEATURES = (
    "weekday", "store", "category", "rel_price", "promo", "promo_lag7",
    "lag7", "lag14", "lag21", "lag28", "mean_last_week", "mean_4_weeks",
)  # fmt: skip


def make_sales(seed: int, weeks: int) -> tuple[Catalogue, Sales]:
    """The world of seed `seed` (its catalogue is make_world(seed)'s) and its daily orders."""
    n_days = WARM_UP + 7 * weeks + TEST_DAYS
    catalogue = make_catalogue(np.random.default_rng(seed), N_ITEMS, N_CATEGORIES, n_days)
    return catalogue, daily_sales(catalogue, N_STORES, seed)


def features(catalogue: Catalogue, sales: Sales, days: np.ndarray, promo: np.ndarray | None = None) -> dict:
    """Feature columns for every (store, item, day) with day in `days`, in that order.

    `promo` (n_items, n_days) replaces the calendar's promotion flags for today (the
    augmentation); the lags always come from what really happened.
    """
    units = sales.units.astype(np.float64)
    n_stores, n_items, _ = units.shape
    promo = sales.promo if promo is None else promo
    s, i, d = (a.ravel() for a in np.meshgrid(np.arange(n_stores), np.arange(n_items), days, indexing="ij"))
    week_start = d - d % 7  # forecast made at the end of the previous week: lags of 7+ days only
    lags = {f"lag{k}": units[s, i, d - k] for k in (7, 14, 21, 28)}
    cum = np.concatenate([np.zeros((n_stores, n_items, 1)), np.cumsum(units, axis=2)], axis=2)
    return {
        "weekday": d % 7, "store": s, "category": catalogue.category[i],
        "rel_price": np.log(catalogue.price[i] / catalogue.base_price[catalogue.category[i]]),
        "promo": promo[i, d].astype(np.float64), "promo_lag7": sales.promo[i, d - 7].astype(np.float64),
        **lags,
        "mean_last_week": (cum[s, i, week_start] - cum[s, i, week_start - 7]) / 7,
        "mean_4_weeks": (cum[s, i, week_start] - cum[s, i, week_start - 28]) / 28,
        "same_weekday_mean": (lags["lag7"] + lags["lag14"] + lags["lag21"] + lags["lag28"]) / 4,
        "series": s * n_items + i,
        "y": units[s, i, d],
    }  # fmt: skip


def matrix(cols: dict) -> np.ndarray:
    return np.column_stack([cols[name] for name in FEATURES])


def fit_teacher(cols: dict, seed: int) -> HistGradientBoostingRegressor:
    categorical = [FEATURES.index(n) for n in ("weekday", "store", "category")]
    model = HistGradientBoostingRegressor(categorical_features=categorical, random_state=seed, **TEACHER)
    return model.fit(matrix(cols), cols["y"])


def tree_nodes(model) -> int:
    """Numbers the boosted trees store (a threshold or a value per node): the teacher's size."""
    return int(sum(len(tree.nodes) for stage in model._predictors for tree in stage))


def student_design(cols: dict) -> np.ndarray:
    """[1, same-weekday mean of the last four weeks, promotion]: all a student reads."""
    return np.column_stack([np.ones(len(cols["y"])), cols["same_weekday_mean"], cols["promo"]])


def fit_per_series(X: np.ndarray, y: np.ndarray, series: np.ndarray, n_series: int) -> np.ndarray:
    """Least squares per series: (n_series, 3) coefficients.

    A tiny ridge (1e-3) keeps a series without promotion days solvable: its promotion
    coefficient then stays near 0, the honest answer from its own data.
    """
    W = np.zeros((n_series, X.shape[1]))
    order = np.argsort(series, kind="stable")
    bounds = np.searchsorted(series[order], np.arange(n_series + 1))
    for k in range(n_series):
        rows = order[bounds[k] : bounds[k + 1]]
        A, b = X[rows], y[rows]
        W[k] = np.linalg.solve(A.T @ A + 1e-3 * np.eye(A.shape[1]), A.T @ b)
    return W


def predict_per_series(W: np.ndarray, X: np.ndarray, series: np.ndarray) -> np.ndarray:
    return np.maximum((W[series] * X).sum(axis=1), 0.0)  # orders are never negative


def _scores(y: np.ndarray, pred: np.ndarray, promo: np.ndarray) -> dict[str, float]:
    err = np.abs(y - pred)
    return {
        "wape": float(err.sum() / y.sum()),
        "mae": float(err.mean()),
        "wape_promo": float(err[promo].sum() / y[promo].sum()) if promo.any() else float("nan"),
    }


def run_demand(seeds: int = 3, alpha: float = 0.7, weeks: int = 8) -> ScenarioResult:
    start = time.perf_counter()
    seed_list = list(range(seeds))
    keys = ("naive", "teacher", "alone", "distilled")
    scores = {k: {m: [] for m in METRICS} for k in keys}
    kept = {}
    for seed in progress.steps(seed_list, "seed"):
        budget.check()  # the page's job time budget, once per seed (a seed takes under a second)
        catalogue, sales = make_sales(seed, weeks)
        n_days = sales.units.shape[2]
        train_days = np.arange(WARM_UP, n_days - TEST_DAYS)
        test_days = np.arange(n_days - TEST_DAYS, n_days)
        tr, te = features(catalogue, sales, train_days), features(catalogue, sales, test_days)
        flipped = features(catalogue, sales, train_days, promo=~sales.promo)

        teacher = fit_teacher(tr, seed)
        n_series = N_STORES * N_ITEMS
        X_tr, X_flip, X_te = student_design(tr), student_design(flipped), student_design(te)
        W_alone = fit_per_series(X_tr, tr["y"], tr["series"], n_series)
        target = (1 - alpha) * tr["y"] + alpha * teacher.predict(matrix(tr))
        W_distilled = fit_per_series(
            np.vstack([X_tr, X_flip]),
            np.concatenate([target, teacher.predict(matrix(flipped))]),
            np.concatenate([tr["series"], flipped["series"]]),
            n_series,
        )
        preds = {
            "naive": te["lag7"],
            "teacher": teacher.predict(matrix(te)),
            "alone": predict_per_series(W_alone, X_te, te["series"]),
            "distilled": predict_per_series(W_distilled, X_te, te["series"]),
        }
        promo = te["promo"] > 0
        for k, p in preds.items():
            for m, v in _scores(te["y"], p, promo).items():
                scores[k][m].append(v)
        if seed == 0:
            kept = {"teacher": teacher, "W": W_distilled, "te": te, "preds": preds, "sales": sales,
                    "train_promo_days": _promo_days_per_series(tr)}  # fmt: skip

    te = kept["te"]
    X1000, rows1000, series1000 = matrix(te)[:1000], student_design(te)[:1000], te["series"][:1000]
    latency = {
        "naive": 0.0,
        "teacher": ms_per_1000(lambda: kept["teacher"].predict(X1000), 1000, repeats=10),
        "alone": ms_per_1000(lambda: predict_per_series(kept["W"], rows1000, series1000), 1000),
    }
    latency["distilled"] = latency["alone"]  # the same model, other coefficients
    size = {"naive": 0, "teacher": tree_nodes(kept["teacher"]), "alone": 3, "distilled": 3}
    rows = [ModelRow(k, size[k], latency[k], {m: np.array(v) for m, v in scores[k].items()}) for k in keys]
    settings = {"weeks": weeks, "alpha": alpha, "stores": N_STORES, "items": N_ITEMS,
                "series": N_STORES * N_ITEMS, "train_days": 7 * weeks, "test_days": TEST_DAYS}  # fmt: skip
    return finish(
        "demand", seed_list, METRICS, HIGHER_IS_BETTER, rows, DESIGN, settings, start,
        {"example": example_series(kept), "weekday_profile": weekday_profile(kept["sales"]),
         "train_promo_days": kept["train_promo_days"]},
    )  # fmt: skip


def _promo_days_per_series(cols: dict) -> dict:
    """How many promotion days each series has to learn its lift from (seed 0)."""
    counts = np.bincount(cols["series"], weights=cols["promo"]).astype(int)
    return {"median": float(np.median(counts)), "share_without_any": float((counts == 0).mean())}


def weekday_profile(sales: Sales) -> list[float]:
    """Total orders per weekday (Mon..Sun) over the whole history, divided by their mean."""
    n_days = sales.units.shape[2]
    per_day = sales.units.sum(axis=(0, 1))
    by_weekday = np.array([per_day[np.arange(n_days) % 7 == w].mean() for w in range(7)])
    return list(by_weekday / by_weekday.mean())


def example_series(kept: dict) -> dict:
    """The test fortnight of the busiest series with a promotion in it: actual and each forecast."""
    te, preds = kept["te"], kept["preds"]
    n = TEST_DAYS
    series = te["series"].reshape(-1, n)[:, 0]
    y = te["y"].reshape(-1, n)
    promo = te["promo"].reshape(-1, n)
    candidates = np.flatnonzero(promo.any(axis=1))
    pick = (
        candidates[np.argmax(y[candidates].sum(axis=1))] if len(candidates) else int(np.argmax(y.sum(axis=1)))
    )
    return {
        "series": int(series[pick]),
        "weekday": te["weekday"].reshape(-1, n)[pick].tolist(),
        "actual": y[pick].tolist(),
        "promo": promo[pick].astype(bool).tolist(),
        **{k: p.reshape(-1, n)[pick].tolist() for k, p in preds.items()},
    }
