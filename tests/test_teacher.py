"""The teacher's view (issue 15): a scripted class of several learners, made with kdlab.practice.accounts
under KDLAB_AUTH=accounts; the page's numbers equal an independent count from the database; a
learner (or anyone not a teacher) who opens its URL gets "teachers only" and no name or number;
the class CSV has the right rows, its cells safe from spreadsheet formulas.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import streamlit as st

from kdlab.core.i18n import translate
from kdlab.practice.accounts import Accounts
from kdlab.practice.classroom import CLASS_COLUMNS, class_report
from kdlab.practice.progress import make_engine, new_visit_id, open_store
from tests.test_app import open_url
from tests.test_signin import page_text, sign_in, start

Q1, Q2 = "c02-deep-learning", "c06-attention"  # quizzes, no live experiment
TEACHER, TEACHER_PW = "Grace", "grace's password"
CLASS = {
    "Ada": "ada's password",
    "Bob": "bob's password",
    "=Cleo": "cleo's password",
    "Dan": "dan's password",
}


@pytest.fixture
def db(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'progress.db'}"
    monkeypatch.setenv("KDLAB_DATABASE_URL", url)
    monkeypatch.setenv("KDLAB_AUTH", "accounts")
    return url


def script_class(url: str) -> None:
    """Four learners and a teacher; answers over several days, a retry, changed ratings."""
    now = datetime.now(UTC)
    day = [now - timedelta(days=d) for d in (3, 2, 1)]
    with open_store(url) as store:
        acc = Accounts(store)
        grace = acc.add(TEACHER, TEACHER_PW, teacher=True)[0].learner
        who = {name: acc.add(name, pw)[0].learner for name, pw in CLASS.items()}
        ada, bob, cleo = who["Ada"], who["Bob"], who["=Cleo"]
        v = new_visit_id()
        store.record_quiz(ada, Q1, 0, True, "en", choice=1, attempt=1, visit=v, now=day[0])
        store.record_quiz(ada, Q1, 1, False, "en", choice=0, attempt=1, visit=v, now=day[0])
        store.record_quiz(
            ada, Q1, 1, True, "en", choice=2, attempt=2, visit=v, now=day[0]
        )  # a retry: not first
        store.rate(ada, Q1, "good", "en", visit=v, now=day[0])
        store.rate(ada, Q1, "hard", "en", visit=v, now=day[0])  # changed: one rating
        v = new_visit_id()
        store.record_quiz(ada, Q1, 1, True, "en", choice=2, attempt=1, visit=v, now=day[1])  # a later visit
        v = new_visit_id()
        store.record_quiz(bob, Q1, 0, False, "en", choice=3, attempt=1, visit=v, now=day[1])
        store.record_quiz(bob, Q1, 1, True, "en", choice=2, attempt=1, visit=v, now=day[1])
        store.rate(bob, Q1, "again", "en", visit=v, now=day[1])
        store.record_quiz(bob, Q2, 0, True, "en", choice=0, attempt=1, visit=new_visit_id(), now=day[2])
        store.rate(bob, Q2, "easy", "en", now=day[2])
        store.record_quiz(cleo, Q2, 0, False, "en", choice=1, attempt=1, visit=new_visit_id(), now=day[2])
        store.record_quiz(cleo, Q2, 2, False, "en", choice=1, attempt=1, visit=new_visit_id(), now=day[2])
        store.rate(cleo, Q2, "again", "en", now=day[2])
        # The teacher trying things out is not the class.
        store.record_quiz(grace, Q2, 0, False, "en", choice=2, attempt=1, visit=new_visit_id(), now=day[2])
        store.rate(grace, Q2, "again", "en", now=day[2])


def independent_counts(url: str) -> tuple[dict, dict]:
    """{(question, item): (learners answered, right at first attempt)} and {question: ratings},
    counted in SQL alone (a window over each learner's answers), not with kdlab.practice.classroom."""
    engine = make_engine(url)
    with engine.connect() as conn:
        items = conn.execute(sa.text("""
            SELECT question_id, item, count(*) AS answered, sum(CASE WHEN correct THEN 1 ELSE 0 END) AS right_
            FROM (SELECT a.question_id, a.item, a.correct,
                         row_number() OVER (PARTITION BY a.learner_id, a.question_id, a.item ORDER BY a.at, a.id) AS n
                  FROM attempts a JOIN learners l ON l.id = a.learner_id
                  WHERE a.kind = 'quiz' AND NOT l.teacher) AS firsts
            WHERE n = 1 GROUP BY question_id, item
        """)).all()  # fmt: skip
        ratings = conn.execute(sa.text("""
            SELECT a.question_id, count(*) FROM attempts a JOIN learners l ON l.id = a.learner_id
            WHERE a.rating IS NOT NULL AND NOT l.teacher GROUP BY a.question_id
        """)).all()  # fmt: skip
    engine.dispose()
    return {(q, i): (n, r) for q, i, n, r in items}, dict(ratings)


def exported_csv(monkeypatch) -> list[bytes]:
    exported: list[bytes] = []
    original = st.download_button

    def spy(label, data, *args, **kwargs):
        exported.append(data)
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", spy)
    return exported


def test_the_teachers_numbers_equal_an_independent_count(db, monkeypatch):
    script_class(db)
    exported = exported_csv(monkeypatch)
    at = open_url(sign_in(start(), TEACHER, TEACHER_PW), "teacher")
    assert not at.exception
    items, ratings = independent_counts(db)
    assert items == {
        (Q1, 0): (2, 1),
        (Q1, 1): (2, 1),
        (Q2, 0): (2, 1),
        (Q2, 2): (1, 0),
    }  # the script, by hand

    questions, per_item, due = (df.value for df in at.dataframe)
    shown_items = {(r["id"], r["Item"] - 1): (r["Learners who answered"], r["Right at first attempt"])
                   for r in per_item.to_dict("records")}  # fmt: skip
    assert shown_items == items
    shown_questions = {r["id"]: r for r in questions.to_dict("records")}
    assert set(shown_questions) == {Q1, Q2}
    for qid in (Q1, Q2):
        row = shown_questions[qid]
        assert row["Ratings"] == ratings[qid]
        assert row["Right at first attempt"] == sum(r for (q, _), (_, r) in items.items() if q == qid)
        assert row["Items answered"] == sum(n for (q, _), (n, _) in items.items() if q == qid)
    assert shown_questions[Q1]["Learners who answered"] == 2  # Ada and Bob
    assert shown_questions[Q2]["Learners who answered"] == 2  # Bob and Cleo; not the teacher
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Learners"] == str(len(CLASS))
    assert metrics["Quiz items answered"] == str(sum(n for n, _ in items.values()))
    assert metrics["Ratings"] == str(sum(ratings.values()))

    # Who is due: every learner of the class, by name; the teacher is not one of them.
    with open_store(db) as store:
        acc = Accounts(store)
        now = datetime.now(UTC)
        expected_due = {
            name: sum(d <= now for _, d in store.schedule(acc.find(name).learner)) for name in CLASS
        }
    assert dict(zip(due["Learner"], due["Due now"], strict=True)) == expected_due

    # The hardest item first; percent axes to 100%; the ratings chart's legend below its bars.
    charts = {json.loads(c.proto.spec)["layout"]["xaxis"]["title"]["text"]: json.loads(c.proto.spec)
              for c in at.get("plotly_chart")}  # fmt: skip
    hardest = charts["Right at the first attempt"]
    x_axis = hardest["layout"]["xaxis"]
    assert x_axis["range"][0] == 0 and 1 in x_axis["tickvals"] and hardest["layout"]["yaxis"]["title"]["text"]
    assert hardest["data"][0]["x"][0] == 0 and hardest["data"][0]["text"][0] == "0/1"  # Q2 item 3
    over_time = charts["Day"]
    assert over_time["layout"]["yaxis"]["range"] == [0, 100] and over_time["layout"]["barnorm"] == "percent"
    assert over_time["layout"]["legend"]["y"] < 0 and over_time["layout"]["yaxis"]["title"]["text"]
    assert sum(sum(trace["y"]) for trace in over_time["data"]) == sum(ratings.values())

    # The class's CSV: every attempt of the class's learners, none of the teacher's; formula-safe.
    rows = list(csv.reader(io.StringIO(exported[-1].decode("utf-8-sig"))))
    assert tuple(rows[0]) == CLASS_COLUMNS
    engine = make_engine(db)
    with engine.connect() as conn:
        expected = conn.execute(sa.text(
            "SELECT l.name, a.question_id, a.kind FROM attempts a JOIN learners l ON l.id = a.learner_id "
            "WHERE NOT l.teacher ORDER BY a.at, a.id"
        )).all()  # fmt: skip
    engine.dispose()
    body = [(r[0], r[CLASS_COLUMNS.index("question_id")], r[CLASS_COLUMNS.index("kind")]) for r in rows[1:]]
    assert body == [("'=Cleo" if n == "=Cleo" else n, q, k) for n, q, k in expected]
    assert TEACHER not in {r[0] for r in rows[1:]} and len(body) == 13


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_learner_opening_the_teachers_page_sees_no_names_or_numbers(db, monkeypatch, lang):
    script_class(db)
    exported = exported_csv(monkeypatch)
    at = open_url(sign_in(start(lang=lang), "Ada", CLASS["Ada"]), "teacher")
    assert not at.exception
    text = page_text(at)
    assert ("for teachers" if lang == "en" else "仅供教师") in text
    assert not at.dataframe and not at.metric and not at.get("plotly_chart") and not exported
    for name in ("Bob", "Cleo", "Dan", TEACHER):
        assert name not in text
    # Nobody signed in, and a typed name without sign-in (KDLAB_AUTH=none): the same.
    at = open_url(start(), "teacher")
    assert not at.exception and "for teachers" in page_text(at) and not at.dataframe
    monkeypatch.setenv("KDLAB_AUTH", "none")
    at = open_url(start(learner=TEACHER), "teacher")
    assert not at.exception and "for teachers" in page_text(at) and not at.dataframe and not exported


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_teachers_tables_fit_beside_the_sidebar_at_1280_px(db, lang):
    """Every column has a set width and a table's widths add up to the ~800 px the main column has
    at 1280 px with the sidebar open (a projector has more; the columns grow alike), so nothing
    scrolls sideways; a number column's short header keeps the full one as its tooltip."""
    script_class(db)
    at = open_url(sign_in(start(lang=lang), TEACHER, TEACHER_PW), "teacher")
    assert not at.exception and len(at.dataframe) == 3
    for df in at.dataframe[:2]:  # by question, every quiz item (the due table has four columns)
        config = {k: v for k, v in json.loads(df.proto.columns).items() if k != "_index"}
        assert set(config) == set(df.value.columns)
        assert all(isinstance(c.get("width"), int) for c in config.values()), config
        assert sum(c["width"] for c in config.values()) <= 800
        for key, c in config.items():
            if c["type_config"]["type"] == "number" and key != c["label"]:
                assert c["help"] == key and len(c["label"]) < len(key)
    titles = at.dataframe[0].value[translate(lang, "teacher.col_title")]
    assert all(title.endswith(("?", "？")) or "?" not in title for title in titles)  # a short title


def test_a_teacher_whose_role_was_taken_away_sees_nothing(db):
    script_class(db)
    at = open_url(sign_in(start(), TEACHER, TEACHER_PW), "teacher")
    assert at.dataframe
    with open_store(db) as store:
        Accounts(store).set_teacher(TEACHER, False)
    at.run()
    assert not at.exception and "for teachers" in page_text(at) and not at.dataframe


def test_the_report_counts_first_attempts_only(db):
    script_class(db)
    with open_store(db) as store:
        report = class_report(store)
    assert [m["name"] for m in report.learners] == ["=Cleo", "Ada", "Bob", "Dan"]
    assert [(i["question_id"], i["item"]) for i in report.hardest(2)] == [(Q2, 2), (Q1, 0)]
    assert {(i["question_id"], i["item"]): i["accuracy"] for i in report.items}[(Q1, 1)] == 0.5
