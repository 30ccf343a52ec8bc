"""User profiling: which segment a shopper is in, from behaviour; a big model taught to small ones.

Segments (bargain / premium / loyal / casual, `kdlab.shop.world`) drive marketing, but the true
segment is known only for the few shoppers who answered a survey. Every shopper must be
profiled, every day, so the model that serves should read a few running counters, not four
weeks of raw logs.

- Teacher: a random forest (scikit-learn) on 18 behaviour features from four weeks of logs
  (activity, clicks, conversions, prices, promotions, view time, how concentrated the
  clicks are over categories), trained on the labelled shoppers.
- Students on five counters (sessions a week, weekend share, relative price of what was
  clicked, share of clicks on promotions, share of the favourite category), two kinds:
  a depth-4 decision tree (rules a marketing team can read) and a logistic regression.
  Alone: fit to the labelled shoppers. Distilled: (1 - alpha) × cross-entropy with the labels
  (labelled shoppers) + alpha × cross-entropy with the teacher's probabilities (every
  training shopper, labelled or not): the teacher labels shoppers nobody surveyed.
Soft targets in scikit-learn: cross-entropy with a target p is sum_k p_k · (-log q_k), so each
shopper becomes one row per segment k with sample weight p_k. Test: held-out shoppers.
"""

from __future__ import annotations

import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, log_loss
from sklearn.tree import DecisionTreeClassifier, export_text

from kdlab.core import budget, progress
from kdlab.shop.scenario import ModelRow, ScenarioResult, finish, ms_per_1000
from kdlab.shop.world import SEGMENTS, World, make_world

N_USERS, N_ITEMS, N_CATEGORIES, N_DAYS = 2000, 200, 8, 28
TEST_SHARE = 0.3
STUDENT_FEATURES = (
    "sessions_per_week", "weekend_share", "clicked_rel_price", "promo_click_share", "top_category_share",
)  # fmt: skip
METRICS = ["accuracy", "macro_f1", "log_loss"]
HIGHER_IS_BETTER = {"accuracy": True, "macro_f1": True, "log_loss": False}
TEACHER = dict(n_estimators=200, min_samples_leaf=2)

DESIGN = (
    "shoppers split into training (labelled: a survey's few, the rest unlabelled) and held-out test. "
    "teacher: random forest on 18 behaviour features, labelled shoppers; students: a depth-4 tree and a "
    "logistic regression on 5 counters; distilled: (1 - alpha) * labels (labelled) + alpha * teacher "
    "probabilities (all training shoppers); same seed, same split for every model"
)


def behaviour(world: World) -> tuple[np.ndarray, list[str]]:
    """(n_users, n_features) behaviour over the whole window; NaN where a shopper never clicked."""
    im, n_users = world.impressions, world.users.n_users
    weeks = world.n_days / 7

    def per_user(values, rows=None) -> np.ndarray:
        rows = np.ones(len(im), dtype=bool) if rows is None else rows
        return np.bincount(
            im.user[rows], weights=np.asarray(values, dtype=np.float64)[rows], minlength=n_users
        )

    with np.errstate(invalid="ignore", divide="ignore"):
        first = np.r_[True, im.session[1:] != im.session[:-1]]  # one row per session
        sessions = per_user(first)
        shown, clicks, buys = per_user(np.ones(len(im))), per_user(im.click), per_user(im.purchase)
        promo_shown = per_user(im.promo)
        cols = {
            "sessions_per_week": sessions / weeks,
            "weekend_share": per_user(first & (im.day % 7 >= 5)) / sessions,
            "click_rate": clicks / shown,
            "conversion": buys / clicks,
            "clicked_rel_price": per_user(im.rel_price, im.click) / clicks,
            "shown_rel_price": per_user(im.rel_price) / shown,
            "promo_click_share": per_user(im.promo, im.click) / clicks,
            "promo_click_rate": per_user(im.click, im.promo) / promo_shown,
            "full_price_click_rate": per_user(im.click, ~im.promo) / (shown - promo_shown),
            "mean_log_view_time": per_user(np.log(im.view_time)) / shown,
        }
        cat = world.catalogue.category[im.item]
        hist = np.stack(
            [per_user(im.click & (cat == c)) for c in range(world.catalogue.n_categories)], axis=1
        )
        share = hist / clicks[:, None]
        cols["top_category_share"] = share.max(axis=1)
        cols["category_entropy"] = -np.nansum(np.where(share > 0, share * np.log(share), 0.0), axis=1)
        cols["category_entropy"][clicks == 0] = np.nan
        # The histogram in order of the shopper's own preference: "how concentrated", not "which".
        ranked = -np.sort(-np.nan_to_num(share), axis=1)
        for k in range(min(6, ranked.shape[1])):
            cols[f"category_rank{k + 1}_share"] = np.where(clicks > 0, ranked[:, k], np.nan)
    names = list(cols)
    return np.column_stack([cols[n] for n in names]), names


def soft_rows(X: np.ndarray, p: np.ndarray, weight: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row once per class k with sample weight weight · p_k: cross-entropy with soft targets."""
    n, k = p.shape
    return np.repeat(X, k, axis=0), np.tile(np.arange(k), n), weight * p.ravel()


class Student:
    """A cheap model on the counters: a depth-4 decision tree (readable rules) or a logistic regression.

    The tree splits on missing values itself; the logistic regression fills them with the
    training mean and standardises. Soft targets come in as weighted rows (`soft_rows`).
    """

    def __init__(self, columns: list[int], kind: str = "tree", seed: int = 0):
        self.columns, self.kind, self.seed = columns, kind, seed

    def _x(self, X: np.ndarray) -> np.ndarray:
        x = X[:, self.columns]
        if self.kind == "tree":
            return x
        return (np.where(np.isnan(x), self.mean, x) - self.mean) / self.scale

    def fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None) -> Student:
        x = X[:, self.columns]
        self.mean, self.scale = np.nanmean(x, axis=0), np.nanstd(x, axis=0) + 1e-9
        if self.kind == "tree":
            self.model = DecisionTreeClassifier(max_depth=4, min_samples_leaf=5, random_state=self.seed)
        else:
            self.model = LogisticRegression(C=1.0, max_iter=500)
        self.model.fit(self._x(X), y, sample_weight=sample_weight)
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self.model.predict_proba(self._x(X))

    @property
    def classes_(self) -> np.ndarray:
        return self.model.classes_

    @property
    def n_parameters(self) -> int:
        """Tree: its nodes (a split or a leaf each); logistic: weights and intercepts."""
        if self.kind == "tree":
            return int(self.model.tree_.node_count)
        return int(self.model.coef_.size + self.model.intercept_.size)


def _scores(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    pred = p.argmax(axis=1)
    return {
        "accuracy": float((pred == y).mean()),
        "macro_f1": float(f1_score(y, pred, average="macro")),
        "log_loss": float(log_loss(y, p, labels=np.arange(len(SEGMENTS)))),
    }


def split_users(n_users: int, n_labels: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(labelled, unlabelled, test) shopper indices."""
    order = np.random.default_rng([seed, 2]).permutation(n_users)
    n_test = int(TEST_SHARE * n_users)
    test, pool = order[:n_test], order[n_test:]
    return np.sort(pool[:n_labels]), np.sort(pool[n_labels:]), np.sort(test)


def run_profile(seeds: int = 3, alpha: float = 0.7, n_labels: int = 150) -> ScenarioResult:
    """A forest teacher, then a tree and a logistic-regression student, each alone and distilled."""
    start = time.perf_counter()
    n_pool = N_USERS - int(TEST_SHARE * N_USERS)
    if n_labels > n_pool:
        raise ValueError(f"profile_labels must be at most {n_pool} (the training shoppers)")
    seed_list = list(range(seeds))
    keys = ("teacher", "alone", "distilled", "alone_logistic", "distilled_logistic")
    scores = {k: {m: [] for m in METRICS} for k in keys}
    kept = {}
    for seed in progress.steps(seed_list, "seed"):
        budget.check()  # the page's job time budget, once per seed (a seed takes under a second)
        world = make_world(seed, N_USERS, N_ITEMS, N_CATEGORIES, N_DAYS, slate=10)
        X, names = behaviour(world)
        y = world.users.segment
        lab, unlab, test = split_users(N_USERS, n_labels, seed)
        teacher = RandomForestClassifier(random_state=seed, **TEACHER).fit(X[lab], y[lab])

        # Soft term over every training shopper, hard term over the labelled: both are means.
        transfer = np.concatenate([lab, unlab])
        X_soft, y_soft, w_soft = soft_rows(X[transfer], _full_proba(teacher, X[transfer]), alpha)
        X_mix, y_mix = np.vstack([X[lab], X_soft]), np.concatenate([y[lab], y_soft])
        w_mix = np.concatenate([np.full(len(lab), (1 - alpha) * len(transfer) / len(lab)), w_soft])

        columns = [names.index(n) for n in STUDENT_FEATURES]
        models = {"teacher": teacher}
        for kind, suffix in (("tree", ""), ("logistic", "_logistic")):
            models["alone" + suffix] = Student(columns, kind, seed).fit(X[lab], y[lab])
            models["distilled" + suffix] = Student(columns, kind, seed).fit(X_mix, y_mix, sample_weight=w_mix)
        for k, model in models.items():
            for m, v in _scores(y[test], _full_proba(model, X[test])).items():
                scores[k][m].append(v)
        if seed == 0:
            kept = {"models": models, "X": X[test][:1000], "names": names,
                    "segment_means": segment_means(X, y, names),
                    "rules": export_text(models["distilled"].model, feature_names=list(STUDENT_FEATURES),
                                         class_names=list(SEGMENTS), max_depth=4)}  # fmt: skip

    Xt = kept["X"]
    rows = []
    for k in keys:
        model = kept["models"][k]
        size = tree_nodes(model) if k == "teacher" else model.n_parameters
        ms = ms_per_1000(lambda m=model: m.predict_proba(Xt), len(Xt), repeats=10 if k == "teacher" else 30)
        rows.append(ModelRow(k, size, ms, {m: np.array(v) for m, v in scores[k].items()}))
    settings = {"alpha": alpha, "users": N_USERS, "labelled": n_labels, "unlabelled": n_pool - n_labels,
                "test": N_USERS - n_pool, "days": N_DAYS, "teacher_features": len(kept["names"]),
                "student_features": list(STUDENT_FEATURES)}  # fmt: skip
    return finish(
        "profile", seed_list, METRICS, HIGHER_IS_BETTER, rows, DESIGN, settings, start,
        {"segment_means": kept["segment_means"], "rules": kept["rules"]},
        pairs={"logistic": ("distilled_logistic", "alone_logistic")},
    )  # fmt: skip


def tree_nodes(forest: RandomForestClassifier) -> int:
    """Nodes over all the forest's trees (a split or a leaf each): the teacher's size."""
    return int(sum(tree.tree_.node_count for tree in forest.estimators_))


def _full_proba(model, X: np.ndarray) -> np.ndarray:
    """Probabilities for all four segments, even if a small labelled set missed one."""
    p = np.zeros((len(X), len(SEGMENTS)))
    p[:, model.classes_] = model.predict_proba(X)
    p = np.clip(p, 1e-4, 1)  # a pure tree leaf says 0%: one surprise would make the log loss infinite
    return p / p.sum(axis=1, keepdims=True)


def segment_means(X: np.ndarray, y: np.ndarray, names: list[str]) -> dict:
    """The student's four counters, averaged per true segment: the signal it has to work with."""
    return {
        n: [float(np.nanmean(X[y == s, names.index(n)])) for s in range(len(SEGMENTS))]
        for n in STUDENT_FEATURES
    }
