"""Image data sets as plain numpy arrays: train / validation / test, ready for a CNN.

`digits` (scikit-learn's bundled 8x8 handwritten digits) is always here. MNIST and
Fashion-MNIST are read from their standard IDX files when someone has put them on
disk (under `data_dir` or $KDLAB_DATA_DIR, in `mnist/` and `fashion-mnist/`).
Nothing is ever downloaded.
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

DATA_DIR_ENV = "KDLAB_DATA_DIR"

DIGIT_CLASSES = [str(d) for d in range(10)]
FASHION_CLASSES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]

# The four files of an IDX data set, as Yann LeCun named them.
IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
IDX_DATASETS = ("mnist", "fashion-mnist")


@dataclass
class ImageSplit:
    """Images as float32 (N, 1, H, W) in [0, 1]; labels as int64 (N,)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    classes: list[str]
    name: str

    @property
    def image_size(self) -> int:
        return int(self.x_train.shape[-1])


def _split(x: np.ndarray, y: np.ndarray, seed: int, val: float, test: float):
    """Stratified train / val / test, so every class keeps its share in each part."""
    x_rest, x_test, y_rest, y_test = train_test_split(x, y, test_size=test, stratify=y, random_state=seed)
    x_train, x_val, y_train, y_val = train_test_split(
        x_rest, y_rest, test_size=val / (1 - test), stratify=y_rest, random_state=seed
    )
    return x_train, y_train, x_val, y_val, x_test, y_test


def load_digits_split(seed: int = 0) -> ImageSplit:
    """1,797 8x8 digits split about 60 / 15 / 25 (train / val / test)."""
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None]  # pixels are 0..16
    y = digits.target.astype(np.int64)
    parts = _split(x, y, seed, val=0.15, test=0.25)
    return ImageSplit(*parts, classes=list(DIGIT_CLASSES), name="digits")


# --- IDX files (the MNIST format) -------------------------------------------------

# Third byte of the magic number: the element type. Values are big-endian on disk.
_IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


IDX_MAX_BYTES = 400 * 1024 * 1024  # the largest official file (train images) is 47 MB unpacked


def read_idx(path: str | os.PathLike, max_bytes: int = IDX_MAX_BYTES) -> np.ndarray:
    """Read one IDX file (plain or .gz) into an array of its declared type and shape.

    The header is two zero bytes, a dtype code, the number of dimensions, then one
    big-endian uint32 per dimension; the values follow, row-major. The header is
    checked before the data is read, and no more than it promises (at most
    `max_bytes`) is ever decompressed: a 2 MB gzip can hold gigabytes.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            head = f.read(4)
            if len(head) < 4 or head[0] != 0 or head[1] != 0:
                raise ValueError(f"{path}: not an IDX file (bad magic number {head.hex() or 'empty'})")
            code, ndim = head[2], head[3]
            if code not in _IDX_DTYPES:
                raise ValueError(f"{path}: unknown IDX element type 0x{code:02x}")
            if ndim == 0:
                raise ValueError(f"{path}: IDX header declares zero dimensions")
            dims = f.read(4 * ndim)
            if len(dims) < 4 * ndim:
                raise ValueError(f"{path}: file ends inside the IDX header")
            shape = tuple(int(d) for d in np.frombuffer(dims, dtype=">u4"))
            dtype = _IDX_DTYPES[code]
            expected = int(np.prod(shape, dtype=object)) * dtype.itemsize
            if expected > max_bytes:
                raise ValueError(
                    f"{path}: header promises shape {shape} ({expected:,} bytes of data), "
                    f"more than the {max_bytes:,} bytes KD Lab reads"
                )
            raw = f.read(expected + 1)  # one byte more tells a file longer than its header says
    except (OSError, EOFError) as err:  # gzip.BadGzipFile is an OSError
        raise ValueError(f"{path}: cannot read IDX file ({err})") from None
    if len(raw) != expected:
        held = f"{len(raw)}" if len(raw) <= expected else "more"
        raise ValueError(
            f"{path}: header promises shape {shape} ({expected} bytes of data) but the file holds {held}"
        )
    data = np.frombuffer(raw, dtype=dtype).reshape(shape)
    return data.astype(dtype.newbyteorder("="))  # native byte order, and a writable copy


def _find_idx(folder: Path, stem: str) -> Path | None:
    for name in (stem, stem + ".gz"):
        if (folder / name).is_file():
            return folder / name
    return None


def load_idx_split(
    folder: str | os.PathLike, dataset: str = "mnist", seed: int = 0, max_train: int = 6000
) -> ImageSplit:
    """MNIST or Fashion-MNIST from the four standard IDX files in `folder`.

    The official 60,000 training images are subsampled (stratified) to `max_train`
    so a CPU trains in seconds; 15% of those become the validation set. The
    official 10,000-image test set is kept whole: it is the honest score.
    """
    if dataset not in IDX_DATASETS:
        raise ValueError(f"dataset must be one of {', '.join(IDX_DATASETS)}, got {dataset!r}")
    folder = Path(folder)
    paths = {key: _find_idx(folder, stem) for key, stem in IDX_FILES.items()}
    missing = [IDX_FILES[k] for k, p in paths.items() if p is None]
    if missing:
        raise FileNotFoundError(f"{folder}: missing {', '.join(missing)} (plain or .gz)")
    arrays = {key: read_idx(p) for key, p in paths.items()}
    classes = FASHION_CLASSES if dataset == "fashion-mnist" else DIGIT_CLASSES
    for part in ("train", "test"):
        x, y = arrays[f"x_{part}"], arrays[f"y_{part}"]
        if x.ndim != 3 or y.ndim != 1 or len(x) != len(y):
            raise ValueError(f"{folder}: {part} images {x.shape} and labels {y.shape} do not match")
        if x.shape[1] != x.shape[2] or not 4 <= x.shape[1] <= 64:
            raise ValueError(f"{folder}: {part} images are {x.shape[1]}x{x.shape[2]}; square, 4 to 64 pixels")
        if y.size and (y.min() < 0 or y.max() >= len(classes)):
            raise ValueError(
                f"{folder}: {part} labels run {y.min()}..{y.max()}; {dataset} has classes 0..{len(classes) - 1}"
            )
    if arrays["x_train"].shape[1:] != arrays["x_test"].shape[1:]:
        raise ValueError(
            f"{folder}: training images are {arrays['x_train'].shape[1:]} but test images "
            f"{arrays['x_test'].shape[1:]}"
        )

    x, y = arrays["x_train"], arrays["y_train"].astype(np.int64)
    if max_train < len(x):
        keep, _ = train_test_split(np.arange(len(x)), train_size=max_train, stratify=y, random_state=seed)
        x, y = x[np.sort(keep)], y[np.sort(keep)]
    x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.15, stratify=y, random_state=seed)

    def scale(images: np.ndarray) -> np.ndarray:
        return (images.astype(np.float32) / 255.0)[:, None]

    return ImageSplit(
        scale(x_train),
        y_train,
        scale(x_val),
        y_val,
        scale(arrays["x_test"]),
        arrays["y_test"].astype(np.int64),
        classes=list(classes),
        name=dataset,
    )


# --- which data sets are here -----------------------------------------------------


def data_root(data_dir: str | os.PathLike | None = None) -> Path | None:
    """`data_dir` if given, else $KDLAB_DATA_DIR, else None."""
    root = data_dir if data_dir is not None else os.environ.get(DATA_DIR_ENV)
    return Path(root) if root else None


def _idx_folder(name: str, data_dir: str | os.PathLike | None) -> Path | None:
    root = data_root(data_dir)
    if root is None:
        return None
    folder = root / name
    if all(_find_idx(folder, stem) for stem in IDX_FILES.values()):
        return folder
    return None


def available_datasets(data_dir: str | os.PathLike | None = None) -> list[str]:
    """'digits' always; 'mnist' / 'fashion-mnist' when all four of their files are on disk."""
    return ["digits"] + [name for name in IDX_DATASETS if _idx_folder(name, data_dir) is not None]


def load_split(name: str, seed: int = 0, data_dir: str | os.PathLike | None = None) -> ImageSplit:
    if name == "digits":
        return load_digits_split(seed)
    if name not in IDX_DATASETS:
        raise ValueError(f"unknown dataset {name!r}; known: digits, {', '.join(IDX_DATASETS)}")
    folder = _idx_folder(name, data_dir)
    if folder is None:
        root = data_root(data_dir)
        where = f"{root / name}" if root else f"${DATA_DIR_ENV} (not set)"
        raise FileNotFoundError(
            f"{name} is not on this machine: put its four IDX files "
            f"({', '.join(IDX_FILES.values())}, plain or .gz) in {where}; "
            f"set {DATA_DIR_ENV} to the folder holding {name}/. Nothing is downloaded."
        )
    return load_idx_split(folder, name, seed=seed)
