from functools import partial

import numpy as np

from kdlab.practice.exercises import Case


def _check(got, expected, args, reveal=True):
    """NaN exactly where the reference has NaN, the rest to rtol 1e-9; a hidden case's message says where, not what."""
    try:
        iou, dice = (np.asarray(a, dtype=float) for a in got)
    except (TypeError, ValueError):
        return False, {"en": "return a pair (iou, dice) of arrays of shape (n_classes,)",
                       "zh": "应返回一对数组 (iou, dice)，形状都是 (n_classes,)"}  # fmt: skip
    for name, mine, ref in (("iou", iou, expected[0]), ("dice", dice, expected[1])):
        if mine.shape != ref.shape:
            return False, {"en": f"{name} has shape {mine.shape}, expected {ref.shape}",
                           "zh": f"{name} 的形状是 {mine.shape}，应为 {ref.shape}"}  # fmt: skip
        for c in range(len(ref)):
            same_nan = np.isnan(ref[c]) == np.isnan(mine[c])
            if same_nan and (np.isnan(ref[c]) or np.isclose(mine[c], ref[c], rtol=1e-9, atol=1e-12)):
                continue
            if not reveal:
                return False, {"en": f"{name}[{c}] is wrong", "zh": f"{name}[{c}] 不对"}
            if np.isnan(ref[c]):
                return False, {"en": f"{name}[{c}] is {mine[c]:.6g}, expected NaN (class {c} is absent from both masks)",
                               "zh": f"{name}[{c}] 为 {mine[c]:.6g}，应为 NaN（类别 {c} 在两个掩码中都没有出现）"}  # fmt: skip
            return False, {"en": f"{name}[{c}] is {mine[c]:.6g}, expected {ref[c]:.6g}",
                           "zh": f"{name}[{c}] 为 {mine[c]:.6g}，应为 {ref[c]:.6g}"}  # fmt: skip
    return True, ""


_hidden_check = partial(_check, reveal=False)


def cases():
    rng = np.random.default_rng(15)
    truth = np.array([[0, 0, 1], [0, 1, 1], [2, 2, 1]])
    pred = np.array([[0, 1, 1], [0, 1, 1], [2, 0, 1]])
    yield Case({"en": "a 3x3 mask, three classes", "zh": "3x3 掩码，三个类别"}, args=(truth, pred, 3), check=_check)
    truth_ignored = truth.copy()
    truth_ignored[0, 1] = truth_ignored[2, 1] = 255
    yield Case({"en": "the same, two pixels ignored", "zh": "同上，有两个像素被忽略"}, args=(truth_ignored, pred, 3), check=_check)
    yield Case(
        {"en": "the question's 2x4 example: IoU 1/3, 3/4, 1/2", "zh": "题目里 2x4 的例子：IoU 为 1/3、3/4、1/2"},
        args=(np.array([[0, 0, 1, 1], [2, 2, 255, 1]]), np.array([[0, 1, 1, 1], [2, 0, 0, 1]]), 3),
        check=_check,
    )

    truth = rng.integers(0, 3, (4, 16, 16))
    pred = np.where(rng.random((4, 16, 16)) < 0.7, truth, rng.integers(0, 3, (4, 16, 16)))
    truth[rng.random((4, 16, 16)) < 0.1] = 255
    yield Case({"en": "4 masks of 16x16, 10% ignored", "zh": "4 个 16x16 掩码，10% 的像素被忽略"}, args=(truth, pred, 3), check=_hidden_check, hidden=True)
    yield Case({"en": "class 3 absent, class 4 only predicted", "zh": "类别 3 没有出现，类别 4 只出现在预测里"}, args=(truth, np.where(pred == 2, 4, pred), 5), check=_hidden_check, hidden=True)
    t = rng.integers(0, 4, (2, 8, 8))
    yield Case({"en": "a perfect prediction", "zh": "预测完全正确"}, args=(t, t.copy(), 4), check=_hidden_check, hidden=True)
    yield Case({"en": "every pixel ignored", "zh": "所有像素都被忽略"}, args=(np.full((2, 4, 4), 255), rng.integers(0, 2, (2, 4, 4)), 2), check=_hidden_check, hidden=True)
