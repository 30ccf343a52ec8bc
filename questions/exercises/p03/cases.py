from functools import partial

import numpy as np

from kdlab.practice.exercises import Case


def _gini(labels: np.ndarray) -> float:
    p = np.bincount(labels) / len(labels)
    return float(1.0 - np.sum(p**2))


def _say(en: str, zh: str) -> dict:
    return {"en": en, "zh": zh}


def _check(got, expected, args, reveal=True):
    """Any best partition passes; a hidden case's message names no value computed from its inputs."""
    X, y = args
    if expected is None:
        if got is None:
            return True, ""
        return False, _say("no split exists here (every feature is constant): return None",
                           "这里无法划分（每个特征都是常数）：应返回 None")  # fmt: skip
    if got is None:
        return False, _say("a split exists, but None was returned", "存在可行的划分，却返回了 None")
    try:
        j, t, score = got
        j, t, score = int(j), float(t), float(score)
    except (TypeError, ValueError):
        return False, _say("return a tuple (feature j, threshold t, score)", "应返回元组 (特征 j, 阈值 t, 得分)")
    if not 0 <= j < X.shape[1]:
        return False, _say(f"feature {j} does not exist", f"不存在第 {j} 个特征")
    left = X[:, j] <= t
    n_left = int(left.sum())
    where = f"x[:, {j}] <= {t:g}" if reveal else f"the split on feature {j}"
    where_zh = f"x[:, {j}] <= {t:g}" if reveal else f"在特征 {j} 上的这个划分"
    if n_left in (0, len(y)):
        return False, _say(f"{where} puts every row on one side", f"{where_zh}把所有行都分到了同一边")
    actual = (n_left * _gini(y[left]) + (len(y) - n_left) * _gini(y[~left])) / len(y)
    if actual > expected[2] + 1e-9:
        if reveal:
            return False, _say(f"{where} has weighted Gini {actual:.6g}; the best split has {expected[2]:.6g}",
                               f"{where_zh}的加权基尼值为 {actual:.6g}，最优划分为 {expected[2]:.6g}")  # fmt: skip
        return False, _say(f"{where} is not a best split", f"{where_zh}不是最优划分")
    if abs(score - actual) > 1e-9:
        if reveal:
            return False, _say(f"{where} is a best split, but its weighted Gini is {actual:.6g}, not {score:.6g}",
                               f"{where_zh}是最优划分，但它的加权基尼值是 {actual:.6g}，不是 {score:.6g}")  # fmt: skip
        return False, _say(f"{where} is a best split, but the score returned is not its weighted Gini",
                           f"{where_zh}是最优划分，但返回的得分不是它的加权基尼值")  # fmt: skip
    return True, ""


_hidden_check = partial(_check, reveal=False)


def cases():
    rng = np.random.default_rng(3)
    yield Case(
        {"en": "one feature, cleanly separable", "zh": "单个特征，完全可分"},
        args=(np.array([[1.0], [2.0], [3.0], [4.0], [5.0], [6.0]]), np.array([0, 0, 0, 1, 1, 1])),
        check=_check,
    )
    X = np.array([[0.0, 5.0], [1.0, 3.0], [2.0, 4.0], [3.0, 1.0], [4.0, 2.0], [5.0, 0.0]])
    yield Case({"en": "two features, one better", "zh": "两个特征，其中一个更好"}, args=(X, np.array([0, 1, 0, 1, 1, 1])), check=_check)

    X3 = rng.normal(size=(40, 3))
    y3 = (X3[:, 1] > 0.3).astype(int) + (X3[:, 2] > 1.0).astype(int)
    flip = rng.random(40) < 0.15
    y3[flip] = rng.integers(0, 3, flip.sum())
    yield Case({"en": "three classes, 40 rows", "zh": "三个类别，40 个样本"}, args=(X3, y3), check=_hidden_check, hidden=True)
    Xr = rng.integers(0, 4, size=(30, 2)).astype(float)
    yield Case({"en": "repeated values", "zh": "特征值有重复"}, args=(Xr, (Xr[:, 0] + rng.integers(0, 2, 30) > 2).astype(int)), check=_hidden_check, hidden=True)
    Xc = np.column_stack([np.full(8, 7.0), np.arange(8.0)])
    yield Case({"en": "a constant feature beside a useful one", "zh": "一个常数特征加一个有用的特征"}, args=(Xc, np.array([0, 0, 1, 0, 1, 1, 1, 1])), check=_hidden_check, hidden=True)
    yield Case({"en": "already pure", "zh": "节点已经是纯的"}, args=(rng.normal(size=(6, 2)), np.full(6, 2)), check=_hidden_check, hidden=True)
    yield Case({"en": "two rows", "zh": "只有两个样本"}, args=(np.array([[1.0, 1.0], [2.0, 1.0]]), np.array([1, 0])), check=_hidden_check, hidden=True)
    yield Case({"en": "no split possible", "zh": "无法划分"}, args=(np.ones((5, 2)), np.array([0, 1, 0, 1, 1])), check=_hidden_check, hidden=True)
