"""A learner's own CSV on a classification lab (logistic, tree, ensemble: a target and two features)
or on the metrics lab (labels and a model's scores): uploaded, checked by kdlab.data.upload, and kept
in this browser session only, never in the server's shared results."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import streamlit as st

from kdlab.data import upload
from kdlab.data.upload import Prepared, Scored, UploadError
from pages.demos.kit import key_of
from pages.shared.common import plain, t

RESULTS = "_own_data_results"  # session_state: the last result per lab, for this session only


def message(err: UploadError) -> str:
    """The error in the learner's language; values from the file are escaped (no Markdown from a file)."""
    return t(f"upload.err_{err.code}", **{k: plain(str(v)) for k, v in err.fields.items()})


def own_data(demo: str) -> Prepared | None:
    """The upload panel; the prepared data when a usable file and columns are chosen, else None.
    What happened is said below the panel, so it shows even when the panel is folded."""
    data = _panel(demo, "upload.title", "upload.help", 3, lambda table: _features(demo, table))
    if data is not None:
        st.success(t("upload.using", rows=len(data.y), target=plain(data.target), c0=plain(data.classes[0]),
                     c1=plain(data.classes[1]), x1=plain(data.features[0]), x2=plain(data.features[1])), icon="📄")  # fmt: skip
    return data


def own_scores(demo: str) -> Scored | None:
    """The metrics lab's upload panel: a label column, a score column and, for GAUC, an optional
    user column; the checked columns when usable, else None (what is wrong said below the panel)."""
    data = _panel(demo, "upload.scores_title", "upload.scores_help", 2, lambda table: _scores(demo, table))
    if data is not None:
        users = t("upload.scores_users", user=plain(data.user_name)) if data.user_name else ""
        st.success(t("upload.scores_using", rows=len(data.y), label=plain(data.label), c0=plain(data.classes[0]),
                     c1=plain(data.classes[1]), score=plain(data.score_name), users=users), icon="📄")  # fmt: skip
    return data


def _panel(demo: str, title: str, note: str, min_columns: int, pick: Callable[[upload.Table], Any]) -> Any:
    """The folded panel: the file box, then (for a parsed file) pick's column choices; pick's result,
    or None with the UploadError said below the panel."""
    data = problem = None
    with st.expander(f"📄 {t(title)}"):
        st.caption(t(note))
        file = st.file_uploader(t("upload.file"), type=["csv", "txt"], key=f"{demo}_upload")
        if file is not None:
            try:
                if file.size > upload.MAX_BYTES:  # refused before reading it
                    raise UploadError("too_big", size=file.size, limit=upload.MAX_BYTES)
                data = pick(upload.parse_csv(file.getvalue(), min_columns))
            except UploadError as err:
                problem = err
    if problem is not None:
        st.error(message(problem), icon="📄")
    return data


def _features(demo: str, table: upload.Table) -> Prepared:
    columns = list(table.columns)
    c = st.columns(3)
    target = c[0].selectbox(t("upload.target"), columns, index=len(columns) - 1, key=f"{demo}_upload_target")
    x1 = c[1].selectbox(t("upload.x1"), columns, index=0, key=f"{demo}_upload_x1")
    x2 = c[2].selectbox(t("upload.x2"), columns, index=1, key=f"{demo}_upload_x2")
    st.caption(t("upload.clear"))
    return upload.prepare(table, target, (x1, x2))


def _scores(demo: str, table: upload.Table) -> Scored:
    columns = list(table.columns)
    none = t("upload.no_user")
    c = st.columns(3)
    label = c[0].selectbox(t("upload.label"), columns, index=len(columns) - 1, key=f"{demo}_upload_target")
    score = c[1].selectbox(t("upload.score"), columns, index=0, key=f"{demo}_upload_score")
    user = c[2].selectbox(t("upload.user"), [none, *columns], index=0, key=f"{demo}_upload_user")
    st.caption(t("upload.clear"))
    return upload.prepare_scores(table, label, score, None if user == none else user)


def session_run(demo: str, data: Prepared, params: dict, fn: Callable[[], Any]) -> Any:
    """fn() on the upload, remembered in this session only (the runs take about a second)."""
    digest = hashlib.sha256(data.X.tobytes() + data.y.tobytes()).hexdigest()
    key = (demo, digest, data.features, data.target, key_of(params))
    results = st.session_state.setdefault(RESULTS, {})
    if key not in results:
        for old in [k for k in results if k[0] == demo]:
            del results[old]  # one upload result per lab
        results[key] = fn()
    return results[key]
