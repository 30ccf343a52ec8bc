"""A learner's own CSV file for the 2-D classification labs: parsed, checked, and split in memory.

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
    "too_few_columns": "the file needs at least 3 columns (a target and two features); it has {columns}",
    "duplicate_header": "the column name {name!r} appears more than once",
    "too_few_rows": "the file has {rows} data rows; at least {limit} are needed",
    "same_column": "pick three different columns: a target and two features",
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


def parse_csv(raw: bytes) -> Table:
    """Bytes of an uploaded file -> Table, or UploadError for anything a learner could upload."""
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
    if len(header) < 3:
        raise UploadError("too_few_columns", columns=len(header))
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


def prepare(table: Table, target: str, features: tuple[str, str]) -> Prepared:
    """Pick the target and two feature columns; refuse missing or non-numeric features and targets
    that are not two classes of at least MIN_PER_CLASS rows."""
    names = (target, *features)
    for name in names:
        if name not in table.columns:
            raise UploadError("unknown_column", name=name)
    if len(set(names)) < 3:
        raise UploadError("same_column")
    index = {name: table.columns.index(name) for name in names}

    def column(name: str) -> list[str]:
        cells = [row[index[name]] for row in table.rows]
        missing = [i for i, c in enumerate(cells) if c.lower() in MISSING]
        if missing:
            raise UploadError("missing", name=name, count=len(missing), line=missing[0] + 2)
        return cells

    X = np.empty((len(table.rows), 2))
    for j, name in enumerate(features):
        for i, cell in enumerate(column(name)):
            try:
                X[i, j] = float(cell)
            except ValueError:
                raise UploadError("text", name=name, line=i + 2, value=cell) from None
            if not np.isfinite(X[i, j]):
                raise UploadError("not_finite", name=name, line=i + 2)

    labels = column(target)
    classes, y, counts = np.unique(labels, return_inverse=True, return_counts=True)
    if len(classes) == 1:
        raise UploadError("one_class", name=target, value=str(classes[0]))
    if len(classes) > 2:
        raise UploadError("many_classes", name=target, count=len(classes))
    for value, count in zip(classes, counts, strict=True):
        if count < MIN_PER_CLASS:
            raise UploadError(
                "small_class", name=target, value=str(value), count=int(count), limit=MIN_PER_CLASS
            )
    return Prepared(X, y.astype(int), tuple(features), target, (str(classes[0]), str(classes[1])))


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
