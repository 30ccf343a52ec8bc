"""The CNN page used like a learner would: train, change settings, look inside, hit the time limit."""

import struct
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from kdlab.data.images import load_digits_split
from kdlab.deep import cnn

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def open_cnn(lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at._page_hash = calc_hash("demo-cnn")  # what the browser asks for at /demo-cnn (see test_app.open_url)
    return at.run()


def charts(at: AppTest) -> list:
    return at.get("plotly_chart")


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def submit(at: AppTest) -> AppTest:
    return at.button[0].click().run()  # the form's "Train" is the page's only button


def write_idx(path: Path, array: np.ndarray) -> None:
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    path.write_bytes(header + array.tobytes())


@pytest.fixture
def fake_mnist(tmp_path, monkeypatch):
    """A full-size MNIST training file of random pixels: enough for the page to offer it and cost it."""
    folder = tmp_path / "mnist"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for part, n in (("train", 6000), ("t10k", 200)):
        write_idx(folder / f"{part}-labels-idx1-ubyte", (np.arange(n) % 10).astype(np.uint8))
        write_idx(folder / f"{part}-images-idx3-ubyte", rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
    monkeypatch.setenv("KDLAB_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def no_data_dir(monkeypatch):
    monkeypatch.delenv("KDLAB_DATA_DIR", raising=False)


def test_first_visit_trains_and_shows_every_figure(no_data_dir):
    at = open_cnn()
    assert not at.exception, at.exception
    # curves, confusion matrix, mistakes, filters, the picked image and one feature-map grid per block
    assert len(charts(at)) >= 5 + 2
    acc = metric(at, "Test accuracy (held out)")
    assert acc.endswith("%") and float(acc[:-1]) >= 90
    assert metric(at, "Parameters") == "3,130"
    assert metric(at, "Inference per image").endswith(" ms")
    # Only the built-in digits are offered, and the page says how to add the others.
    assert at.selectbox(key="cnn_dataset").options == ["Digits 8×8 (built in)"]
    assert any("MNIST" in e.label for e in at.expander)
    assert any("export KDLAB_DATA_DIR=" in m.value for m in at.markdown)


def test_submitting_small_settings_trains_them_and_caches_them(no_data_dir):
    at = open_cnn()
    at.slider(key="cnn_epochs").set_value(2)
    at.slider(key="cnn_channels").set_value(4)
    submit(at)
    assert not at.exception, at.exception
    curves = charts(at)[0].proto.spec
    assert '"Loss (cross-entropy)"' in curves and '"x":[1,2]' in curves.replace(" ", "")
    assert any(c.value.startswith("Trained 2 epochs") for c in at.caption)
    assert metric(at, "Test accuracy (held out)").endswith("%")
    assert metric(at, "Parameters") == f"{(9 * 4 + 4) + (9 * 4 * 4 + 4) + (4 * 2 * 2 * 10 + 10):,}"
    # The same setting again comes from the store: nothing retrains.
    submit(at)
    assert not at.exception
    assert any(c.value.startswith("Saved result for this setting") for c in at.caption)


def test_feature_maps_come_from_the_cached_model(no_data_dir, monkeypatch):
    at = open_cnn()
    n_charts = len(charts(at))

    def no_training(**_):
        raise AssertionError("the page retrained to show feature maps")

    monkeypatch.setattr(cnn, "run", no_training)
    at.number_input(key="cnn_index_digits").set_value(17).run()
    assert not at.exception, at.exception
    at.radio(key="cnn_pick_from").set_value("mistake").run()
    assert not at.exception, at.exception
    assert len(charts(at)) == n_charts
    assert any("❌" in m.value for m in at.markdown)  # a mistake is, by definition, predicted wrong


def test_over_budget_setting_is_refused_not_crashed(fake_mnist):
    at = open_cnn()
    dataset = at.selectbox(key="cnn_dataset")
    assert dataset.options == ["Digits 8×8 (built in)", "MNIST 28×28"]
    dataset.set_value("mnist")
    for name in ("channels", "layers", "epochs"):
        spec = next(p for p in cnn.PARAMS if p.name == name)
        at.slider(key=f"cnn_{name}").set_value(int(spec.high))
    submit(at)
    assert not at.exception, at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    assert message.startswith("**Refused: this setting was not trained.**")
    assert "5,100 training images" in message and "60 s" in message
    assert not charts(at) and not at.metric


def test_refusal_is_in_chinese_too(fake_mnist):
    at = open_cnn("zh")
    at.selectbox(key="cnn_dataset").set_value("mnist")
    for name in ("channels", "layers", "epochs"):
        at.slider(key=f"cnn_{name}").set_value(int(next(p for p in cnn.PARAMS if p.name == name).high))
    submit(at)
    assert not at.exception, at.exception
    assert at.error[0].value.startswith("**已拒绝")


# --- what the page needs from kdlab.deep.cnn -------------------------------------------------


def conv_macs(model, image_size: int) -> int:
    """Multiply-adds of the conv layers, counted on a real forward pass: out elements x in channels x 3 x 3."""
    import torch

    counted = []
    hooks = [m.register_forward_hook(lambda m, i, o: counted.append(o.numel() * m.in_channels * 9))
             for m in model.modules() if isinstance(m, torch.nn.Conv2d)]  # fmt: skip
    with torch.no_grad():
        model(torch.zeros(1, 1, image_size, image_size))
    for h in hooks:
        h.remove()
    return sum(counted)


def test_budget_error_carries_its_numbers():
    with pytest.raises(cnn.BudgetError) as info:
        cnn.check_budget(5100, 28, 64, 3, 30, 32)
    err = info.value
    assert isinstance(err, cnn.ParamError) and err.limit == cnn.MAX_SECONDS and err.n_train == 5100
    # The cost model (2.5e-3 s a batch, 1.5e-10 s a multiply-add), by hand: 3 blocks of 64 channels on 28x28,
    # pooled to 14 and 7: 1*64*9*28*28 + 64*64*9*14*14 + 64*64*9*7*7 = 9,483,264 multiply-adds an image;
    # 1.5e-10 * 9,483,264 * 5,100 images * 30 epochs = 217.64 s, plus 30 * ceil(5,100 / 32) = 4,800 batches
    # * 2.5e-3 = 12 s: 229.64 s. The multiply-adds are also counted on the real network's forward pass.
    assert conv_macs(cnn.CNN(64, 3, 10, 28), 28) == 9_483_264
    assert err.seconds == pytest.approx(229.6409088, rel=1e-9)
    assert "about 230 s" in str(err)


def test_mistakes_point_back_into_the_test_set():
    r = cnn.run(epochs=2, channels=4)
    split = load_digits_split(0)
    assert r.image_size == 8 and r.mistakes
    probs = cnn.predict_proba(r.model, split.x_test)
    assert np.allclose(probs.sum(1), 1, atol=1e-5)
    for m in r.mistakes:
        assert np.array_equal(split.x_test[m.index, 0], m.image) and split.y_test[m.index] == m.true
        assert probs[m.index].argmax() == m.pred
        assert probs[m.index, m.pred] == pytest.approx(m.confidence, abs=1e-5)
