import gzip
import json
import math
import os
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from kdlab.core.params import defaults
from kdlab.core.result import jsonable
from kdlab.core.torch_env import torch
from kdlab.data.images import load_digits_split
from kdlab.deep.cnn import (
    CNN,
    PARAMS,
    count_parameters,
    evaluate,
    feature_maps,
    predict_logits,
    run,
    summarize,
    train_epochs,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def default_result():
    return run(**defaults(PARAMS))


def test_default_run_learns_digits(default_result):
    r = default_result
    assert r.test_acc >= 0.95  # held-out test images, never seen in training or model choice
    assert len(r.history) == defaults(PARAMS)["epochs"]
    assert r.history[-1].val_acc > r.history[0].val_acc


def test_result_is_self_consistent(default_result):
    r = default_result
    assert r.confusion.shape == (10, 10) and r.confusion.sum() == r.n_test
    assert np.trace(r.confusion) / r.n_test == pytest.approx(r.test_acc, abs=1e-6)
    n_wrong = r.n_test - np.trace(r.confusion)
    assert len(r.mistakes) == min(24, n_wrong)
    for m in r.mistakes:
        assert m.true != m.pred and 0 < m.confidence <= 1 and m.image.shape == (8, 8)
    confidences = [m.confidence for m in r.mistakes]
    assert confidences == sorted(confidences, reverse=True)
    assert r.filters.shape == (16, 3, 3)
    assert r.n_params == count_parameters(r.model)
    assert r.ms_per_image > 0
    assert "test acc" in summarize(r)
    as_json = jsonable(r)
    assert "model" not in as_json
    json.dumps(as_json)


def test_train_epochs_yields_finite_stats():
    split = load_digits_split(0)
    torch.manual_seed(0)
    stats = list(train_epochs(CNN(8, 1), split, epochs=3, lr=0.01, batch_size=64, seed=0))
    assert [s.epoch for s in stats] == [1, 2, 3]
    for s in stats:
        values = [s.train_loss, s.train_acc, s.val_loss, s.val_acc]
        assert all(math.isfinite(v) for v in values)
        assert 0 <= s.train_acc <= 1 and 0 <= s.val_acc <= 1


def test_same_seed_same_run():
    split = load_digits_split(0)

    def train(seed):
        torch.manual_seed(seed)
        model = CNN(8, 2)
        stats = list(train_epochs(model, split, epochs=2, lr=0.01, batch_size=64, seed=seed))
        return stats, predict_logits(model, split.x_test)

    (a, logits_a), (b, logits_b), (c, _) = train(3), train(3), train(4)
    assert a == b and np.array_equal(logits_a, logits_b)
    assert a != c


def test_evaluate_matches_torch_cross_entropy():
    split = load_digits_split(0)
    torch.manual_seed(0)
    model = CNN(4, 1)
    loss, acc = evaluate(model, split.x_val, split.y_val)
    logits = predict_logits(model, split.x_val)
    # cross-entropy by hand: log-sum-exp minus the true class's logit
    shifted = logits - logits.max(1, keepdims=True)
    by_hand = np.mean(np.log(np.exp(shifted).sum(1)) - shifted[np.arange(len(logits)), split.y_val])
    assert loss == pytest.approx(by_hand, rel=1e-5)
    assert acc == pytest.approx(np.mean(logits.argmax(1) == split.y_val))


@pytest.mark.parametrize(
    "image_size, layers, sides",
    [(8, 1, [4]), (8, 2, [4, 2]), (8, 3, [4, 2, 2]), (28, 3, [14, 7, 3])],
)
def test_feature_map_shapes(image_size, layers, sides):
    model = CNN(channels=6, layers=layers, image_size=image_size)
    image = np.random.default_rng(0).random((1, image_size, image_size), dtype=np.float32)
    maps = feature_maps(model, image)
    assert [m.shape for m in maps] == [(6, s, s) for s in sides]
    assert all(m.min() >= 0 for m in maps)  # after ReLU
    assert feature_maps(model, image[0])[0].shape == maps[0].shape  # (H, W) works too
    assert model(torch.zeros(2, 1, image_size, image_size)).shape == (2, 10)


def test_count_parameters():
    model = CNN(channels=16, layers=2, image_size=8)
    assert count_parameters(model) == sum(p.numel() for p in model.parameters())
    # conv 1->16, conv 16->16 (3x3 kernels + biases), linear 16*2*2 -> 10
    assert count_parameters(model) == (9 * 16 + 16) + (9 * 16 * 16 + 16) + (64 * 10 + 10)


def _write_idx(path: Path, array: np.ndarray) -> None:
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.tobytes())


def test_run_on_idx_files(tmp_path, monkeypatch):
    """The 28x28 path end to end, on a tiny fake Fashion-MNIST folder."""
    folder = tmp_path / "fashion-mnist"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for part, n in (("train", 100), ("t10k", 30)):
        labels = (np.arange(n) % 10).astype(np.uint8)
        _write_idx(folder / f"{part}-labels-idx1-ubyte.gz", labels)
        _write_idx(folder / f"{part}-images-idx3-ubyte.gz", rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
    monkeypatch.setenv("KDLAB_DATA_DIR", str(tmp_path))
    r = run(dataset="fashion-mnist", channels=4, layers=2, epochs=1)
    assert r.dataset == "fashion-mnist" and r.classes[9] == "Ankle boot"
    assert r.confusion.sum() == 30 and r.filters.shape == (4, 3, 3)
    assert all(m.image.shape == (28, 28) for m in r.mistakes)


def test_missing_dataset_names_the_env_var(monkeypatch):
    monkeypatch.delenv("KDLAB_DATA_DIR", raising=False)
    with pytest.raises(FileNotFoundError, match="KDLAB_DATA_DIR"):
        run(dataset="mnist", epochs=1)


def test_cli_prints_json():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-m", "kdlab", "cnn", "--epochs", "1", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    data = json.loads(out)
    assert data["dataset"] == "digits" and len(data["history"]) == 1
    assert 0 <= data["test_acc"] <= 1 and "model" not in data


def test_training_stops_at_the_hard_time_budget(monkeypatch):
    import kdlab.deep.cnn as cnn_module

    monkeypatch.setattr(cnn_module, "HARD_STOP_SECONDS", 0.0)  # every epoch is over budget
    r = cnn_module.run(epochs=5, channels=4, layers=1)
    assert r.stopped_early and len(r.history) == 1
    assert "time budget" in cnn_module.summarize(r)
