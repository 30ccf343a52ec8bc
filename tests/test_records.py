"""Records that mean what they say (issue 15): one quiz answer per item, attempt and visit; options
in each learner's own deterministic order, recorded as the bank's index; one self-rating per
visit that a second click changes (rescheduled from the card before it); the interval explained;
version-3 databases migrated. Through the page (AppTest) and the store, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from fsrs import Card, Rating, Scheduler, State

from kdlab.practice import schema
from kdlab.practice.bank import load_bank
from kdlab.practice.progress import Learner, make_engine, new_visit_id, open_store, option_order
from tests import pg_server
from tests.test_app import open_url
from tests.test_practice_pages import start

postgres_url = pg_server.postgres_url  # the session's PostgreSQL server (a pytest fixture)

BANK = load_bank()
QID = "c02-deep-learning"  # a quiz and no live experiment (faster, and none of the demos in progress)
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'progress.db'}"
    pg_server.skip_or_fail()
    return pg_server.fresh_database(request.getfixturevalue("postgres_url"))


@pytest.fixture
def db(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'progress.db'}"
    monkeypatch.setenv("KDLAB_DATABASE_URL", url)
    return url


def rows(url: str, table: sa.Table, *where) -> list[dict]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.select(table).where(*where).order_by(table.c[0]))]
    finally:
        engine.dispose()


def same_schedule(a: Card, b: Card) -> bool:
    return (a.state, a.step, a.stability, a.difficulty, a.due) == (b.state, b.step, b.stability, b.difficulty, b.due)


# The quiz


def test_clicking_through_every_option_of_an_item_records_one_answer_and_try_again_a_second(db):
    item = BANK.get(QID, "en").quiz[0]
    at = open_url(start(), QID)
    shown = at.radio(key=f"quiz_{QID}_0").options
    first = item.options.index(shown[0])  # the first option on screen, as the bank numbers it
    for text in shown:  # every option in turn, as a learner clicking through
        at.radio(key=f"quiz_{QID}_0").set_value(item.options.index(text)).run()
        assert not at.exception
    quiz = rows(db, schema.attempts, schema.attempts.c.kind == "quiz")
    assert len(quiz) == 1
    assert any("Changing it shows feedback only" in c.value for c in at.caption)
    assert (quiz[0]["item"], quiz[0]["choice"], quiz[0]["attempt"]) == (0, first, 1)
    assert quiz[0]["correct"] == (first == item.answer)

    at.button(key=f"retry_{QID}").click().run()  # a new attempt, visible as such
    assert at.radio(key=f"quiz_{QID}_0").value is None
    assert any("Attempt 2" in c.value for c in at.caption)
    at.radio(key=f"quiz_{QID}_0").set_value(item.answer).run()
    at.radio(key=f"quiz_{QID}_0").set_value(first).run()
    quiz = rows(db, schema.attempts, schema.attempts.c.kind == "quiz")
    assert [(r["attempt"], r["choice"], r["correct"]) for r in quiz] == [
        (1, first, first == item.answer),
        (2, item.answer, True),
    ]
    assert quiz[0]["visit"] == quiz[1]["visit"]  # one visit, two attempts


def test_the_store_records_one_answer_per_visit_attempt_and_item(any_url):
    with open_store(any_url) as store:
        ada = store.learner("Ada")
        visit = new_visit_id()
        assert store.record_quiz(ada, QID, 0, False, "en", choice=1, attempt=1, visit=visit)
        assert not store.record_quiz(ada, QID, 0, True, "en", choice=2, attempt=1, visit=visit)
        assert store.record_quiz(ada, QID, 1, True, "en", choice=0, attempt=1, visit=visit)
        assert store.record_quiz(ada, QID, 0, True, "en", choice=2, attempt=2, visit=visit)
        assert store.record_quiz(ada, QID, 0, True, "en", choice=2, attempt=1, visit=new_visit_id())
        got = [(r["item"], r["choice"], r["attempt"], r["correct"]) for r in store.history(ada)]
        assert got == [(0, 1, 1, False), (1, 0, 1, True), (0, 2, 2, True), (0, 2, 1, True)]
        with pytest.raises(ValueError):
            store.record_quiz(ada, QID, 0, True, "en", attempt=0)


# Option order


def test_options_are_shuffled_per_learner_and_item_and_kept_on_reload(db):
    def orders(name: str) -> list[list[str]]:
        at = open_url(start(learner=name), QID)
        assert not at.exception
        return [at.radio(key=f"quiz_{QID}_{i}").options for i in range(len(BANK.get(QID, "en").quiz))]

    ada = orders("Ada")
    assert orders("Ada") == ada  # a reload: a fresh session, the same order
    bob = orders("Bob")
    for i, item in enumerate(BANK.get(QID, "en").quiz):
        assert sorted(ada[i]) == sorted(bob[i]) == sorted(item.options)
    assert ada != bob  # some item differs between the two learners

    # The library: deterministic, a permutation, and different learners differ somewhere.
    a, b = Learner(1, "Ada"), Learner(2, "Bob")
    assert option_order(a, QID, 0, 4) == option_order(Learner(1, "ada"), QID, 0, 4)
    assert sorted(option_order(a, QID, 0, 5)) == list(range(5))
    assert any(option_order(a, q, i, 4) != option_order(b, q, i, 4) for q in ("c01", "c02") for i in range(3))


# The rating


def test_good_three_times_then_again_is_one_again_review(db):
    at = open_url(start(), QID)
    for rating in ("good", "good", "good", "again"):
        at.button_group(key=f"rate_{QID}").set_value(rating).run()
        assert not at.exception
        assert at.button_group(key=f"rate_{QID}").value == rating  # shown as selected
    at.button_group(key=f"rate_{QID}").set_value(None).run()  # the selected one clicked again
    assert not at.exception and at.button_group(key=f"rate_{QID}").value == "again"

    ratings = rows(db, schema.attempts, schema.attempts.c.rating.is_not(None))
    assert [(r["kind"], r["rating"]) for r in ratings] == [("review", int(Rating.Again))]
    logs = rows(db, schema.review_logs)
    assert [r["rating"] for r in logs] == [int(Rating.Again)]
    (card_row,) = rows(db, schema.cards)
    assert card_row["reviews"] == 1
    # Scheduled as one Again on a new card, at the time of the (changed) review.
    before = Card.from_dict(card_row["before"])
    assert before.state == State.Learning and before.step == 0 and before.stability is None
    single, _ = Scheduler().review_card(before, Rating.Again, logs[0]["review_datetime"])
    assert same_schedule(Card.from_dict(card_row["card"]), single)


def test_a_changed_rating_is_rescheduled_from_the_card_before_it(any_url):
    sched = Scheduler(enable_fuzzing=False)
    with open_store(any_url, scheduler=sched) as store:
        ada = store.learner("Ada")
        store.rate(ada, QID, "good", "en", now=T0)  # an earlier visit
        base = store.card(ada, QID)
        visit = new_visit_id()
        later = base.due + timedelta(minutes=1)
        for n, rating in enumerate(("easy", "hard", "good", "again")):
            store.rate(ada, QID, rating, "en", visit=visit, now=later + timedelta(seconds=n))
        expected, _ = sched.review_card(base, Rating.Again, later + timedelta(seconds=3))
        assert same_schedule(store.card(ada, QID), expected)
        assert [r["rating"] for r in store.history(ada)] == ["good", "again"]
        with store.engine.connect() as conn:
            assert conn.execute(sa.select(schema.cards.c.reviews)).scalar_one() == 2
            logs = conn.execute(sa.select(schema.review_logs.c.rating).order_by(schema.review_logs.c.id)).scalars()
            assert list(logs) == [3, 1]
        # preview(): what each rating would give, from the card before this visit's rating
        assert same_schedule(store.preview(ada, QID, visit=visit, now=later)["hard"],
                             sched.review_card(base, Rating.Hard, later)[0])  # fmt: skip
        # A mock interview is never "the same visit": it adds a review.
        store.rate(ada, QID, "hard", "en", mock="m1", now=later + timedelta(minutes=5))
        store.rate(ada, QID, "good", "en", visit=visit, now=later + timedelta(minutes=6))
        assert [r["rating"] for r in store.history(ada)] == ["good", "again", "hard", "good"]


@pytest.mark.parametrize(
    "lang, words", [("en", "Good: next review in 10 min, because new cards go through short learning steps first (1 min, 10 min); after that, days."),
                    ("zh", "良好：10 分钟后复习。新题目要先走几个短的学习步骤（1 分钟, 10 分钟），之后才按天安排复习。")],
)  # fmt: skip
def test_the_next_interval_is_explained_in_words(db, lang, words):
    at = open_url(start(lang=lang), QID)
    at.button_group(key=f"rate_{QID}").set_value("good").run()
    assert not at.exception
    assert words in [s.value for s in at.success]


def test_the_rating_comes_after_the_quiz(db):
    at = open_url(start(), QID)
    order: list[str] = []

    def walk(node) -> None:
        key = getattr(node, "key", None) or ""
        if key.startswith(("quiz_", "rate_")):
            order.append(key)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    assert order and order[-1] == f"rate_{QID}" and order[0].startswith("quiz_")


# Migration


def test_a_version_3_database_migrates_keeping_every_row(any_url):
    engine = make_engine(any_url)
    with engine.execution_options(kdlab_write=True).begin() as conn:
        assert schema.migrate(conn, target=3) == (0, 3)
    card, _ = Scheduler(enable_fuzzing=False).review_card(Card(card_id=7, due=T0), Rating.Good, T0)
    # Rows as version 3 wrote them: the inserts name only version-3 columns.
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO learners (id, key, name, created_at, teacher) VALUES (1, 'ada', 'Ada', :t, :f)"),
                     {"t": T0.replace(tzinfo=None), "f": False})  # fmt: skip
        conn.execute(
            sa.text("INSERT INTO attempts (learner_id, question_id, kind, item, correct, lang, at) "
                    "VALUES (1, :q, 'quiz', 0, :c, 'en', :t)"), {"q": QID, "c": True, "t": T0.replace(tzinfo=None)}
        )  # fmt: skip
        conn.execute(sa.insert(sa.table("cards", sa.column("learner_id"), sa.column("question_id"),
                                        sa.column("card", sa.JSON), sa.column("due", schema.UTCDateTime),
                                        sa.column("reviews"))),
                     dict(learner_id=1, question_id=QID, card=card.to_dict(), due=card.due, reviews=1))  # fmt: skip
    engine.dispose()

    with open_store(any_url, scheduler=Scheduler(enable_fuzzing=False)) as store:
        with store.engine.connect() as conn:
            assert schema.current_version(conn) == schema.SCHEMA_VERSION == 4
        columns = {c["name"] for c in sa.inspect(store.engine).get_columns("attempts")}
        assert {"choice", "attempt", "visit"} <= columns
        ada = store.learner("ada")
        (old,) = store.history(ada)
        assert (old["kind"], old["correct"], old["choice"], old["attempt"]) == ("quiz", True, None, None)
        assert store.card(ada, QID) == card
        # The old card keeps scheduling; the new columns take values.
        visit = new_visit_id()
        store.rate(ada, QID, "good", "en", visit=visit, now=card.due)
        store.rate(ada, QID, "hard", "en", visit=visit, now=card.due)
        expected, _ = store.scheduler.review_card(card, Rating.Hard, card.due)
        assert same_schedule(store.card(ada, QID), expected)
        assert store.record_quiz(ada, QID, 0, False, "en", choice=3, attempt=1, visit=visit)
        assert [r["rating"] for r in store.history(ada)] == [None, "hard", None]
