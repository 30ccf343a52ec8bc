"""Practice in the app: profiles, quiz answers and ratings saved, mock interview, progress page,
and a database that cannot be used (the app must keep working)."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kdlab.practice.bank import load_bank
from kdlab.practice.progress import open_store
from tests.test_app import APP, open_url

QID = "c09-overfitting"
QID_ANSWER_START = load_bank().get(QID, "en").sections["answer"][:40]


@pytest.fixture
def db(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'progress.db'}"
    monkeypatch.setenv("KDLAB_DATABASE_URL", url)
    return url


def start(lang="en", learner: str | None = "Ada") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    if learner:
        at.query_params["learner"] = learner
    return at.run()


def test_the_name_comes_from_the_url_so_it_survives_a_reload(db):
    at = start(learner="Ada")
    assert not at.exception
    assert at.sidebar.text_input(key="learner_name").value == "Ada"


def test_rating_schedules_a_review_and_quiz_answers_are_recorded(db):
    at = open_url(start(), QID)
    item = load_bank().get(QID, "en").quiz[0]
    at.radio(key=f"quiz_{QID}_0").set_value(item.answer).run()
    at.button[0].click().run()  # show the model answer
    at.button_group(key=f"rate_{QID}").set_value("good").run()
    assert not at.exception
    assert any("next review" in s.value.lower() for s in at.success)

    with open_store(db) as store:
        ada = store.learner("Ada")
        kinds = [(row["kind"], row["correct"], row["rating"]) for row in store.history(ada)]
        assert ("quiz", True, None) in kinds
        assert ("review", None, "good") in kinds
        assert store.card(ada, QID) is not None


def test_without_a_name_nothing_is_saved_and_the_page_says_how(db):
    at = open_url(start(learner=None), QID)
    at.button[0].click().run()
    assert not at.exception
    assert any("Type your name" in c.value for c in at.caption)


def test_mock_interview_from_start_to_summary(db):
    at = open_url(start(), "mock-interview")
    at.slider[0].set_value(2)  # number of questions, sent with the form
    at.button[0].click().run()  # start (the form's submit button)
    assert not at.exception
    for _ in range(2):
        at.button[0].click().run()  # show the model answer
        at.button(key="mock_rate_hard").click().run()
        assert not at.exception
    assert any(h.value == "Summary" for h in at.subheader)
    assert at.table and len(at.table[0].value) == 2
    with open_store(db) as store:
        rows = store.history(store.learner("Ada"))
    assert [r["rating"] for r in rows] == ["hard", "hard"] and all(r["mock"] for r in rows)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_progress_page_shows_the_counts_of_a_scripted_history(db, lang):
    from datetime import UTC, datetime, timedelta

    from kdlab.core.i18n import translate

    other = "c01-machine-learning"
    days_ago = datetime.now(UTC) - timedelta(days=2)
    with open_store(db) as store:
        ada, bo = store.learner("Ada"), store.learner("Bo")
        store.record_quiz(ada, QID, 0, True, "en", now=days_ago)
        store.record_quiz(ada, QID, 1, False, "en", now=days_ago)
        store.record_quiz(ada, other, 0, True, "en")
        store.record_self_grade(ada, other, False, "en")  # an open answer judged wrong counts as an answer
        store.rate(ada, QID, "again", "en", now=days_ago)  # "again" comes back within minutes: due by now
        store.rate(ada, other, "easy", "en")  # "easy" today: days away
        store.record_quiz(bo, QID, 0, True, "en")  # another learner's answer is not Ada's
    at = open_url(start(lang), "progress")
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    # By hand: 4 answers (3 quiz items, 1 self-grade), 2 of them right; 2 ratings; 1 card due now.
    assert shown == {
        translate(lang, "progress.answers"): "4",
        translate(lang, "progress.accuracy"): "50%",
        translate(lang, "progress.ratings"): "2",
        translate(lang, "progress.due_now"): "1",
    }
    assert len(at.get("plotly_chart")) >= 2
    assert at.get("download_button")


def test_a_read_only_database_is_reported_where_it_fails(tmp_path, monkeypatch):
    path = tmp_path / "ro.db"
    open_store(f"sqlite:///{path}").close()
    # SQLite's own read-only mode: file permissions would not stop root, who runs CI.
    monkeypatch.setenv("KDLAB_DATABASE_URL", f"sqlite:///file:{path}?mode=ro&uri=true")
    at = open_url(start(), QID)
    assert not at.exception
    assert any("read-only" in w.value for w in at.warning)
    at.button[0].click().run()
    assert not at.exception and any(QID_ANSWER_START in m.value for m in at.markdown)


def test_a_database_that_cannot_be_opened_leaves_the_app_working(tmp_path, monkeypatch):
    missing = Path(tmp_path) / "no" / "such" / "folder" / "progress.db"
    monkeypatch.setenv("KDLAB_DATABASE_URL", f"sqlite:///{missing}")
    at = open_url(start(), QID)
    assert not at.exception
    assert any("Progress is not being saved" in w.value for w in at.sidebar.warning)
    assert at.header[0].value == load_bank().get(QID, "en").title
    at.button[0].click().run()  # the model answer still opens
    assert not at.exception
    home = start()
    assert not home.exception and "KD Lab" in home.title[0].value


def test_mock_ratings_that_fail_to_save_are_said_kept_and_saved_on_retry(db, monkeypatch):
    """Issue 17: with the disk full, three ratings showed no warning and the summary said "saved"."""
    import sqlite3

    from kdlab.practice.progress import Store, StoreUnavailable

    real_rate = Store.rate
    full = {"on": True}

    def rate(self, *args, **kwargs):
        if full["on"]:
            raise StoreUnavailable.from_error(sqlite3.OperationalError("database or disk is full"), "progress.db")
        return real_rate(self, *args, **kwargs)

    monkeypatch.setattr(Store, "rate", rate)
    at = open_url(start(), "mock-interview")
    at.slider[0].set_value(3)
    at.button[0].click().run()
    for n in range(1, 4):
        next(b for b in at.button if b.label == "Show the model answer").click().run()
        at.button(key="mock_rate_good").click().run()
        assert not at.exception
        assert any(f"{n} of your ratings" in w.value for w in at.warning), [w.value for w in at.warning]
    assert any(h.value == "Summary" for h in at.subheader)
    assert not any("Your ratings are saved" in c.value for c in at.caption)
    with open_store(db) as store:
        assert store.history(store.learner("Ada")) == []

    full["on"] = False  # the disk has room again
    next(b for b in at.button if b.label == "Try saving again").click().run()
    assert not at.exception
    assert any("Your ratings are saved" in c.value for c in at.caption)
    with open_store(db) as store:
        rows = store.history(store.learner("Ada"))
    assert [r["rating"] for r in rows] == ["good"] * 3 and all(r["mock"] for r in rows)
