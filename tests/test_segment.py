"""IoU and Dice per class against scikit-learn, the network's shapes, and the segmentation page's numbers."""

from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import f1_score, jaccard_score
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from kdlab.core.params import defaults
from kdlab.core.torch_env import seeded, torch
from kdlab.deep import segment
from kdlab.deep.segment import CLASSES, TinyUNet, confusion, edges, generate, iou_dice, score

APP = str(Path(__file__).resolve().parent.parent / "app.py")
LABELS = list(range(len(CLASSES)))


def reference(truth, pred):
    """scikit-learn on the flattened pixels: Jaccard is IoU, F1 is Dice."""
    kw = dict(labels=LABELS, average=None, zero_division=0)
    iou, dice = jaccard_score(truth.ravel(), pred.ravel(), **kw), f1_score(truth.ravel(), pred.ravel(), **kw)
    absent = ~np.isin(LABELS, truth) & ~np.isin(LABELS, pred)  # undefined: NaN, as ours
    return np.where(absent, np.nan, iou), np.where(absent, np.nan, dice)


def test_iou_and_dice_equal_sklearn():
    rng = np.random.default_rng(0)
    truth = generate(20, 0).labels
    pred = truth.copy()
    flip = rng.random(pred.shape) < 0.2  # a fifth of the pixels get a random class
    pred[flip] = rng.integers(0, 4, flip.sum())
    iou, dice = iou_dice(confusion(truth, pred))
    ref_iou, ref_dice = reference(truth, pred)
    assert np.allclose(iou, ref_iou, atol=1e-12) and np.allclose(dice, ref_dice, atol=1e-12)
    assert np.allclose(dice, 2 * iou / (1 + iou))


def test_iou_by_counting_masks_and_a_class_nobody_has():
    truth = np.zeros((2, 4, 4), int)
    truth[0, :2, :2] = 1  # 4 square pixels
    pred = np.zeros_like(truth)
    pred[0, :2, :3] = 1  # 6 predicted, 4 of them right
    iou, dice = iou_dice(confusion(truth, pred))
    assert iou[1] == pytest.approx(4 / 6) and dice[1] == pytest.approx(8 / 10)
    assert np.isnan(iou[2]) and np.isnan(dice[3])  # absent from truth and prediction
    s = score(truth, pred)
    assert s.mean_iou == pytest.approx(4 / 6)  # the absent shape classes are left out of the mean


def test_the_questions_toy_masks():
    target = np.array([[0, 0, 1, 1], [2, 2, 255, 1]])
    pred = np.array([[0, 1, 1, 1], [2, 0, 0, 1]])
    valid = target != 255  # the ignored pixel is dropped before counting
    iou, _ = iou_dice(confusion(target[valid], pred[valid], n_classes=3))
    assert np.allclose(iou, [1 / 3, 3 / 4, 1 / 2]) and iou.mean() == pytest.approx(0.528, abs=1e-3)


def test_edges_are_the_pixels_beside_another_class():
    labels = np.zeros((1, 5, 5), int)
    labels[0, 1:4, 1:4] = 2
    e = edges(labels)[0]
    assert e[2, 2] == 0 and e[1, 1] and e[0, 1] and not e[0, 0]  # inside, the border, outside it, a corner


def test_generator_is_deterministic_and_images_match_their_masks():
    a, b = generate(10, 3), generate(10, 3)
    assert np.array_equal(a.images, b.images) and np.array_equal(a.labels, b.labels)
    for img, lab in zip(a.images[:, 0], a.labels, strict=True):
        assert (lab > 0).any()
        assert img[lab > 0].mean() > img[lab == 0].mean() + 0.2


@pytest.mark.parametrize("skips", [True, False])
def test_the_network_maps_every_pixel_to_class_scores(skips):
    with seeded(0):
        model = TinyUNet(4, skips=skips)
    out = model(torch.zeros(3, 1, 32, 32))
    assert out.shape == (3, len(CLASSES), 32, 32)
    # only the skip variant concatenates: its decoder convs take twice the channels
    assert model.dec1[0].in_channels == (8 if skips else 4)


@pytest.fixture(scope="module")
def small_run():
    return segment.run(n_train=120, epochs=3, channels=6)


def test_a_run_scores_its_own_predictions(small_run):
    r = small_run
    for v in segment.VARIANTS:
        ref_iou, ref_dice = reference(r.test_labels, r.predictions[v])
        assert np.allclose(r.scores[v].iou, ref_iou, atol=1e-12, equal_nan=True)
        assert np.allclose(r.scores[v].dice, ref_dice, atol=1e-12, equal_nan=True)
        assert r.losses[v][-1] < r.losses[v][0]


def open_page(lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["lang"] = lang
    at.run()
    at._page_hash = calc_hash("demo-segment")
    return at.run()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_shows_this_runs_scores(lang):
    at = open_page(lang)
    assert not at.exception, at.exception
    r = segment.run(**defaults(segment.PARAMS))  # the same settings, trained again independently
    table = at.table[0].value
    for row, v in enumerate(segment.VARIANTS):
        iou, dice = reference(r.test_labels, r.predictions[v])
        shown = table.iloc[row].tolist()
        assert shown[1 : 1 + len(CLASSES)] == [f"{x:.3f}" for x in iou]
        assert shown[2 + len(CLASSES) : 2 + 2 * len(CLASSES)] == [f"{x:.3f}" for x in dice]
        assert shown[1 + len(CLASSES)] == f"{np.nanmean(iou[1:]):.3f}"
    at.slider(key="segment_first").set_value(10).run()
    assert not at.exception, at.exception
