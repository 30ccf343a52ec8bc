import numpy as np

from kdlab.practice.exercises import Case


def _check(got, expected, args):
    try:
        iou, dice = (np.asarray(a, dtype=float) for a in got)
    except (TypeError, ValueError):
        return False, "return a pair (iou, dice) of arrays of shape (n_classes,)"
    for name, mine, ref in (("iou", iou, expected[0]), ("dice", dice, expected[1])):
        if mine.shape != ref.shape:
            return False, f"{name} has shape {mine.shape}, expected {ref.shape}"
        for c in range(len(ref)):
            if np.isnan(ref[c]) != np.isnan(mine[c]):
                want = "NaN (the class is absent from both masks)" if np.isnan(ref[c]) else f"{ref[c]:.6g}"
                return False, f"{name}[{c}] is {mine[c]:.6g}, expected {want}"
            if not np.isnan(ref[c]) and not np.isclose(mine[c], ref[c], rtol=1e-9, atol=1e-12):
                return False, f"{name}[{c}] is {mine[c]:.6g}, expected {ref[c]:.6g}"
    return True, ""


def cases():
    rng = np.random.default_rng(15)
    truth = np.array([[0, 0, 1], [0, 1, 1], [2, 2, 1]])
    pred = np.array([[0, 1, 1], [0, 1, 1], [2, 0, 1]])
    yield Case("a 3x3 mask, three classes", args=(truth, pred, 3), check=_check)
    truth_ignored = truth.copy()
    truth_ignored[0, 1] = truth_ignored[2, 1] = 255
    yield Case("the same, two pixels ignored", args=(truth_ignored, pred, 3), check=_check)

    truth = rng.integers(0, 3, (4, 16, 16))
    pred = np.where(rng.random((4, 16, 16)) < 0.7, truth, rng.integers(0, 3, (4, 16, 16)))
    truth[rng.random((4, 16, 16)) < 0.1] = 255
    yield Case("4 masks of 16x16, 10% ignored", args=(truth, pred, 3), check=_check, hidden=True)
    yield Case("class 3 absent, class 4 only predicted", args=(truth, np.where(pred == 2, 4, pred), 5), check=_check, hidden=True)
    t = rng.integers(0, 4, (2, 8, 8))
    yield Case("a perfect prediction", args=(t, t.copy(), 4), check=_check, hidden=True)
    yield Case("every pixel ignored", args=(np.full((2, 4, 4), 255), rng.integers(0, 2, (2, 4, 4)), 2), check=_check, hidden=True)
