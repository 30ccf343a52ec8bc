"""Evaluation metrics from scratch: confusion matrix, precision/recall/F1, ROC and PR, AUC by ranks, calibration, GAUC.

Classification counts (rows = true class, columns = predicted class):

    TP_k = C[k, k]     FP_k = Σ_j C[j, k] - TP_k     FN_k = Σ_j C[k, j] - TP_k
    precision_k = TP_k / (TP_k + FP_k)     recall_k = TP_k / (TP_k + FN_k)
    F1_k = 2 P_k R_k / (P_k + R_k)         0/0 is taken as 0 (scikit-learn's zero_division=0)

    macro    = the plain mean over classes (a rare class counts as much as a common one)
    weighted = the mean over classes weighted by support (the class's number of true rows)
    micro    = pool TP, FP, FN over classes first; for single-label data every error is one FP
               and one FN, so micro P = micro R = micro F1 = accuracy

Scores (binary): predict positive when s >= t. Lowering t moves one point along both curves:
    ROC: (FPR, TPR) = (FP / N, TP / P)        PR: (recall, precision) = (TP / P, TP / (TP + FP))
    AUC = P(s+ > s-) + ½ P(s+ = s-)  =  (Σ_{positives} rank - P(P + 1)/2) / (P N)
with ascending ranks averaged over tied scores (the Mann-Whitney U statistic): one sort, O(n log n).

Calibration: cut [0, 1] into equal bins; in bin b compare the mean predicted probability
(confidence) with the fraction of positives (accuracy):
    ECE = Σ_b (n_b / n) |accuracy_b - confidence_b|
AUC depends only on the order of the scores, so sharpening or flattening them (a monotone map)
leaves AUC unchanged and moves only the calibration.

GAUC (Zhou et al., KDD 2018, "Deep Interest Network", §6.3, eq. 10, who still call it AUC):
    GAUC = Σ_u #impressions_u · AUC_u / Σ_u #impressions_u
over users u; a user's AUC exists only if they have a click and a non-click, so the sum runs over
those users. Online, a ranker orders one user's candidates at a time: GAUC scores exactly those
within-user orders, while global AUC also rewards ranking one user's items above another's.

Data: all seeded here, nothing downloaded. A binary classifier whose scores are the exact
posterior of two Gaussian classes, sharpened or flattened by `sharpness` (1 = calibrated); a
multi-class nearest-centroid classifier on imbalanced 2-D Gaussian classes; and a shop log
(users of very different activity, heavy users clicking more) scored by three counting models.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from kdlab.core.params import Param, validate

PARAMS: tuple[Param, ...] = (
    Param("n", 2000, 200, 20_000, help="rows of the binary and the multi-class data (half held out)"),
    Param("positive_rate", 0.2, 0.01, 0.5, help="share of positives in the binary data"),
    Param("separation", 1.5, 0.0, 4.0, help="distance between the class means, in standard deviations"),
    Param("sharpness", 1.0, 0.25, 4.0, help="scores = sigmoid(sharpness x true log-odds); 1 = calibrated"),
    Param("n_bins", 10, 5, 20, help="equal-width bins of the reliability diagram and ECE"),
    Param("n_classes", 4, 2, 6, help="classes of the multi-class data"),
    Param("imbalance", 5, 1, 20, help="largest class / smallest class, multi-class data"),
    Param("n_users", 1000, 50, 3000, help="users in the generated shop log"),
    Param(
        "activity_effect",
        1.0,
        0.0,
        2.0,
        help="how much more heavy users click (logit per std of log activity)",
    ),
    Param("seed", 0, 0, 10_000, help="seed of all generated data"),
)

# The operating threshold: a page slider that reads the result, not a new run.
THRESHOLD = Param("threshold", 0.5, 0.0, 1.0, help="predict positive when score >= threshold")

QUICK = {"n": 400, "n_users": 100}

MODELS = ("within_user", "user_activity", "both")


# ---------------------------------------------------------------- counts and their ratios


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """C[i, j] = number of rows of true class i predicted as class j."""
    return np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes).reshape(
        n_classes, n_classes
    )


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a / b with 0/0 = 0 (scikit-learn's zero_division=0)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.divide(a, b, out=np.zeros_like(a), where=b > 0)


def precision_recall_f1(C: np.ndarray, average: str | None = None):
    """(precision, recall, F1) from a confusion matrix: per class (average=None), or
    'macro', 'weighted' or 'micro' (see the module docstring)."""
    tp = np.diag(C).astype(float)
    fp = C.sum(axis=0) - tp
    fn = C.sum(axis=1) - tp
    if average == "micro":
        tp, fp, fn = tp.sum(), fp.sum(), fn.sum()
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    f1 = _ratio(2 * precision * recall, precision + recall)
    if average in (None, "micro"):
        return precision, recall, f1
    support = C.sum(axis=1)
    weights = np.ones_like(tp) if average == "macro" else support / support.sum()
    return tuple(float(np.sum(weights * m) / np.sum(weights)) for m in (precision, recall, f1))


# ---------------------------------------------------------------- ranks: AUC and GAUC


def average_ranks(s: np.ndarray, group: np.ndarray | None = None) -> np.ndarray:
    """Ascending ranks 1..n_g of s within each group, tied scores sharing their mean rank.

    One lexsort (O(n log n)); then each tie run of length m starting at position a (within its
    group) gets rank a + (m + 1) / 2."""
    n = len(s)
    group = np.zeros(n, dtype=int) if group is None else np.asarray(group)
    order = np.lexsort((s, group))  # by group, then by score
    g, ss = group[order], s[order]
    pos = np.arange(n)
    new_group = np.r_[True, g[1:] != g[:-1]]
    new_tie = new_group | np.r_[True, ss[1:] != ss[:-1]]
    group_start = np.maximum.accumulate(np.where(new_group, pos, 0))
    tie_start = pos[new_tie]
    tie_size = np.diff(np.r_[tie_start, n])
    tie = np.cumsum(new_tie) - 1
    ranks = np.empty(n)
    ranks[order] = tie_start[tie] - group_start + (tie_size[tie] + 1) / 2
    return ranks


def rank_auc(y: np.ndarray, s: np.ndarray) -> float:
    """AUC = (Σ_{positives} rank - P(P+1)/2) / (P N), ties counting ½: the Mann-Whitney U."""
    ranks = average_ranks(s)
    P = int(y.sum())
    N = len(y) - P
    return float((ranks[y == 1].sum() - P * (P + 1) / 2) / (P * N))


def gauc(y: np.ndarray, s: np.ndarray, user: np.ndarray):
    """(GAUC, per-user AUC, per-user impressions, whether the user counts), users = np.unique(user).

    GAUC = Σ_u n_u AUC_u / Σ_u n_u over users with both a click and a non-click (DIN eq. 10,
    n_u = the user's impressions). Every user's AUC comes from the same rank formula, with ranks
    taken within the user, all at once."""
    _, u = np.unique(user, return_inverse=True)
    ranks = average_ranks(s, u)
    n_u = np.bincount(u)
    P_u = np.bincount(u, weights=y)
    N_u = n_u - P_u
    rank_sum = np.bincount(u, weights=ranks * y)
    counts = (P_u > 0) & (N_u > 0)
    auc_u = np.full(len(n_u), np.nan)
    auc_u[counts] = (rank_sum[counts] - P_u[counts] * (P_u[counts] + 1) / 2) / (P_u[counts] * N_u[counts])
    value = float(np.sum(n_u[counts] * auc_u[counts]) / np.sum(n_u[counts]))
    return value, auc_u, n_u, counts


# ---------------------------------------------------------------- curves, thresholds, calibration


def curve_points(y: np.ndarray, s: np.ndarray):
    """Every distinct threshold t (descending) with TP(t), FP(t) for 'positive if s >= t'."""
    order = np.argsort(-s, kind="stable")
    s_sorted, y_sorted = s[order], y[order]
    last_of_tie = np.r_[s_sorted[1:] != s_sorted[:-1], True]
    tp = np.cumsum(y_sorted)[last_of_tie]
    fp = (np.arange(1, len(y) + 1) - np.cumsum(y_sorted))[last_of_tie]
    return s_sorted[last_of_tie], tp.astype(float), fp.astype(float)


def roc_curve(y: np.ndarray, s: np.ndarray):
    """(FPR, TPR, thresholds), starting at (0, 0) with threshold +inf, as scikit-learn's roc_curve."""
    thresholds, tp, fp = curve_points(y, s)
    P, N = tp[-1], fp[-1]
    return np.r_[0.0, fp / N], np.r_[0.0, tp / P], np.r_[np.inf, thresholds]


def pr_curve(y: np.ndarray, s: np.ndarray):
    """(precision, recall, thresholds) at every distinct threshold, descending."""
    thresholds, tp, fp = curve_points(y, s)
    return tp / (tp + fp), tp / tp[-1], thresholds


def average_precision(y: np.ndarray, s: np.ndarray) -> float:
    """AP = Σ_k (R_k - R_{k-1}) P_k: the PR curve's area as a step function (no interpolation)."""
    precision, recall, _ = pr_curve(y, s)
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


@dataclass
class OperatingPoint:
    threshold: float
    tp: int
    fp: int
    fn: int
    tn: int
    tpr: float  # = recall
    fpr: float
    precision: float  # 0 when nothing is predicted positive (zero_division=0)
    f1: float


def operating_point(y: np.ndarray, s: np.ndarray, threshold: float) -> OperatingPoint:
    """The confusion counts and rates of 'positive if s >= threshold'."""
    pred = s >= threshold
    tp = int(np.sum(pred & (y == 1)))
    fp = int(np.sum(pred & (y == 0)))
    fn = int(np.sum(~pred & (y == 1)))
    tn = len(y) - tp - fp - fn
    precision, recall = float(_ratio(tp, tp + fp)), float(_ratio(tp, tp + fn))
    f1 = float(_ratio(2 * precision * recall, precision + recall))
    return OperatingPoint(threshold, tp, fp, fn, tn, recall, float(_ratio(fp, fp + tn)), precision, f1)


def reliability(y: np.ndarray, p: np.ndarray, n_bins: int):
    """(counts, confidence, accuracy, ECE) over n_bins equal-width bins of [0, 1].

    A probability on an inner edge goes to the lower bin (np.searchsorted, side 'left'), as
    scikit-learn's calibration_curve(strategy='uniform'). Empty bins have NaN confidence/accuracy."""
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    b = np.searchsorted(edges[1:-1], p)
    counts = np.bincount(b, minlength=n_bins)
    confidence = _ratio(np.bincount(b, weights=p, minlength=n_bins), counts)
    accuracy = _ratio(np.bincount(b, weights=y, minlength=n_bins), counts)
    ece = float(np.sum(counts / len(y) * np.abs(accuracy - confidence)))
    empty = counts == 0
    confidence[empty] = accuracy[empty] = np.nan
    return counts, confidence, accuracy, ece


def log_loss_from_logits(y: np.ndarray, z: np.ndarray) -> float:
    """Mean of -[y log σ(z) + (1-y) log(1-σ(z))] = mean log(1 + exp(-(2y-1) z)), exact for any z."""
    return float(np.mean(np.logaddexp(0.0, -(2 * y - 1) * z)))


# ---------------------------------------------------------------- the data


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + np.tanh(z / 2))  # no overflow warning for large |z|


def binary_scores(n: int, positive_rate: float, separation: float, sharpness: float, rng):
    """x ~ N(±separation/2, 1); the true log-odds are separation·x + log(π/(1-π)); the model
    outputs σ(sharpness · log-odds). Returns (y, logit, score)."""
    y = (rng.random(n) < positive_rate).astype(int)
    y[:2] = (0, 1)  # both classes always present
    x = rng.normal(separation * (y - 0.5), 1.0)
    logit = sharpness * (separation * x + np.log(positive_rate / (1 - positive_rate)))
    return y, logit, _sigmoid(logit)


def multiclass_predictions(n: int, n_classes: int, imbalance: int, separation: float, rng):
    """Imbalanced 2-D Gaussian classes (sizes ∝ imbalance^(-k/(K-1))) with means on a circle of
    radius separation, and a nearest-centroid classifier fitted on the other half of the rows.
    Returns (y_test, y_pred, class shares)."""
    share = float(imbalance) ** (-np.arange(n_classes) / (n_classes - 1))
    share /= share.sum()
    angle = 2 * np.pi * np.arange(n_classes) / n_classes
    means = separation * np.column_stack([np.cos(angle), np.sin(angle)])
    y = rng.choice(n_classes, size=2 * n, p=share)
    y[: 2 * n_classes] = np.tile(np.arange(n_classes), 2)  # every class in both halves
    X = means[y] + rng.normal(size=(2 * n, 2))
    train, test = slice(0, 2 * n, 2), slice(1, 2 * n, 2)
    centroids = np.array([X[train][y[train] == k].mean(axis=0) for k in range(n_classes)])
    distance = ((X[test][:, None, :] - centroids[None]) ** 2).sum(axis=-1)
    return y[test], distance.argmin(axis=1), share


@dataclass
class ShopLog:
    user: np.ndarray  # per impression
    category: np.ndarray
    item: np.ndarray
    click: np.ndarray
    train: np.ndarray  # bool: the half the counting models are fitted on
    activity: np.ndarray  # per user: impressions in the whole log


def shop_log(n_users: int, activity_effect: float, rng) -> ShopLog:
    """A click log. User u sees n_u ~ 1 + LogNormal(log 30, 1) (≤ 600) random items (a few heavy
    users, many light ones); item i of category c_i is clicked with probability
        σ(-2 + activity_effect · a_u + b_u + τ_u[c_i] + q_i)
    where a_u is the standardised log n_u (heavy users click more), b_u ~ N(0, 0.3) the user's own
    bias, τ_u ~ N(0, 1) per category their taste, q_i ~ N(0, 0.5) the item's appeal."""
    n_items, n_categories = 400, 8
    n_u = np.minimum(1 + rng.lognormal(np.log(30), 1.0, n_users).astype(int), 600)
    a = (np.log(n_u) - np.log(n_u).mean()) / np.log(n_u).std()
    bias = -2.0 + activity_effect * a + rng.normal(0, 0.3, n_users)
    taste = rng.normal(0, 1.0, (n_users, n_categories))
    item_category = rng.integers(0, n_categories, n_items)
    appeal = rng.normal(0, 0.5, n_items)
    user = np.repeat(np.arange(n_users), n_u)
    item = rng.integers(0, n_items, len(user))
    category = item_category[item]
    p = _sigmoid(bias[user] + taste[user, category] + appeal[item])
    click = (rng.random(len(user)) < p).astype(int)
    return ShopLog(user, category, item, click, rng.random(len(user)) < 0.5, n_u)


def counting_models(log: ShopLog, prior: float = 10.0) -> dict[str, np.ndarray]:
    """Three scorers fitted by counting clicks on the training half (smoothed toward a prior
    rate with `prior` pseudo-impressions), each a sum of logits:
        user    = logit CTR(user)                       who clicks a lot
        taste   = logit CTR(user, category) - user      what this user clicks more than usual
        item    = logit CTR(item) - logit CTR(all)      what everyone clicks more
    within_user = taste + item; user_activity = user + item; both = user + taste + item.
    'both' differs from 'within_user' by a constant per user, so its GAUC is the same."""
    tr = log.train
    n_users, n_items = len(log.activity), int(log.item.max()) + 1
    n_categories = int(log.category.max()) + 1
    ctr = log.click[tr].mean()

    def smoothed(key, size, base):
        clicks = np.bincount(key[tr], weights=log.click[tr], minlength=size)
        shown = np.bincount(key[tr], minlength=size)
        rate = (clicks + prior * base) / (shown + prior)
        return np.log(rate / (1 - rate))

    user_logit = smoothed(log.user, n_users, ctr)
    user_rate = 1 / (1 + np.exp(-user_logit))
    cell = log.user * n_categories + log.category
    cell_logit = smoothed(cell, n_users * n_categories, np.repeat(user_rate, n_categories))
    item_logit = smoothed(log.item, n_items, ctr) - np.log(ctr / (1 - ctr))
    user_term = user_logit[log.user]
    taste_term = cell_logit[cell] - user_term
    item_term = item_logit[log.item]
    return {
        "within_user": taste_term + item_term,
        "user_activity": user_term + item_term,
        "both": user_term + taste_term + item_term,
    }


# ---------------------------------------------------------------- the run


@dataclass
class MetricsResult:
    params: dict
    # binary: held-out scores of a classifier
    y: np.ndarray
    score: np.ndarray
    fpr: np.ndarray
    tpr: np.ndarray
    roc_thresholds: np.ndarray
    precision: np.ndarray  # at pr_thresholds (descending)
    recall: np.ndarray
    pr_thresholds: np.ndarray
    auc: float
    average_precision: float
    log_loss: float
    brier: float
    bin_counts: np.ndarray
    bin_confidence: np.ndarray
    bin_accuracy: np.ndarray
    ece: float
    at_half: OperatingPoint  # threshold 0.5
    # multi-class
    class_share: np.ndarray
    confusion: np.ndarray
    class_precision: np.ndarray
    class_recall: np.ndarray
    class_f1: np.ndarray
    averages: dict  # macro / weighted / micro -> (precision, recall, F1)
    accuracy: float
    # shop log (held-out half)
    n_impressions: int
    click_rate: float
    model_auc: dict  # model -> global AUC
    model_gauc: dict  # model -> GAUC
    users_counted: int  # users with a click and a non-click in the held-out half
    users_total: int
    impressions_counted: float  # share of held-out impressions GAUC covers
    user_impressions: np.ndarray  # per user, held out
    user_ctr: np.ndarray
    user_auc: dict  # model -> per-user AUC (NaN where undefined)
    seconds: float = 0.0


def run(**params) -> MetricsResult:
    start = time.perf_counter()
    p = validate(PARAMS, params)
    rng = np.random.default_rng(p["seed"])

    y, logit, score = binary_scores(p["n"], p["positive_rate"], p["separation"], p["sharpness"], rng)
    fpr, tpr, roc_thr = roc_curve(y, score)
    precision, recall, pr_thr = pr_curve(y, score)
    counts, confidence, accuracy, ece = reliability(y, score, p["n_bins"])

    y_mc, pred_mc, share = multiclass_predictions(
        p["n"], p["n_classes"], p["imbalance"], p["separation"], rng
    )
    C = confusion_matrix(y_mc, pred_mc, p["n_classes"])
    cp, cr, cf = precision_recall_f1(C)
    averages = {a: precision_recall_f1(C, a) for a in ("macro", "weighted", "micro")}
    averages["micro"] = tuple(float(np.squeeze(v)) for v in averages["micro"])

    log = shop_log(p["n_users"], p["activity_effect"], rng)
    scores = counting_models(log)
    test = ~log.train
    yt, ut = log.click[test], log.user[test]
    model_auc, model_gauc, user_auc = {}, {}, {}
    for name, s in scores.items():
        model_auc[name] = rank_auc(yt, s[test])
        model_gauc[name], user_auc[name], n_u, counted = gauc(yt, s[test], ut)
    users_seen = np.unique(ut)
    user_impressions = np.zeros(p["n_users"])
    user_impressions[users_seen] = n_u
    user_clicks = np.bincount(ut, weights=yt, minlength=p["n_users"])
    full_auc = {}
    for name, a in user_auc.items():
        full = np.full(p["n_users"], np.nan)
        full[users_seen] = a
        full_auc[name] = full

    return MetricsResult(
        params=p,
        y=y,
        score=score,
        fpr=fpr,
        tpr=tpr,
        roc_thresholds=roc_thr,
        precision=precision,
        recall=recall,
        pr_thresholds=pr_thr,
        auc=rank_auc(y, score),
        average_precision=average_precision(y, score),
        log_loss=log_loss_from_logits(y, logit),
        brier=float(np.mean((score - y) ** 2)),
        bin_counts=counts,
        bin_confidence=confidence,
        bin_accuracy=accuracy,
        ece=ece,
        at_half=operating_point(y, score, 0.5),
        class_share=share,
        confusion=C,
        class_precision=cp,
        class_recall=cr,
        class_f1=cf,
        averages=averages,
        accuracy=float(np.trace(C) / C.sum()),
        n_impressions=int(test.sum()),
        click_rate=float(yt.mean()),
        model_auc=model_auc,
        model_gauc=model_gauc,
        users_counted=int(counted.sum()),
        users_total=len(users_seen),
        impressions_counted=float(n_u[counted].sum() / n_u.sum()),
        user_impressions=user_impressions,
        user_ctr=_ratio(user_clicks, user_impressions),
        user_auc=full_auc,
        seconds=time.perf_counter() - start,
    )


# ---------------------------------------------------------------- a learner's own scores


@dataclass
class ScoreReport:
    """The binary metrics of one column of scores against 0/1 labels (a learner's own model's)."""

    params: dict  # n_bins
    y: np.ndarray
    score: np.ndarray
    fpr: np.ndarray
    tpr: np.ndarray
    roc_thresholds: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    pr_thresholds: np.ndarray
    auc: float
    average_precision: float
    probabilities: bool  # every score in [0, 1]: log-loss, Brier and calibration are defined
    log_loss: float | None = None
    brier: float | None = None
    ece: float | None = None
    bin_counts: np.ndarray | None = None
    bin_confidence: np.ndarray | None = None
    bin_accuracy: np.ndarray | None = None
    gauc: float | None = None  # with a user column
    users_counted: int = 0
    users_total: int = 0
    impressions_counted: float = 0.0


def score_report(y: np.ndarray, score: np.ndarray, n_bins: int = 10, user: np.ndarray | None = None) -> ScoreReport:
    """Everything the binary part of the page shows, for any scores. Log-loss clips probabilities
    to [eps, 1 - eps] (eps = float64's machine epsilon), as scikit-learn's log_loss does."""
    y = np.asarray(y, dtype=int)
    score = np.asarray(score, dtype=float)
    fpr, tpr, roc_thr = roc_curve(y, score)
    precision, recall, pr_thr = pr_curve(y, score)
    r = ScoreReport(
        params={"n_bins": n_bins}, y=y, score=score, fpr=fpr, tpr=tpr, roc_thresholds=roc_thr,
        precision=precision, recall=recall, pr_thresholds=pr_thr, auc=rank_auc(y, score),
        average_precision=average_precision(y, score), probabilities=bool(np.all((score >= 0) & (score <= 1))),
    )  # fmt: skip
    if r.probabilities:
        eps = np.finfo(float).eps
        p = np.clip(score, eps, 1 - eps)
        r.log_loss = float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
        r.brier = float(np.mean((score - y) ** 2))
        r.bin_counts, r.bin_confidence, r.bin_accuracy, r.ece = reliability(y, score, n_bins)
    if user is not None:
        with np.errstate(invalid="ignore"):  # no user with both classes: GAUC is 0/0
            value, _, n_u, counted = gauc(y, score, user)
        r.users_counted, r.users_total = int(counted.sum()), len(n_u)
        r.impressions_counted = float(n_u[counted].sum() / n_u.sum())
        r.gauc = value if counted.any() else None
    return r


def summarize(r: MetricsResult) -> str:
    p, op = r.params, r.at_half
    names = {"within_user": "within-user (taste + item)", "user_activity": "user activity + item",
             "both": "both (user + taste + item)"}  # fmt: skip
    lines = [
        f"metrics · binary: {p['n']} rows, {p['positive_rate']:.0%} positive, separation {p['separation']:g}, "
        f"sharpness {p['sharpness']:g}",
        f"  AUC {r.auc:.4f} · average precision {r.average_precision:.4f} · log-loss {r.log_loss:.4f} · "
        f"Brier {r.brier:.4f} · ECE ({p['n_bins']} bins) {r.ece:.4f}",
        f"  at threshold 0.5: TP {op.tp}, FP {op.fp}, FN {op.fn}, TN {op.tn}; precision {op.precision:.3f}, "
        f"recall {op.tpr:.3f}, F1 {op.f1:.3f}, FPR {op.fpr:.3f}",
        f"multi-class ({p['n_classes']} classes, largest/smallest {p['imbalance']}): accuracy {r.accuracy:.4f}",
    ]
    for avg, (pr, rc, f1) in r.averages.items():
        lines.append(f"  {avg:<8} precision {pr:.4f} recall {rc:.4f} F1 {f1:.4f}")
    lines.append(
        f"shop log (held-out half): {r.n_impressions} impressions, CTR {r.click_rate:.3f}, "
        f"activity effect {p['activity_effect']:g}; GAUC counts {r.users_counted} of {r.users_total} users "
        f"({r.impressions_counted:.0%} of impressions)"
    )
    for m in MODELS:
        lines.append(f"  {names[m]:<28} AUC {r.model_auc[m]:.4f}   GAUC {r.model_gauc[m]:.4f}")
    return "\n".join(lines)
