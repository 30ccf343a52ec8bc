"""A learner's own CSV file: two features and a two-class target for the 2-D classification labs,
or labels and a model's scores for the metrics lab; parsed, checked, and split in memory.

Nothing here touches the disk: the page hands over the uploaded bytes and keeps the result in the
learner's session only. Every way a file can be unusable raises UploadError with a `code` and the
fields a page needs to say what is wrong in the learner's language (locales: upload.err_<code>);
str(error) is the English message, for the command line and logs.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np

from kdlab.data.planar import TEST_FRACTION, Planar

MAX_BYTES = 1_000_000  # 1 MB
MAX_ROWS = 5_000
MAX_COLUMNS = 50
MIN_ROWS = 20  # after nothing is dropped: enough for a 70/30 split with both classes on each side
MIN_PER_CLASS = 5
MISSING = {"", "na", "n/a", "nan", "null", "none", "-", "?"}

MESSAGES = {
    "too_big": "the file is {size} bytes; the limit is {limit} bytes",
    "empty": "the file is empty",
    "encoding": "the file is not text in UTF-8 (or GBK)",
    "malformed": "the file is not a valid CSV: {detail}",
    "ragged": "line {line} has {found} fields but the header has {expected}",
    "too_many_rows": "the file has {rows} rows; the limit is {limit}",
    "too_many_columns": "the file has {columns} columns; the limit is {limit}",
    "too_few_columns": "the file needs at least {need} columns; it has {columns}",
    "duplicate_header": "the column name {name!r} appears more than once",
    "too_few_rows": "the file has {rows} data rows; at least {limit} are needed",
    "same_column": "pick different columns for each role",
    "unknown_column": "there is no column named {name!r}",
    "missing": "column {name!r} has {count} missing value(s), first on line {line}; fill or remove them",
    "text": "column {name!r} is not numeric: line {line} holds {value!r}",
    "not_finite": "column {name!r} holds a value that is not a finite number on line {line}",
    "one_class": "the target {name!r} has a single class ({value!r}); a classifier needs two",
    "many_classes": "the target {name!r} has {count} classes; these labs classify two (pick another target)",
    "small_class": "class {value!r} of {name!r} has only {count} row(s); each class needs at least {limit}",
}


class UploadError(ValueError):
    def __init__(self, code: str, **fields):
        self.code, self.fields = code, fields
        super().__init__(MESSAGES[code].format(**fields))


@dataclass(frozen=True)
class Table:
    """A parsed CSV: column names and the cells as text, row by row (line numbers count the header as 1)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def parse_csv(raw: bytes, min_columns: int = 3) -> Table:
    """Bytes of an uploaded file -> Table, or UploadError for anything a learner could upload.
    min_columns: 3 for a target and two features, 2 for labels and scores."""
    if len(raw) > MAX_BYTES:
        raise UploadError("too_big", size=len(raw), limit=MAX_BYTES)
    if not raw.strip():
        raise UploadError("empty")
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in Chinese saves CSV as GBK
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UploadError("encoding")
    if "\x00" in text:
        raise UploadError("encoding")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        lines = [row for row in csv.reader(io.StringIO(text), dialect) if any(cell.strip() for cell in row)]
    except csv.Error as err:
        raise UploadError("malformed", detail=str(err)) from None
    if not lines:
        raise UploadError("empty")
    header = tuple(cell.strip() for cell in lines[0])
    if len(header) > MAX_COLUMNS:
        raise UploadError("too_many_columns", columns=len(header), limit=MAX_COLUMNS)
    if len(header) < min_columns:
        raise UploadError("too_few_columns", columns=len(header), need=min_columns)
    seen = set()
    for name in header:
        if name in seen:
            raise UploadError("duplicate_header", name=name)
        seen.add(name)
    body = lines[1:]
    if len(body) > MAX_ROWS:
        raise UploadError("too_many_rows", rows=len(body), limit=MAX_ROWS)
    for i, row in enumerate(body):
        if len(row) != len(header):
            raise UploadError("ragged", line=i + 2, found=len(row), expected=len(header))
    if len(body) < MIN_ROWS:
        raise UploadError("too_few_rows", rows=len(body), limit=MIN_ROWS)
    return Table(header, tuple(tuple(cell.strip() for cell in row) for row in body))


@dataclass(frozen=True)
class Prepared:
    """Two numeric features and a two-class target, ready to split."""

    X: np.ndarray  # (n, 2)
    y: np.ndarray  # (n,) in {0, 1}
    features: tuple[str, str]
    target: str
    classes: tuple[str, str]  # the target's values for 0 and 1


def _check_columns(table: Table, names: tuple[str, ...]) -> None:
    for name in names:
        if name not in table.columns:
            raise UploadError("unknown_column", name=name)
    if len(set(names)) < len(names):
        raise UploadError("same_column")


def _cells(table: Table, name: str) -> list[str]:
    """A column's cells; UploadError if any is missing."""
    j = table.columns.index(name)
    cells = [row[j] for row in table.rows]
    missing = [i for i, c in enumerate(cells) if c.lower() in MISSING]
    if missing:
        raise UploadError("missing", name=name, count=len(missing), line=missing[0] + 2)
    return cells


def _numbers(table: Table, name: str) -> np.ndarray:
    """A numeric column; UploadError naming the first cell that is text or not finite."""
    cells = _cells(table, name)
    out = np.empty(len(cells))
    for i, cell in enumerate(cells):
        try:
            out[i] = float(cell)
        except ValueError:
            raise UploadError("text", name=name, line=i + 2, value=cell) from None
        if not np.isfinite(out[i]):
            raise UploadError("not_finite", name=name, line=i + 2)
    return out


def _two_classes(table: Table, target: str) -> tuple[np.ndarray, tuple[str, str]]:
    """0/1 labels (the values in sorted order: 0/1, false/true and no/yes come out as they read)."""
    classes, y, counts = np.unique(_cells(table, target), return_inverse=True, return_counts=True)
    if len(classes) == 1:
        raise UploadError("one_class", name=target, value=str(classes[0]))
    if len(classes) > 2:
        raise UploadError("many_classes", name=target, count=len(classes))
    for value, count in zip(classes, counts, strict=True):
        if count < MIN_PER_CLASS:
            raise UploadError(
                "small_class", name=target, value=str(value), count=int(count), limit=MIN_PER_CLASS
            )
    return y.astype(int), (str(classes[0]), str(classes[1]))


def prepare(table: Table, target: str, features: tuple[str, str]) -> Prepared:
    """Pick the target and two feature columns; refuse missing or non-numeric features and targets
    that are not two classes of at least MIN_PER_CLASS rows."""
    _check_columns(table, (target, *features))
    X = np.column_stack([_numbers(table, name) for name in features])
    y, classes = _two_classes(table, target)
    return Prepared(X, y, tuple(features), target, classes)


@dataclass(frozen=True)
class Scored:
    """A model's scores against two-class labels, and optionally who each row was shown to."""

    y: np.ndarray  # (n,) in {0, 1}
    score: np.ndarray  # (n,) any real numbers; probabilities if all in [0, 1]
    user: np.ndarray | None  # (n,) user ids as text, for GAUC
    label: str
    score_name: str
    user_name: str | None
    classes: tuple[str, str]  # the label's values for 0 and 1 (1 = positive)


def prepare_scores(table: Table, label: str, score: str, user: str | None = None) -> Scored:
    """Pick the label, score and (optional) user columns; the label must be two classes of at
    least MIN_PER_CLASS rows, the score numeric, every user id present."""
    _check_columns(table, (label, score) + ((user,) if user else ()))
    s = _numbers(table, score)
    y, classes = _two_classes(table, label)
    users = np.array(_cells(table, user)) if user else None
    return Scored(y, s, users, label, score, user, classes)


def split(data: Prepared, seed: int) -> Planar:
    """A 70/30 train/test split, stratified so that both classes are on both sides."""
    rng = np.random.default_rng(seed)
    test = []
    for c in (0, 1):
        rows = rng.permutation(np.flatnonzero(data.y == c))
        test.extend(rows[: max(1, round(TEST_FRACTION * len(rows)))])
    is_test = np.zeros(len(data.y), dtype=bool)
    is_test[test] = True
    train = rng.permutation(np.flatnonzero(~is_test))
    test = rng.permutation(np.flatnonzero(is_test))
    return Planar("upload", data.X[train], data.y[train], data.X[test], data.y[test])
