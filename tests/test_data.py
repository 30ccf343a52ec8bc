import gzip
import os
import struct
import subprocess
import sys

import numpy as np
import pytest

from kdlab.data.images import (
    FASHION_CLASSES,
    available_datasets,
    load_digits_split,
    load_idx_split,
    load_split,
    read_idx,
)

IDX_CODES = {np.dtype(np.uint8): 0x08, np.dtype(">i4"): 0x0C}


def write_idx(path, array: np.ndarray, compress: bool = False) -> None:
    """The IDX format by hand: 0, 0, dtype code, ndim, big-endian sizes, big-endian values."""
    header = bytes([0, 0, IDX_CODES[array.dtype], array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    data = header + array.tobytes()
    with (gzip.open if compress else open)(path, "wb") as f:
        f.write(data)


def fake_idx_folder(folder, n_train: int = 200, n_test: int = 50, size: int = 28, compress: bool = False):
    """Images whose every pixel equals 10 * label, so we can check images stay paired with labels."""
    folder.mkdir(parents=True, exist_ok=True)
    gz = ".gz" if compress else ""
    for part, n in (("train", n_train), ("t10k", n_test)):
        labels = (np.arange(n) % 10).astype(np.uint8)
        images = np.repeat(labels * 10, size * size).reshape(n, size, size).astype(np.uint8)
        write_idx(folder / f"{part}-images-idx3-ubyte{gz}", images, compress)
        write_idx(folder / f"{part}-labels-idx1-ubyte{gz}", labels, compress)
    return folder


# --- digits ---------------------------------------------------------------------


def test_digits_split_shapes_types_and_range():
    s = load_digits_split(seed=0)
    assert s.name == "digits" and s.classes == [str(d) for d in range(10)]
    sizes = [len(s.x_train), len(s.x_val), len(s.x_test)]
    assert sum(sizes) == 1797
    assert np.allclose(np.array(sizes) / 1797, [0.60, 0.15, 0.25], atol=0.01)
    for x, y in ((s.x_train, s.y_train), (s.x_val, s.y_val), (s.x_test, s.y_test)):
        assert x.dtype == np.float32 and x.shape[1:] == (1, 8, 8) and len(x) == len(y)
        assert y.dtype == np.int64
        assert x.min() >= 0 and x.max() <= 1
        assert set(np.unique(y)) == set(range(10))  # stratified: every class everywhere
    assert s.x_train.max() == 1.0  # 16 / 16: the scale is right, not merely bounded


def test_digits_split_is_deterministic_per_seed():
    a, b, c = load_digits_split(0), load_digits_split(0), load_digits_split(1)
    assert np.array_equal(a.x_test, b.x_test) and np.array_equal(a.y_train, b.y_train)
    assert not np.array_equal(a.y_test, c.y_test)


# --- IDX reader -----------------------------------------------------------------


@pytest.mark.parametrize("compress", [False, True])
def test_read_idx_round_trip(tmp_path, compress):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(5, 7, 6), dtype=np.uint8)
    labels = rng.integers(0, 10, size=5, dtype=np.uint8)
    suffix = ".gz" if compress else ""
    write_idx(tmp_path / f"img{suffix}", images, compress)
    write_idx(tmp_path / f"lab{suffix}", labels, compress)
    assert np.array_equal(read_idx(tmp_path / f"img{suffix}"), images)
    got = read_idx(tmp_path / f"lab{suffix}")
    assert got.shape == (5,) and np.array_equal(got, labels)


def test_read_idx_big_endian_int32(tmp_path):
    values = np.array([[1, -2], [70000, 3]], dtype=">i4")
    write_idx(tmp_path / "ints", values)
    got = read_idx(tmp_path / "ints")
    assert got.tolist() == [[1, -2], [70000, 3]] and got.dtype.isnative


def test_read_idx_malformed_files_name_the_file(tmp_path):
    bad_magic = tmp_path / "bad-magic"
    bad_magic.write_bytes(b"\x12\x34\x08\x01" + struct.pack(">I", 3) + b"abc")
    truncated = tmp_path / "truncated"
    write_idx(truncated, np.zeros((4, 3, 3), dtype=np.uint8))
    truncated.write_bytes(truncated.read_bytes()[:-5])
    short_header = tmp_path / "short-header"
    short_header.write_bytes(b"\x00\x00\x08\x03" + struct.pack(">I", 3))
    not_gzip = tmp_path / "fake.gz"
    not_gzip.write_bytes(b"plain bytes")
    for path, reason in [
        (bad_magic, "magic"),
        (truncated, "header promises"),
        (short_header, "inside the IDX header"),
        (not_gzip, "cannot read"),
    ]:
        with pytest.raises(ValueError, match=reason) as err:
            read_idx(path)
        assert path.name in str(err.value)


# --- IDX data sets --------------------------------------------------------------


@pytest.mark.parametrize("compress", [False, True])
def test_load_idx_split_subsamples_scales_and_keeps_pairs(tmp_path, compress):
    folder = fake_idx_folder(tmp_path / "fashion-mnist", compress=compress)
    s = load_idx_split(folder, "fashion-mnist", seed=0, max_train=100)
    assert s.name == "fashion-mnist" and s.classes == FASHION_CLASSES
    assert len(s.x_train) + len(s.x_val) == 100 and len(s.x_val) == 15
    assert len(s.x_test) == 50  # the official test set stays whole
    for x, y in ((s.x_train, s.y_train), (s.x_val, s.y_val), (s.x_test, s.y_test)):
        assert x.dtype == np.float32 and x.shape[1:] == (1, 28, 28) and y.dtype == np.int64
        # every pixel was 10 * label / 255 before scaling: images still sit with their labels
        assert np.allclose(x[:, 0, 0, 0], y * 10 / 255)
    assert np.bincount(s.y_train, minlength=10).min() > 0


def test_load_idx_split_missing_files(tmp_path):
    folder = fake_idx_folder(tmp_path / "mnist")
    (folder / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte"):
        load_idx_split(folder, "mnist")


def test_available_datasets_and_load_split(tmp_path, monkeypatch):
    monkeypatch.delenv("KDLAB_DATA_DIR", raising=False)
    assert available_datasets() == ["digits"]
    assert available_datasets(tmp_path) == ["digits"]
    fake_idx_folder(tmp_path / "mnist", compress=True)
    assert available_datasets(tmp_path) == ["digits", "mnist"]
    monkeypatch.setenv("KDLAB_DATA_DIR", str(tmp_path))
    assert available_datasets() == ["digits", "mnist"]
    s = load_split("mnist", seed=0)
    assert s.name == "mnist" and s.classes == [str(d) for d in range(10)]
    assert len(s.x_train) + len(s.x_val) == 200  # fewer than max_train: nothing dropped
    with pytest.raises(FileNotFoundError, match="KDLAB_DATA_DIR"):
        load_split("fashion-mnist")


def test_load_split_unknown_or_absent(monkeypatch):
    monkeypatch.delenv("KDLAB_DATA_DIR", raising=False)
    assert load_split("digits").name == "digits"
    with pytest.raises(FileNotFoundError, match="KDLAB_DATA_DIR"):
        load_split("mnist")
    with pytest.raises(ValueError, match="unknown dataset"):
        load_split("cifar")


# --- IDX files that are wrong in plausible ways (issue 17): a message, never a traceback ---------


def _broken(tmp_path, fix):
    folder = fake_idx_folder(tmp_path / "mnist", n_train=100, n_test=20)
    fix(folder)
    return folder


@pytest.mark.parametrize(
    ("fix", "message"),
    [
        (lambda f: write_idx(f / "train-images-idx3-ubyte", np.zeros((100, 28, 20), np.uint8)), "square"),
        (lambda f: write_idx(f / "t10k-images-idx3-ubyte", np.zeros((20, 14, 14), np.uint8)), "test images"),
        (lambda f: write_idx(f / "train-labels-idx1-ubyte", np.full(100, 12, np.uint8)), "labels run"),
        (lambda f: write_idx(f / "t10k-labels-idx1-ubyte", np.zeros(7, np.uint8)), "do not match"),
    ],
)
def test_plausible_mistakes_in_idx_files_are_named(tmp_path, fix, message):
    folder = _broken(tmp_path, fix)
    with pytest.raises(ValueError, match=message):
        load_idx_split(folder)
    out = subprocess.run([sys.executable, "-m", "kdlab", "cnn", "--dataset", "mnist", "--epochs", "1"],
                         capture_output=True, text=True, timeout=120,
                         env=os.environ | {"KDLAB_DATA_DIR": str(tmp_path)})  # fmt: skip
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr


def test_a_gzip_bomb_is_refused_from_its_header_without_unpacking_it(tmp_path):
    import resource
    import time

    path = tmp_path / "train-images-idx3-ubyte.gz"
    header = bytes([0, 0, 0x08, 3]) + struct.pack(">3I", 2_000_000, 28, 28)  # 1.5 GB promised
    with gzip.open(path, "wb", compresslevel=9) as f:
        f.write(header)
        zeros = bytes(1 << 20)
        for _ in range(64):  # 64 MB of zeros: a small file, a large unpacking
            f.write(zeros)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.perf_counter()
    with pytest.raises(ValueError, match="more than the"):
        read_idx(path)
    assert time.perf_counter() - began < 1
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KiB: nothing unpacked
    small = tmp_path / "small.gz"  # promises little, holds much more: read stops one byte past
    with gzip.open(small, "wb") as f:
        f.write(bytes([0, 0, 0x08, 1]) + struct.pack(">I", 10))
        f.write(zeros * 8)
    with pytest.raises(ValueError, match="holds more"):
        read_idx(small)
