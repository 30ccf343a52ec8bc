"""Tests that catch wrong numbers (issue 18): each one was written against a bug planted on purpose,
failed with it and passes without it. Every expected value comes from an independent computation
(a hand-worked example, scikit-learn, value iteration), never from the code under test.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.metrics import confusion_matrix, mean_squared_error

from tests.test_app import open_url, start

# --- the bank: every required field, missing, is named (planted: a file without `title:` loaded as "None")

# The whole message for each required front-matter field when its line is absent (reported at line 1,
# since the field has no line of its own). A question without id, kind or title cannot be shown: it is
# left out; one without tags or a difficulty still loads, and the problem is reported all the same.
REQUIRED = {
    "id": "id: required: c (concept), p (programming) or e (e-commerce), two digits, then lowercase "
    "words joined by '-' (e.g. c03-knowledge-distillation)",
    "kind": "kind: required, one of concept, coding; got None",
    "title": "title: required, a non-empty string",
    "tags": "tags: required, a non-empty list of lowercase-hyphenated words, e.g. [cnn, computer-vision]",
    "difficulty": "difficulty: required, one of easy, medium, hard; got None",
}
UNSHOWABLE = ("id", "kind", "title")


def bank_without(tmp_path, drop):
    """Two good questions in both languages; `drop(text) -> text` applied to c01-kd's files."""
    from kdlab.practice.bank import load_bank
    from tests.test_bank import write

    for qid in ("c01-kd", "c02-other"):
        for lang in ("zh", "en"):
            path = write(tmp_path, qid, lang)
            if qid == "c01-kd":
                path.write_text(drop(path.read_text(encoding="utf-8")), encoding="utf-8")
    return load_bank(tmp_path)


@pytest.mark.parametrize("field", list(REQUIRED))
def test_each_required_field_missing_is_a_named_problem(tmp_path, field):
    bank = bank_without(
        tmp_path, lambda text: "\n".join(line for line in text.splitlines() if not line.startswith(f"{field}:"))
    )
    messages = [str(p) for p in bank.problems]
    for lang in ("zh", "en"):
        assert sum(m.endswith(f"c01-kd.{lang}.md:1: {REQUIRED[field]}") for m in messages) == 1, messages
    others = [m for m in messages if "c01-kd." in m]
    assert len(others) == 2, others  # that one problem per file, nothing else about it
    shown = ("c01-kd", "en") in bank.questions
    assert shown == (field not in UNSHOWABLE)
    for q in bank.questions.values():
        assert q.title not in ("None", "") and q.kind in ("concept", "coding"), q


@pytest.mark.parametrize(
    ("heading", "message"),
    [("Answer", "missing section '## Answer' (or '## 答案')"),
     ("Key points", "missing section '## Key points' (or '## 要点')")],
)  # fmt: skip
def test_each_required_section_missing_is_a_named_problem(tmp_path, heading, message):
    # the heading and its body, up to the next section, removed from the English file
    bank = bank_without(tmp_path, lambda text: re.sub(rf"## {heading}\n.*?(?=\n## )", "", text, flags=re.S)
                        if "## Answer" in text else text)  # fmt: skip
    messages = [str(p) for p in bank.problems]
    # reported on the first line after the front matter (line 9 of these files), for that file only
    assert [m for m in messages if "c01-kd." in m] == [m for m in messages if m.endswith(f"c01-kd.en.md:9: {message}")]
    assert len(messages) == 1, messages


# --- WAPE is the absolute error over the ACTUAL total (planted: divided by the forecast total)


def test_demand_scores_by_hand():
    from kdlab.shop.demand import _scores

    y = np.array([10.0, 0.0, 5.0])
    pred = np.array([8.0, 2.0, 9.0])  # errors 2, 2, 4; actual total 15, forecast total 19
    promo = np.array([True, False, True])
    got = _scores(y, pred, promo)
    assert got["wape"] == pytest.approx(8 / 15)
    assert got["mae"] == pytest.approx(8 / 3)
    assert got["wape_promo"] == pytest.approx(6 / 15)


# --- the other e-commerce scores the page shows (accuracy, macro F1, log-loss, AUC), by hand


def test_profile_scores_by_hand():
    from kdlab.shop.profile import SEGMENTS, _scores

    k = len(SEGMENTS)
    y = np.array([0, 1, 1, 2])
    p = np.full((4, k), 0.1 / (k - 1))
    for row, best in enumerate([0, 1, 2, 2]):  # predicted 0, 1, 2, 2: three right, row 2 wrong
        p[row, best] = 0.9
    got = _scores(y, p)
    assert got["accuracy"] == pytest.approx(3 / 4)
    # per class: 0 -> P 1, R 1, F1 1; 1 -> P 1, R 1/2, F1 2/3; 2 -> P 1/2, R 1, F1 2/3; the mean over the
    # classes that occur (in the truth or the predictions), as scikit-learn's macro average without `labels`
    assert got["macro_f1"] == pytest.approx((1 + 2 / 3 + 2 / 3) / 3)
    # the probabilities of the true classes: 0.9, 0.9, 0.1 / (k - 1), 0.9
    assert got["log_loss"] == pytest.approx(-(3 * np.log(0.9) + np.log(0.1 / (k - 1))) / 4)


def test_ctr_scores_by_hand():
    from kdlab.shop.ctr import _scores

    click = np.array([1, 0, 1, 0, 0])
    prob = np.array([0.9, 0.8, 0.3, 0.2, 0.6])
    session = np.array([0, 0, 0, 1, 1])
    got = _scores(click, prob, session)
    # pairs (clicked, not clicked): 0.9 beats 0.8, 0.2, 0.6; 0.3 beats 0.2 only: 4 of 6
    assert got["auc"] == pytest.approx(4 / 6)
    assert got["log_loss"] == pytest.approx(-np.mean(np.log([0.9, 0.2, 0.3, 0.8, 0.4])))
    # only session 0 has a click: ranked 0.9 (click), 0.8, 0.3 (click): (1 + 1/log2 4) / (1 + 1/log2 3)
    assert got["ndcg@10"] == pytest.approx((1 + 1 / 2) / (1 + 1 / np.log2(3)))


def test_image_scores_by_hand():
    from kdlab.shop.images import _accuracy, _log_loss

    logits = np.array([[2.0, 0.0], [0.0, 1.0], [3.0, 3.0]])  # class 1 wins row 2; row 3 ties (argmax: 0)
    y = np.array([0, 0, 0])
    assert _accuracy(logits, y) == pytest.approx(2 / 3)
    # -log softmax of the true class: log(1 + e^-2), log(1 + e^1), log 2
    assert _log_loss(logits, y) == pytest.approx((np.log1p(np.exp(-2)) + np.log1p(np.e) + np.log(2)) / 3)


# --- the regression page's "Test MSE" is the held-out error (planted: it showed the training MSE)


def metric_value(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.shared_results  # the page's default run, trained once for every page test
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_regression_page_test_mse_is_the_held_out_error(lang):
    from kdlab.classic import regression
    from kdlab.core.i18n import translate
    from kdlab.core.params import defaults

    at = open_url(start(lang), "demo-regression")
    assert not at.exception
    shown = float(metric_value(at, translate(lang, "regression.test_mse")))
    r = regression.run(**defaults(regression.PARAMS))  # the same data (seeded), fitted by scikit-learn
    ols = LinearRegression().fit(r.X_train, r.y_train)
    held_out = mean_squared_error(r.y_test, ols.predict(r.X_test))
    train = mean_squared_error(r.y_train, ols.predict(r.X_train))
    assert shown == pytest.approx(held_out, rel=1e-3)  # GD reached the least-squares fit
    assert abs(held_out - train) / held_out > 0.01  # the two differ enough to tell them apart


# --- the distillation page's gain has the sign of distilled - alone (planted: the sign flipped)


def percent(text: str) -> float:
    return float(re.search(r"[-+]?\d+(\.\d+)?", text).group()) / 100


@pytest.mark.shared_results  # the page's default run, trained once for every page test
def test_distillation_page_gain_sign_and_size_follow_the_shown_accuracies():
    from kdlab.core.i18n import translate

    at = open_url(start("en"), "demo-distill")
    assert not at.exception
    alone = next(m for m in at.metric if m.label == translate("en", "distill.alone"))
    distilled = next(m for m in at.metric if m.label == translate("en", "distill.distilled"))
    shown_gain = percent(distilled.delta)
    difference = percent(distilled.value) - percent(alone.value)
    assert np.sign(shown_gain) == np.sign(difference)
    assert shown_gain == pytest.approx(difference, abs=0.0011)  # each shown to 0.1%
    verdict = next(m.value for m in at.markdown if m.value.startswith("**Distillation"))
    assert f"{shown_gain:+.1%}" in verdict


# --- the CNN's confusion matrix: rows are the true class (planted: transposed)


def test_cnn_confusion_matrix_rows_are_true_classes():
    from kdlab.data.images import load_split
    from kdlab.deep import cnn

    r = cnn.run(epochs=2, channels=4, layers=1, seed=0)
    split = load_split("digits", seed=0)
    pred = cnn.predict_logits(r.model, split.x_test).argmax(1)
    expected = confusion_matrix(split.y_test, pred, labels=np.arange(10))
    np.testing.assert_array_equal(r.confusion, expected)
    assert not np.array_equal(expected, expected.T)  # a transposed matrix would be caught
    np.testing.assert_array_equal(r.confusion.sum(axis=1), np.bincount(split.y_test, minlength=10))


# --- Q-learning and SARSA: one update by hand, and the values of value iteration (planted: gamma ignored)


def corridor(step_reward: float = -1.0):
    from kdlab.rl.gridworld import GridWorld

    return GridWorld(("S..G",), step_reward=step_reward, goal_reward=10.0, pit_reward=-100.0, slip=0.0)


@pytest.mark.parametrize("algorithm", ["q_learning", "sarsa"])
def test_values_along_the_path_are_discounted_by_gamma(algorithm):
    """S . . G, reward 0 per step and 10 at G, greedy acting (epsilon 0): by hand, the values the
    updates settle on along the path are 10, gamma * 10, gamma^2 * 10 (each cell's target is
    r + gamma * Q(next cell, right)); ignoring gamma would give 10, 10, 10."""
    from kdlab.rl import qlearning

    env = corridor(step_reward=0.0)
    alpha, gamma = 0.5, 0.9
    learn = getattr(qlearning, algorithm)
    r = learn(env, episodes=200, alpha=alpha, gamma=gamma, epsilon=0.0, max_steps=50, seed=0)
    q = r.Q[0]  # (4 cells, 4 actions); right = action 1
    right = 1
    # After many greedy episodes along the corridor the values along the path are the fixed point
    # Q(2, right) = 10, Q(1, right) = gamma * 10, Q(0, right) = gamma^2 * 10 (step reward 0).
    assert q[2, right] == pytest.approx(10.0, abs=1e-6)
    assert q[1, right] == pytest.approx(gamma * 10.0, abs=1e-6)
    assert q[0, right] == pytest.approx(gamma**2 * 10.0, abs=1e-6)


def test_q_learning_reaches_value_iteration_under_a_random_behaviour_policy():
    """Off-policy: acting at random (epsilon 1), Q-learning still learns the optimal values."""
    from kdlab.rl.qlearning import q_learning, value_iteration

    env = corridor()
    gamma = 0.8
    _, q_star = value_iteration(env, gamma)
    r = q_learning(env, episodes=3000, alpha=0.5, gamma=gamma, epsilon=1.0, epsilon_decay=1.0,
                   epsilon_min=1.0, max_steps=60, seed=1)  # fmt: skip
    live = ~np.isnan(q_star)
    np.testing.assert_allclose(r.Q[live], q_star[live], atol=1e-4)
    # and gamma matters: the same run with another gamma lands elsewhere
    other = q_learning(env, episodes=3000, alpha=0.5, gamma=0.5, epsilon=1.0, epsilon_decay=1.0,
                       epsilon_min=1.0, max_steps=60, seed=1)  # fmt: skip
    assert np.max(np.abs(other.Q[live] - q_star[live])) > 0.1


# --- the question page's self-grade: half the key points or more (planted: always counted correct)


@pytest.mark.shared_results  # the page's default run, trained once for every page test
@pytest.mark.parametrize(("ticked", "correct", "lang"), [(1, False, "en"), ("half", True, "zh"), ("all", True, "en")])
def test_self_grade_follows_the_ticked_key_points(tmp_path, monkeypatch, ticked, correct, lang):
    from kdlab.core.i18n import translate
    from kdlab.practice.bank import load_bank
    from kdlab.practice.progress import open_store
    from tests.test_practice_pages import start as start_as

    qid = "c03-knowledge-distillation"
    points = load_bank().get(qid, lang).key_points
    assert len(points) >= 4  # so that one ticked point is under half
    n = {"half": (len(points) + 1) // 2, "all": len(points)}.get(ticked, ticked)
    url = f"sqlite:///{tmp_path / 'p.db'}"
    monkeypatch.setenv("KDLAB_DATABASE_URL", url)
    at = open_url(start_as(lang, learner="Ada"), qid)
    next(b for b in at.button if b.label == translate(lang, "question.reveal")).click().run()
    for i in range(n):
        at.checkbox(key=f"kp_{qid}_{i}").check()
    at.run()
    # the count the page shows, in its language: n of the points, by hand
    assert translate(lang, "question.covered", n=n, total=len(points)) in [c.value for c in at.caption]
    at.button_group(key=f"rate_{qid}").set_value("good").run()
    assert not at.exception
    with open_store(url) as store:
        grades = [r["correct"] for r in store.history(store.learner("Ada")) if r["kind"] == "self_grade"]
    assert grades == [correct]  # an independent rule: at least half of the points covered


# --- the e-commerce page: its table is each model's mean ± sample std over the seeds, its verdict the rule


@pytest.mark.shared_results  # the page's default run (the CTR scenario), trained once for every page test
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_ecommerce_page_table_and_verdict_are_recomputed_from_the_seeds(lang, page_results):
    import math

    from kdlab.core.i18n import translate

    at = open_url(start(lang), "demo-ecommerce")
    assert not at.exception, at.exception
    r = page_results["ecommerce"][0]
    table = at.dataframe[0].value
    percent = {"wape", "wape_promo", "accuracy"}
    for m in r.models:
        row = table[table.iloc[:, 0] == translate(lang, f"ecommerce.model.{r.scenario}.{m.key}",
                                                  default=translate(lang, f"ecommerce.model.{m.key}"))]  # fmt: skip
        assert len(row) == 1, m.key
        for metric in r.metrics:
            x = [float(v) for v in m.scores[metric]]
            mean = sum(x) / len(x)
            std = math.sqrt(sum((v - mean) ** 2 for v in x) / (len(x) - 1))  # sample std, written out
            shown = row[translate(lang, f"ecommerce.metric.{metric}")].iloc[0]
            scale, digits = (100, 1) if metric in percent else (1, 2 if metric == "mae" else 3)
            want = [round(mean * scale, digits), round(std * scale, digits)]
            got = [float(v) for v in re.findall(r"[-+]?\d+\.\d+", shown)]
            assert got == pytest.approx(want, abs=10**-digits * 0.51), (m.key, metric, shown)
    # the distillation verdict: distilled minus alone in the first metric, signed so that > 0 is better
    primary = r.metrics[0]
    sign = 1 if r.higher_is_better[primary] else -1
    d = [sign * (a - b) for a, b in zip(r.row("distilled").scores[primary], r.row("alone").scores[primary], strict=True)]
    gain = sum(d) / len(d)
    spread = math.sqrt(sum((v - gain) ** 2 for v in d) / (len(d) - 1))
    word = "helped" if gain > spread else "hurt" if gain < -spread else "unclear"
    box = {"helped": at.success, "hurt": at.error, "unclear": at.info}[word]
    title = translate(lang, "ecommerce.cmp.distillation")
    shown = next(b.value for b in box if title in b.value)
    if primary in percent:  # shown in percentage points
        assert f"{gain * 100:+.1f}" in shown and f"{spread * 100:.1f}" in shown, shown
    else:
        places = 2 if primary == "mae" else 4
        assert f"{gain:+.{places}f}" in shown and f"{spread:.{places}f}" in shown, shown
