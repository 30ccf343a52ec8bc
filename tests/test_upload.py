"""A learner's CSV: every bad file gets a named error (never a traceback), a good one trains the labs."""

from pathlib import Path

import numpy as np
import pytest

from kdlab.classic import ensemble, logistic, tree
from kdlab.data import upload
from kdlab.data.upload import UploadError, parse_csv, prepare, split


def good_csv(n=60, sep=",", target=("yes", "no")) -> bytes:
    rng = np.random.default_rng(0)
    lines = [sep.join(["height", "weight", "city", "bought"])]
    for i in range(n):
        c = i % 2
        lines.append(sep.join([f"{rng.normal(c, 1):.3f}", f"{rng.normal(-c, 1):.3f}", "北京", target[c]]))
    return ("\n".join(lines) + "\n").encode()


def error_of(raw: bytes, target="bought", features=("height", "weight")) -> UploadError:
    with pytest.raises(UploadError) as caught:
        prepare(parse_csv(raw), target, features)
    return caught.value


def test_a_good_file_is_parsed_prepared_and_split():
    data = prepare(parse_csv(good_csv()), "bought", ("height", "weight"))
    assert data.X.shape == (60, 2) and set(data.y) == {0, 1} and data.classes == ("no", "yes")
    s = split(data, seed=3)
    assert len(s.y_test) == 18 and len(s.y_train) == 42
    assert set(s.y_test) == {0, 1} and set(s.y_train) == {0, 1}
    together = np.vstack([s.X_train, s.X_test])
    assert sorted(map(tuple, together)) == sorted(map(tuple, data.X))  # every row once


@pytest.mark.parametrize("sep", [";", "\t"])
def test_other_separators_and_gbk_and_a_bom(sep):
    assert prepare(parse_csv(good_csv(sep=sep)), "bought", ("height", "weight")).X.shape == (60, 2)
    gbk = good_csv(target=("买了", "没买")).decode().encode("gbk")
    assert prepare(parse_csv(gbk), "bought", ("height", "weight")).classes == ("买了", "没买")
    assert parse_csv(b"\xef\xbb\xbf" + good_csv()).columns[0] == "height"


@pytest.mark.parametrize(
    "raw,code",
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x00\x01\x02\xff\xfe" * 50, "encoding"),
        (b"a,b\n1,2\n", "too_few_columns"),
        (b"a,b,a\n" + b"1,2,3\n" * 30, "duplicate_header"),
        (b"a,b,c\n" + b"1,2,3\n" * 5, "too_few_rows"),
        (b"a,b,c\n" + b"1,2,3\n" * 25 + b"1,2\n", "ragged"),
        (b'a,b,c\n"1,2,3\n' + b"1,2,3\n" * 25, "ragged"),
        (b"a,b,c\n" + b"1,2,3\n" * (upload.MAX_ROWS + 1), "too_many_rows"),
        (",".join(f"c{i}" for i in range(60)).encode() + b"\n", "too_many_columns"),
        (b"a,b,c\n" + b"1,2,3\n" * 200_000, "too_big"),
    ],
)
def test_bad_files_are_named(raw, code):
    with pytest.raises(UploadError) as caught:
        parse_csv(raw)
    assert caught.value.code == code
    assert str(caught.value)  # an English message for the CLI and logs


def test_bad_columns_are_named_with_their_line():
    text = good_csv().decode().splitlines()
    missing = [*text[:5], ",".join(["", *text[5].split(",")[1:]]), *text[6:]]
    err = error_of("\n".join(missing).encode())
    assert (err.code, err.fields["name"], err.fields["line"]) == ("missing", "height", 6)

    words = [*text[:3], ",".join(["tall", *text[3].split(",")[1:]]), *text[4:]]
    err = error_of("\n".join(words).encode())
    assert (err.code, err.fields["line"], err.fields["value"]) == ("text", 4, "tall")

    assert error_of(good_csv(), features=("height", "city")).code == "text"  # a text column
    assert error_of(good_csv(), features=("height", "nope")).code == "unknown_column"
    assert error_of(good_csv(), features=("height", "height")).code == "same_column"
    inf = [*text[:2], ",".join(["inf", *text[2].split(",")[1:]]), *text[3:]]
    assert error_of("\n".join(inf).encode()).code == "not_finite"


def test_targets_must_be_two_real_classes():
    one = good_csv(target=("yes", "yes"))
    assert error_of(one).code == "one_class"
    lines = good_csv().decode().splitlines()
    three = [lines[0]] + [line.rsplit(",", 1)[0] + f",{i % 3}" for i, line in enumerate(lines[1:])]
    err = error_of("\n".join(three).encode())
    assert (err.code, err.fields["count"]) == ("many_classes", 3)
    rare = [lines[0]] + [
        line.rsplit(",", 1)[0] + (",b" if i < 3 else ",a") for i, line in enumerate(lines[1:])
    ]
    assert error_of("\n".join(rare).encode()).code == "small_class"


def test_every_error_code_has_a_message_in_both_languages():
    from kdlab.core.i18n import catalog

    for lang in ("en", "zh"):
        words = catalog(lang)
        for code in upload.MESSAGES:
            assert f"upload.err_{code}" in words, (lang, code)


def test_an_upload_trains_the_three_labs():
    data = prepare(parse_csv(good_csv(120)), "bought", ("height", "weight"))
    r = logistic.run_on(split(data, 0), degree=1, n_iter=300)
    assert r.test_accuracy > 0.6 and len(r.y_train) == 84
    t = tree.run_on(lambda seed: split(data, seed), max_depth=3)
    assert t.nodes[0]["samples"] == 84 and len(t.curve_test) == tree.MAX_CURVE_DEPTH
    e = ensemble.run_on(split(data, 0), n_estimators=5)
    assert set(e.test_error) == set(ensemble.METHODS)
    with pytest.raises(ValueError, match="fresh training sets"):
        ensemble.run_on(split(data, 0), experiment="bias_variance", n_estimators=5)


def test_the_upload_box_limit_is_the_checked_limit():
    """Streamlit's upload box prints its own limit ("1MB per file"): the same megabyte the panel's
    help and parse_csv speak of, so the page does not say 5 MB in one place and 1 MB in another."""
    import tomllib

    config = tomllib.loads((Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml").read_text())
    limit_mb = config["server"]["maxUploadSize"]
    assert limit_mb == round(upload.MAX_BYTES / 1e6)
    assert limit_mb * 2**20 >= upload.MAX_BYTES  # Streamlit's MB is 2**20 bytes: parse_csv's check is the stricter
