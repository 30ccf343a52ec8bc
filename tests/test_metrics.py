"""Metrics against scikit-learn (stated settings), GAUC against a brute-force per-user loop."""

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve

from kdlab.classic import metrics
from kdlab.classic.metrics import (
    average_precision,
    confusion_matrix,
    gauc,
    operating_point,
    pr_curve,
    precision_recall_f1,
    rank_auc,
    reliability,
    roc_curve,
    run,
    summarize,
)


def random_problems(count=40, seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        K = int(rng.integers(2, 6))
        n = int(rng.integers(5, 200))
        y_true = rng.integers(0, K, n)
        y_pred = np.where(rng.random(n) < 0.5, y_true, rng.integers(0, K, n))
        if rng.random() < 0.3:  # a class that is never predicted: 0/0 precision
            y_pred[y_pred == K - 1] = 0
        yield K, y_true, y_pred


def binary_problems(count=40, seed=1):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        n = int(rng.integers(4, 300))
        y = (rng.random(n) < rng.uniform(0.05, 0.9)).astype(int)
        y[:2] = (0, 1)
        s = rng.normal(y * rng.uniform(0, 2), 1.0)
        if rng.random() < 0.5:
            s = np.round(s, 1)  # many ties
        yield y, s


def test_confusion_matrix_equals_sklearn_with_all_labels():
    for K, y_true, y_pred in random_problems():
        np.testing.assert_array_equal(
            confusion_matrix(y_true, y_pred, K), skm.confusion_matrix(y_true, y_pred, labels=np.arange(K))
        )


@pytest.mark.parametrize("average", [None, "macro", "weighted", "micro"])
def test_precision_recall_f1_equal_sklearn(average):
    # labels=range(K) so absent classes count (in macro) exactly as ours do; zero_division=0: 0/0 -> 0.
    for K, y_true, y_pred in random_problems():
        ours = precision_recall_f1(confusion_matrix(y_true, y_pred, K), average)
        p, r, f, _ = skm.precision_recall_fscore_support(
            y_true, y_pred, labels=np.arange(K), average=average, zero_division=0
        )
        np.testing.assert_allclose(np.squeeze(ours[0]), p, atol=1e-12)
        np.testing.assert_allclose(np.squeeze(ours[1]), r, atol=1e-12)
        np.testing.assert_allclose(np.squeeze(ours[2]), f, atol=1e-12)


def test_micro_f1_is_accuracy_for_single_label_data():
    for K, y_true, y_pred in random_problems():
        _, _, f1 = precision_recall_f1(confusion_matrix(y_true, y_pred, K), "micro")
        assert float(f1) == pytest.approx(np.mean(y_true == y_pred), abs=1e-12)


def test_rank_auc_with_ties_equals_roc_auc_score_and_the_pair_count():
    for y, s in binary_problems():
        ours = rank_auc(y, s)
        assert ours == pytest.approx(skm.roc_auc_score(y, s), abs=1e-12)
        pos, neg = s[y == 1][:, None], s[y == 0][None, :]
        pairs = np.mean((pos > neg) + 0.5 * (pos == neg))  # the definition, O(P N)
        assert ours == pytest.approx(pairs, abs=1e-12)


def test_auc_properties():
    y = np.array([0, 0, 1, 1, 0, 1])
    s = np.array([0.1, 0.4, 0.35, 0.8, 0.2, 0.9])
    assert rank_auc(y, -s) == pytest.approx(1 - rank_auc(y, s))
    assert rank_auc(y, np.ones(6)) == 0.5
    assert rank_auc(y, y + 0.0) == 1.0


def test_roc_and_pr_curves_equal_sklearn():
    for y, s in binary_problems():
        fpr, tpr, thr = roc_curve(y, s)
        fpr_sk, tpr_sk, thr_sk = skm.roc_curve(y, s, drop_intermediate=False)
        np.testing.assert_allclose(fpr, fpr_sk, atol=1e-12)
        np.testing.assert_allclose(tpr, tpr_sk, atol=1e-12)
        np.testing.assert_array_equal(thr[1:], thr_sk[1:])  # both start at +inf
        assert np.trapezoid(tpr, fpr) == pytest.approx(rank_auc(y, s), abs=1e-12)

        precision, recall, pr_thr = pr_curve(y, s)
        p_sk, r_sk, t_sk = skm.precision_recall_curve(y, s)
        # sklearn: ascending thresholds, stopping where recall first reaches 1, then (P=1, R=0).
        k = len(t_sk)
        np.testing.assert_allclose(precision[:k][::-1], p_sk[:-1], atol=1e-12)
        np.testing.assert_allclose(recall[:k][::-1], r_sk[:-1], atol=1e-12)
        np.testing.assert_array_equal(pr_thr[:k][::-1], t_sk)
        assert average_precision(y, s) == pytest.approx(skm.average_precision_score(y, s), abs=1e-12)


def test_operating_point_equals_sklearn_at_every_threshold():
    y, s = next(binary_problems(1, seed=5))
    for t in (-np.inf, -0.5, 0.0, 0.3, 1.0, np.inf):
        op = operating_point(y, s, t)
        pred = (s >= t).astype(int)
        tn, fp, fn, tp = skm.confusion_matrix(y, pred, labels=[0, 1]).ravel()
        assert (op.tp, op.fp, op.fn, op.tn) == (tp, fp, fn, tn)
        assert op.precision == pytest.approx(skm.precision_score(y, pred, zero_division=0))
        assert op.tpr == pytest.approx(skm.recall_score(y, pred, zero_division=0))
        assert op.f1 == pytest.approx(skm.f1_score(y, pred, zero_division=0))


def test_operating_point_lies_on_both_curves():
    r = run(n=500)
    for t in (0.1, 0.5, 0.8):
        op = operating_point(r.y, r.score, t)
        i = np.searchsorted(-r.roc_thresholds, -t, side="right") - 1  # lowest threshold still >= t
        assert (r.fpr[i], r.tpr[i]) == pytest.approx((op.fpr, op.tpr))
        j = i - 1  # pr arrays have no +inf point
        if j >= 0:
            assert (r.recall[j], r.precision[j]) == pytest.approx((op.tpr, op.precision))


@pytest.mark.parametrize("n_bins", [5, 10, 17])
def test_reliability_equals_calibration_curve_and_ece_a_loop(n_bins):
    rng = np.random.default_rng(n_bins)
    p = rng.random(3000) ** 2
    p[:5] = [0.0, 0.2, 0.4, 0.6, 1.0]  # values on the bin edges
    y = (rng.random(3000) < p**0.7).astype(int)
    counts, confidence, accuracy, ece = reliability(y, p, n_bins)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy="uniform")
    full = counts > 0
    np.testing.assert_allclose(accuracy[full], prob_true, atol=1e-12)
    np.testing.assert_allclose(confidence[full], prob_pred, atol=1e-12)
    # ECE by a plain loop over bins (scikit-learn has no ECE), edges assigned to the lower bin.
    edges = np.linspace(0, 1, n_bins + 1)
    total = 0.0
    for b in range(n_bins):
        inside = (p > edges[b]) & (p <= edges[b + 1]) if b else (p <= edges[1])
        if inside.any():
            total += inside.sum() / len(p) * abs(y[inside].mean() - p[inside].mean())
    assert ece == pytest.approx(total, abs=1e-12)


def test_run_log_loss_and_brier_equal_sklearn():
    r = run(n=1000, sharpness=2.0)
    assert r.log_loss == pytest.approx(skm.log_loss(r.y, r.score), rel=1e-9)
    assert r.brier == pytest.approx(skm.brier_score_loss(r.y, r.score), rel=1e-12)


def test_sharpness_moves_calibration_not_auc():
    base = run()
    for sharp in (0.25, 3.0):
        r = run(sharpness=sharp)
        assert r.auc == pytest.approx(base.auc, abs=1e-12)  # a monotone map of the same scores
        assert r.ece > base.ece + 0.05
        assert r.log_loss > base.log_loss
    assert base.ece < 0.03  # the exact posterior is calibrated up to sampling noise


def brute_force_gauc(y, s, user):
    num = den = 0.0
    for u in np.unique(user):
        mine = user == u
        if 0 < y[mine].sum() < mine.sum():
            num += mine.sum() * skm.roc_auc_score(y[mine], s[mine])
            den += mine.sum()
    return num / den


def test_gauc_equals_a_per_user_loop():
    rng = np.random.default_rng(3)
    for _ in range(10):
        user = rng.integers(0, 40, 800)
        y = (rng.random(800) < rng.uniform(0.05, 0.5, 40)[user]).astype(int)
        s = np.round(rng.normal(y + rng.normal(0, 1, 40)[user], 1.0), 1)  # per-user offsets and ties
        assert gauc(y, s, user)[0] == pytest.approx(brute_force_gauc(y, s, user), abs=1e-12)


def test_gauc_example_from_the_question():
    # e03: user A positive 0.3, negative 0.2; user B positive 0.9, negative 0.5.
    y, s, user = np.array([1, 0, 1, 0]), np.array([0.3, 0.2, 0.9, 0.5]), np.array([0, 0, 1, 1])
    assert rank_auc(y, s) == 0.75 and gauc(y, s, user)[0] == 1.0


def test_shop_log_models_on_held_out_data():
    r = run(n=400)
    log_auc, log_gauc = r.model_auc, r.model_gauc
    # the user-activity model wins on global AUC while it loses on GAUC
    assert log_auc["user_activity"] > log_auc["within_user"] + 0.02
    assert log_gauc["user_activity"] < log_gauc["within_user"] - 0.02
    # adding a per-user constant changes AUC, never GAUC
    assert log_gauc["both"] == pytest.approx(log_gauc["within_user"], abs=1e-12)
    assert log_auc["both"] > log_auc["within_user"]
    # and the page's per-user numbers reproduce the GAUC
    a = r.user_auc["within_user"]
    ok = ~np.isnan(a)
    assert ok.sum() == r.users_counted
    assert np.sum(r.user_impressions[ok] * a[ok]) / r.user_impressions[ok].sum() == pytest.approx(
        log_gauc["within_user"]
    )


def test_without_an_activity_effect_the_user_model_gains_nothing():
    for seed in (0, 1, 2):
        r = run(n=400, activity_effect=0.0, seed=seed)
        assert r.model_auc["user_activity"] < r.model_auc["within_user"]


def test_run_matches_sklearn_on_its_own_outputs_and_summarizes():
    r = run(n=600, n_classes=5, imbalance=10)
    assert r.auc == pytest.approx(skm.roc_auc_score(r.y, r.score), abs=1e-12)
    p, rc, f, _ = skm.precision_recall_fscore_support(
        np.repeat(np.arange(5), r.confusion.sum(axis=1)),
        np.concatenate([np.repeat(np.arange(5), row) for row in r.confusion]),
        labels=np.arange(5), average="macro", zero_division=0,
    )  # fmt: skip
    assert r.averages["macro"] == pytest.approx((p, rc, f), abs=1e-12)
    # every other number the page draws from the run, against scikit-learn on the run's own outputs
    truth = np.repeat(np.arange(5), r.confusion.sum(axis=1))
    pred = np.concatenate([np.repeat(np.arange(5), row) for row in r.confusion])
    assert r.accuracy == pytest.approx(skm.accuracy_score(truth, pred), abs=1e-12)
    for average in ("weighted", "micro"):
        want = skm.precision_recall_fscore_support(truth, pred, labels=np.arange(5), average=average, zero_division=0)[:3]
        assert r.averages[average] == pytest.approx(want, abs=1e-12), average
    per_class = skm.precision_recall_fscore_support(truth, pred, labels=np.arange(5), zero_division=0)[:3]
    np.testing.assert_allclose(np.array([r.class_precision, r.class_recall, r.class_f1]), per_class, atol=1e-12)
    assert r.class_share.sum() == pytest.approx(1.0) and len(r.class_share) == 5
    prob_true, prob_pred = calibration_curve(r.y, r.score, n_bins=r.params["n_bins"])
    filled = r.bin_counts > 0
    np.testing.assert_allclose(r.bin_accuracy[filled], prob_true, atol=1e-12)
    np.testing.assert_allclose(r.bin_confidence[filled], prob_pred, atol=1e-12)
    assert r.bin_counts.sum() == len(r.y) and np.isnan(r.bin_accuracy[~filled]).all()
    assert r.at_half.threshold == 0.5 and len(r.pr_thresholds) == len(r.precision)
    seen = r.user_impressions > 0  # each user's click rate: clicks over impressions in the test rows
    assert r.users_total == seen.sum() and r.n_impressions == r.user_impressions.sum()
    clicks = r.user_ctr[seen] * r.user_impressions[seen]
    np.testing.assert_allclose(clicks, np.round(clicks), atol=1e-9)  # whole clicks
    assert np.all(r.user_ctr[~seen] == 0)
    assert r.click_rate == pytest.approx(np.sum(r.user_ctr * r.user_impressions) / r.n_impressions)
    assert 0 <= r.seconds < 60
    text = summarize(r)
    assert "GAUC" in text and "macro" in text
    assert metrics.THRESHOLD.check(0.5) == 0.5


# --- small cases worked by hand (they kill mutants the larger comparisons let through) -------------


def test_gauc_leaves_out_users_with_only_clicks_or_only_skips():
    user = np.array([0, 0, 1, 1, 2, 2, 3, 3, 3])
    y = np.array([1, 0, 1, 1, 0, 1, 0, 0, 0])
    s = np.array([0.9, 0.1, 0.5, 0.6, 0.8, 0.3, 0.2, 0.4, 0.6])
    value, auc_u, n_u, counts = gauc(y, s, user)
    # user 0 ranks its click first (AUC 1), user 2 last (AUC 0); users 1 (clicks only) and 3 (none) have
    # no AUC: GAUC = (2 * 1 + 2 * 0) / (2 + 2)
    assert value == pytest.approx(0.5)
    assert counts.tolist() == [True, False, True, False] and n_u.tolist() == [2, 2, 2, 3]
    assert auc_u[[0, 2]].tolist() == [1.0, 0.0] and np.isnan(auc_u[[1, 3]]).all()


def test_reliability_bins_by_hand():
    # 4 bins of width 0.25; 0.25 itself falls in the lower bin (as scikit-learn's calibration_curve)
    p = np.array([0.05, 0.25, 0.6, 0.95, 0.97])
    y = np.array([0, 1, 1, 1, 0])
    counts, confidence, accuracy, ece = metrics.reliability(y, p, 4)
    assert counts.tolist() == [2, 0, 1, 2]
    np.testing.assert_allclose(confidence, [0.15, np.nan, 0.6, 0.96])
    np.testing.assert_allclose(accuracy, [0.5, np.nan, 1.0, 0.5])
    # ECE = 2/5 |0.5 - 0.15| + 1/5 |1 - 0.6| + 2/5 |0.5 - 0.96| = 0.14 + 0.08 + 0.184
    assert ece == pytest.approx(0.404)


def test_operating_point_by_hand():
    op = metrics.operating_point(np.array([1, 0, 1, 0]), np.array([0.9, 0.6, 0.4, 0.1]), 0.5)
    # above 0.5: one positive, one negative; below: one of each
    assert (op.threshold, op.tp, op.fp, op.fn, op.tn) == (0.5, 1, 1, 1, 1)
    assert (op.precision, op.tpr, op.fpr, op.f1) == pytest.approx((0.5, 0.5, 0.5, 0.5))


@pytest.mark.parametrize("kind", ["probabilities", "logits"])
def test_score_report_on_any_scores_equals_sklearn(kind):
    """A learner's own scores (metrics page upload): tied probabilities, or logits outside [0, 1]."""
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 400)
    p = np.clip(np.round(0.3 + 0.4 * y + rng.normal(0, 0.25, 400), 1), 0, 1)  # ties, exact 0 and 1
    s = p if kind == "probabilities" else np.log(p + 0.01) - np.log(1.01 - p)
    user = rng.integers(0, 30, 400).astype(str)
    r = metrics.score_report(y, s, 8, user)
    assert r.auc == pytest.approx(skm.roc_auc_score(y, s), abs=1e-12)
    assert r.average_precision == pytest.approx(skm.average_precision_score(y, s), abs=1e-12)
    fpr, tpr, _ = skm.roc_curve(y, s, drop_intermediate=False)
    assert np.allclose(r.fpr, fpr) and np.allclose(r.tpr, tpr)
    by_user = [(np.sum(user == u), skm.roc_auc_score(y[user == u], s[user == u]))
               for u in np.unique(user) if 0 < y[user == u].sum() < np.sum(user == u)]  # fmt: skip
    assert r.gauc == pytest.approx(sum(n * a for n, a in by_user) / sum(n for n, _ in by_user), abs=1e-12)
    assert r.users_counted == len(by_user) and r.users_total == 30
    if kind == "probabilities":
        assert r.probabilities
        assert r.log_loss == pytest.approx(skm.log_loss(y, s), abs=1e-12)
        assert r.brier == pytest.approx(skm.brier_score_loss(y, s), abs=1e-12)
        prob_true, prob_pred = calibration_curve(y, s, n_bins=8)
        full = r.bin_counts > 0
        assert np.allclose(r.bin_accuracy[full], prob_true) and np.allclose(r.bin_confidence[full], prob_pred)
    else:
        assert not r.probabilities and r.log_loss is None and r.ece is None and r.bin_counts is None


def test_score_report_without_a_user_with_both_classes_has_no_gauc():
    y = np.array([0, 0, 1, 1] * 5)
    user = np.array(["a", "a", "b", "b"] * 5)  # a only skips, b only clicks
    r = metrics.score_report(y, np.linspace(0, 1, 20), 10, user)
    assert r.gauc is None and r.users_counted == 0 and r.users_total == 2
