"""kdlab.practice.progress against real databases: a SQLite file always, a PostgreSQL server (tests/pg_server.py)
when its binaries are installed (and always in CI, which sets KDLAB_REQUIRE_POSTGRES=1). Nothing is mocked.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import os
import pwd
import shutil
import socket
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from fsrs import Card, Rating, Scheduler

from kdlab.practice import schema
from kdlab.practice.progress import (
    HISTORY_COLUMNS,
    RATINGS,
    Learner,
    StoreUnavailable,
    clean_name,
    make_engine,
    new_mock_id,
    open_store,
    read_csv,
)
from tests import pg_server

postgres_url = pg_server.postgres_url  # the session's PostgreSQL server (a pytest fixture)
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
BEIJING = timezone(timedelta(hours=8))


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    """An empty database: a new SQLite file, or a new database on the session's PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'progress.db'}"
    pg_server.skip_or_fail()
    return pg_server.fresh_database(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(url):
    with open_store(url) as s:
        yield s


def _count(store, table: sa.Table, *where) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one()


# Schema and migrations


def _columns(engine: sa.Engine) -> dict[str, set[str]]:
    inspector = sa.inspect(engine)
    return {t: {c["name"] for c in inspector.get_columns(t)} for t in inspector.get_table_names()}


def test_schema_is_created_on_first_start_and_matches_the_tables(url):
    with open_store(url) as store:
        # The migration chain builds exactly the tables the queries use.
        assert _columns(store.engine) == {
            t.name: set(t.columns.keys()) for t in schema.metadata.sorted_tables
        }
        with store.engine.connect() as conn:
            assert schema.current_version(conn) == schema.SCHEMA_VERSION
        store.record_quiz(store.learner("Ada"), "c01-what-is-kd", 0, True, "en")
    with open_store(url) as again:  # a second start migrates nothing and keeps the data
        assert len(again.history(again.learner("ada"))) == 1
        with again.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM schema_version")).scalar_one() == 1


def test_migration_from_version_1_keeps_every_row(url):
    engine = make_engine(url)
    with engine.execution_options(kdlab_write=True).begin() as conn:
        assert schema.migrate(conn, target=1) == (0, 1)
    assert "seconds" not in _columns(engine)["attempts"]
    # Rows as version 1 wrote them: the inserts name only version-1 columns.
    card, _ = Scheduler(enable_fuzzing=False).review_card(Card(card_id=7, due=T0), Rating.Good, T0)
    answer = '温度 T, "soft" targets,\nsecond line'
    with engine.begin() as conn:
        conn.execute(sa.insert(schema.learners).values(id=1, key="ada", name="Ada", created_at=T0))
        for row in (
            dict(question_id="c03", kind="self_grade", correct=False, answer=answer, lang="zh", at=T0),
            dict(question_id="c03", kind="review", rating=3, lang="en", at=T0),
        ):
            conn.execute(sa.insert(schema.attempts).values(learner_id=1, **row))
        conn.execute(
            sa.insert(schema.cards).values(
                learner_id=1, question_id="c03", card=card.to_dict(), due=card.due, reviews=1
            )
        )
        conn.execute(
            sa.insert(schema.review_logs).values(
                learner_id=1, question_id="c03", card_id=7, rating=3, review_datetime=T0, review_duration=None
            )
        )
    engine.dispose()

    with open_store(url) as store:
        with store.engine.connect() as conn:
            assert schema.current_version(conn) == schema.SCHEMA_VERSION
        ada = store.learner("ADA")
        assert ada == Learner(1, "Ada")
        old = store.history(ada)
        assert [(r["kind"], r["correct"], r["rating"], r["answer"], r["at"], r["seconds"]) for r in old] == [
            ("self_grade", False, None, answer, T0, None),
            ("review", None, "good", None, T0, None),
        ]
        assert store.schedule(ada) == [("c03", card.due)]
        assert store.card(ada, "c03") == card
        # The old card keeps scheduling, and the new column takes values.
        store.rate(ada, "c03", "good", "en", seconds=4.5, now=card.due)
        assert store.history(ada)[-1]["seconds"] == 4.5
        assert _count(store, schema.review_logs) == 2
        with store.engine.connect() as conn:
            assert conn.execute(sa.select(schema.cards.c.reviews)).scalar_one() == 2


def test_stores_opened_at_once_on_a_new_database_create_it_once(url):
    barrier, outcomes = threading.Barrier(4), []

    def start() -> None:
        barrier.wait(30)
        try:
            open_store(url).close()
            outcomes.append("ok")
        except StoreUnavailable as err:
            outcomes.append(str(err))

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes == ["ok"] * 4
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version FROM schema_version")).scalars().all() == [schema.SCHEMA_VERSION]
    engine.dispose()


def test_a_database_from_a_newer_kdlab_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    open_store(url).close()
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE schema_version SET version = 99"))
    engine.dispose()
    with pytest.raises(StoreUnavailable, match="newer KD Lab") as caught:
        open_store(url)
    assert caught.value.reason == "too_new"


# Learners


def test_names_are_trimmed_bounded_and_printable():
    assert clean_name("  Ada \t Lovelace\n") == "Ada Lovelace"
    assert clean_name("李雷") == "李雷"
    assert clean_name("e\u0301") == "\u00e9"  # NFC: one way to spell é
    for bad in ("", "   ", "x" * 41, "a\x00b", "a\u200bb"):
        with pytest.raises(ValueError):
            clean_name(bad)


def test_profiles_are_created_on_first_use_and_kept_apart(store):
    ada, bob = store.learner(" Ada "), store.learner("Bob")
    assert store.learner("ADA") == ada != bob
    assert store.learners() == ["Ada", "Bob"]
    store.record_quiz(ada, "c01", 0, True, "en", now=T0)
    store.rate(ada, "c01", "again", "en", now=T0)
    store.record_self_grade(bob, "c02", False, "zh", now=T0)
    assert [r["question_id"] for r in store.history(ada)] == ["c01", "c01"]
    assert [r["question_id"] for r in store.history(bob)] == ["c02"]
    assert store.due(bob, now=T0 + timedelta(days=400)) == []
    assert store.stats(bob).ratings == 0
    assert store.card(bob, "c01") is None


def test_bad_input_is_refused_before_touching_the_database(store):
    ada = store.learner("Ada")
    naive = datetime(2025, 1, 1)
    for call in (
        lambda: store.record_quiz(ada, "c01", -1, True, "en"),
        lambda: store.record_quiz(ada, "c01", 0, 1, "en"),
        lambda: store.record_quiz(ada, "", 0, True, "en"),
        lambda: store.record_quiz(ada, "c01", 0, True, ""),
        lambda: store.record_self_grade(ada, "c01", True, "en", answer="x" * (schema.ANSWER_MAX + 1)),
        lambda: store.record_self_grade(ada, "c01", True, "en", seconds=-1.0),
        lambda: store.record_self_grade(ada, "c01", True, "en", now=naive),
        lambda: store.rate(ada, "c01", "Good", "en"),
        lambda: store.due(ada, now=naive),
    ):
        with pytest.raises(ValueError):
            call()
    assert store.history(ada) == []


# Spaced repetition


def test_ratings_schedule_reviews_exactly_as_fsrs_does(url):
    with open_store(url, scheduler=Scheduler(enable_fuzzing=False)) as store:
        ada = store.learner("Ada")
        again = store.rate(ada, "q-again", "again", "en", now=T0)
        easy = store.rate(ada, "q-easy", "easy", "en", now=T0)
        assert T0 < again < easy
        assert again - T0 < timedelta(hours=1) and easy - T0 >= timedelta(days=1)

        # The same reviews straight through fsrs give the same due dates (fuzz off on both sides).
        reference = Scheduler(enable_fuzzing=False)
        card = Card(due=T0)
        now = T0
        for rating in ("good", "good", "hard", "again", "easy"):
            card, _ = reference.review_card(card, Rating[rating.capitalize()], now)
            assert store.rate(ada, "q-ref", rating, "en", now=now) == card.due
            now = card.due + timedelta(minutes=5)
        stored = store.card(ada, "q-ref")
        assert (stored.state, stored.step, stored.stability, stored.difficulty, stored.due) == (
            card.state,
            card.step,
            card.stability,
            card.difficulty,
            card.due,
        )

        assert store.due(ada, now=T0) == []
        assert store.due(ada, now=again) == [("q-again", again)]
        # Most overdue first.
        everything = sorted([("q-again", again), ("q-easy", easy), ("q-ref", card.due)], key=lambda qd: qd[1])
        assert store.due(ada, now=max(easy, card.due)) == everything == store.schedule(ada)


def test_times_in_other_zones_are_stored_as_utc(store):
    ada = store.learner("Ada")
    store.record_quiz(ada, "c01", 0, True, "zh", now=T0.astimezone(BEIJING))
    (row,) = store.history(ada)
    assert row["at"] == T0 and row["at"].tzinfo == UTC


# History, CSV, statistics


def test_csv_export_round_trips_commas_quotes_newlines_and_chinese(store):
    ada = store.learner("Ada")
    answers = [
        "plain",
        'a, b, and "c"',
        "line one\nline two\r\nline three",
        "蒸馏：教师模型的软标签，温度 T 越高越平滑。",
        "=1+1 looks like a formula",
        None,
    ]
    for i, answer in enumerate(answers):
        store.record_self_grade(ada, f"c{i:02d}", i % 2 == 0, "zh", answer=answer, seconds=i * 1.5, now=T0)
    store.rate(ada, "c00", "hard", "en", mock="m1", now=T0 + timedelta(hours=1))

    text = store.export_csv(ada)
    assert text.splitlines()[0] == ",".join(HISTORY_COLUMNS)
    plain = list(csv.DictReader(io.StringIO(text, newline="")))  # any CSV reader sees the same cells,
    # except that text a spreadsheet would run as a formula starts with a quote (issue 17)
    shown = ["'" + a if a and a.startswith("=") else a or "" for a in answers]
    assert [r["answer"] for r in plain] == [*shown, ""]
    assert plain[-1]["rating"] == "hard" and plain[0]["at"] == "2025-03-01T09:00:00+00:00"
    assert read_csv(text) == store.history(ada)
    assert read_csv("\ufeff" + text) == store.history(ada)  # as saved by Excel
    with pytest.raises(ValueError, match="not a KD Lab history"):
        read_csv("a,b\n1,2\n")


def test_stats_count_answers_and_ratings_per_day_and_question(store):
    ada = store.learner("Ada")
    day1, day2 = T0, T0 + timedelta(days=1)
    store.record_quiz(ada, "c01", 0, True, "en", now=day1)
    store.record_quiz(ada, "c01", 1, False, "en", now=day1)
    store.record_self_grade(ada, "c02", True, "en", now=day1)
    store.rate(ada, "c01", "good", "en", now=day1)
    store.record_quiz(ada, "c01", 0, True, "en", now=day2)
    store.rate(ada, "c02", "again", "en", now=day2)
    store.rate(ada, "c02", "again", "en", now=day2 + timedelta(minutes=2))

    stats = store.stats(ada)
    assert stats.days == [
        {"day": day1.date(), "answers": 3, "correct": 2, "again": 0, "hard": 0, "good": 1, "easy": 0},
        {"day": day2.date(), "answers": 1, "correct": 1, "again": 2, "hard": 0, "good": 0, "easy": 0},
    ]
    by_id = {q["question_id"]: q for q in stats.questions}
    assert (by_id["c01"]["answers"], by_id["c01"]["correct"], by_id["c01"]["accuracy"]) == (3, 2, 2 / 3)
    assert (by_id["c02"]["ratings"], by_id["c02"]["last_rating"]) == (2, "again")
    assert by_id["c02"]["due"] == dict(store.schedule(ada))["c02"]
    assert (stats.answers, stats.correct, stats.ratings, stats.accuracy) == (4, 3, 3, 0.75)
    # Days are the learner's days: 23:30 UTC is already tomorrow in Beijing.
    store.record_quiz(ada, "c03", 0, True, "zh", now=day2.replace(hour=23, minute=30))
    assert store.stats(ada, BEIJING).days[-1]["day"] == day2.date() + timedelta(days=1)


def test_mock_summary_lists_ratings_time_and_what_to_review(store):
    ada = store.learner("Ada")
    mock, other = new_mock_id(), new_mock_id()
    for qid, rating, seconds in [
        ("c01", "good", 60.0),
        ("c02", "hard", 90.0),
        ("c03", "again", 30.0),
        ("c04", "easy", 20.0),
    ]:
        store.rate(ada, qid, rating, "en", mock=mock, seconds=seconds, now=T0)
    store.rate(ada, "c05", "again", "en", mock=other, now=T0)
    store.rate(ada, "c06", "again", "en", now=T0)  # a review outside any mock
    summary = store.mock_summary(ada, mock)
    assert [q["question_id"] for q in summary.questions] == ["c01", "c02", "c03", "c04"]
    assert summary.counts == {"again": 1, "hard": 1, "good": 1, "easy": 1}
    assert summary.seconds == 200.0
    assert summary.to_review == ["c03", "c02"]
    assert all(q["due"] == dict(store.schedule(ada))[q["question_id"]] for q in summary.questions)
    assert [r["kind"] for r in store.history(ada)][-2:] == ["mock", "review"]


# Configuration and failures


def test_the_location_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("KDLAB_DB_PATH", str(tmp_path / "mine.db"))
    monkeypatch.delenv("KDLAB_DATABASE_URL", raising=False)
    with open_store() as store:
        assert store.where == str(tmp_path / "mine.db")
    monkeypatch.setenv("KDLAB_DATABASE_URL", f"sqlite:///{tmp_path / 'url.db'}")
    with open_store() as store:
        assert store.where == str(tmp_path / "url.db")
    monkeypatch.delenv("KDLAB_DATABASE_URL")
    monkeypatch.delenv("KDLAB_DB_PATH")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    with open_store() as store:  # the default folder is created on first use
        assert store.where == str(tmp_path / "home" / ".kdlab" / "progress.db")
        store.learner("Ada")


def test_a_missing_folder_is_reported_not_created(tmp_path):
    with pytest.raises(StoreUnavailable, match="cannot be opened") as caught:
        open_store(f"sqlite:///{tmp_path / 'no-such-folder' / 'p.db'}")
    assert caught.value.reason == "cannot_open"
    assert not (tmp_path / "no-such-folder").exists()


def _open_without_privileges(url: str, results) -> None:
    # root may write anything, so drop to `nobody` to see what a normal user sees (modules are
    # imported already; nobody could not read them from root's home).
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.setgid(nobody.pw_gid)
        os.setuid(nobody.pw_uid)
    try:
        with open_store(url) as store:
            store.learner("Ada")
        results.put(("opened", ""))
    except StoreUnavailable as err:
        results.put((err.reason, str(err)))


def _try_unprivileged(url: str) -> tuple[str, str]:
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    child = ctx.Process(target=_open_without_privileges, args=(url, results))
    child.start()
    try:
        return results.get(timeout=30)
    finally:
        child.join(10)


def test_a_read_only_file_is_reported():
    folder = tempfile.mkdtemp(prefix="kdlab-ro-")  # not under pytest's tmp: `nobody` cannot enter that
    try:
        os.chmod(folder, 0o777)
        path = os.path.join(folder, "progress.db")
        with open_store(f"sqlite:///{path}") as store:
            store.record_quiz(store.learner("Ada"), "c01", 0, True, "en")
        os.chmod(path, 0o444)
        reason, message = _try_unprivileged(f"sqlite:///{path}")
        assert reason == "read_only", message
        assert "read-only" in message and path in message
    finally:
        os.chmod(folder, 0o777)
        shutil.rmtree(folder)


def test_a_folder_that_cannot_be_written_is_reported():
    folder = tempfile.mkdtemp(prefix="kdlab-ro-")
    try:
        os.chmod(folder, 0o555)
        reason, message = _try_unprivileged(f"sqlite:///{folder}/progress.db")
        assert reason == "cannot_open", message
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(folder)


def test_a_full_disk_is_reported(tmp_path):
    with open_store(f"sqlite:///{tmp_path / 'p.db'}") as store:
        ada = store.learner("Ada")
        # SQLite's max_page_count stands in for a full disk: same error, same code path.
        with store.engine.connect() as conn:
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()
        sa.event.listen(
            store.engine, "connect", lambda c, _: c.execute(f"PRAGMA max_page_count = {pages + 2}")
        )
        store.engine.dispose()
        with pytest.raises(StoreUnavailable, match=r"disk .* is full") as caught:
            for _ in range(100):
                store.record_self_grade(ada, "c01", True, "en", answer="x" * schema.ANSWER_MAX)
        assert caught.value.reason == "disk_full"


def test_an_unreachable_server_is_reported_quickly():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.perf_counter()
    with pytest.raises(StoreUnavailable, match="server cannot be reached") as caught:
        open_store(f"postgresql+psycopg://kdlab:secret@127.0.0.1:{port}/kdlab")
    assert caught.value.reason == "unreachable"
    assert "secret" not in str(caught.value)
    assert time.perf_counter() - start < 10


def test_a_server_that_stops_under_a_live_store_is_reported():
    pg_server.skip_or_fail()
    with pg_server.running_postgres() as url:
        store = open_store(url)
        ada = store.learner("Ada")
        store.record_quiz(ada, "c01", 0, True, "en")
    # The server is gone now; every call says so instead of hanging or crashing.
    for call in (lambda: store.record_quiz(ada, "c01", 0, True, "en"), lambda: store.due(ada)):
        with pytest.raises(StoreUnavailable) as caught:
            call()
        assert caught.value.reason == "unreachable"
    store.close()


def _postgres_processes(url: str) -> list[int]:
    """The postmaster listening on this URL's port, and its children (the backends)."""
    port = sa.make_url(url).port
    procs = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmd = open(f"/proc/{entry}/cmdline", "rb").read().split(b"\0")  # noqa: SIM115
                ppid = int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[1])  # noqa: SIM115
            except (OSError, IndexError, ValueError):
                continue
            procs[int(entry)] = (cmd, ppid)
    master = [pid for pid, (cmd, _) in procs.items() if b"-p" in cmd and str(port).encode() in cmd]
    return master + [pid for pid, (_, ppid) in procs.items() if ppid in master]


def test_a_frozen_postgres_fails_a_call_within_seconds_instead_of_hanging():
    """Issue 17: a PostgreSQL that stops answering (SIGSTOP: connections stay open) held the session
    that owned the pooled connection for over 100 s. Now every call gives up within seconds."""
    import signal

    pg_server.skip_or_fail()
    with pg_server.running_postgres() as url:
        store = open_store(url)
        ada = store.learner("Ada")
        store.record_quiz(ada, "c01", 0, True, "en")  # the pool now holds an open connection
        frozen = _postgres_processes(url)
        assert frozen, "found the server's processes"
        for pid in frozen:
            os.kill(pid, signal.SIGSTOP)
        try:
            for call in (lambda: store.record_quiz(ada, "c01", 1, True, "en"), lambda: store.due(ada)):
                began = time.monotonic()
                with pytest.raises(StoreUnavailable) as caught:
                    call()
                assert caught.value.reason == "unreachable"
                assert time.monotonic() - began < 10
            began = time.monotonic()
            with pytest.raises(StoreUnavailable):  # a page opening the store afresh: connect_timeout
                open_store(url)
            assert time.monotonic() - began < 10
        finally:
            for pid in frozen:
                os.kill(pid, signal.SIGCONT)
        store.close()


# Concurrency: several processes, each with several threads sharing one store, all at once


PROCESSES, THREADS, ROUNDS = 3, 2, 12


def _write_rounds(store, who: str, barrier, errors: list) -> None:
    try:
        barrier.wait(180)  # spawned interpreters take a while to import on a busy machine
        crowd = store.learner("Crowd")  # everyone creates the same learner at the same moment
        for i in range(ROUNDS):
            qid = f"q{i % 3}"
            store.record_quiz(crowd, qid, i, i % 2 == 0, "en", answer=f"{who}/{i}")
            store.rate(crowd, qid, RATINGS[i % 4], "en", mock=who, answer=f"{who}/{i}")
    except BaseException as err:
        errors.append(f"{who}: {err!r}")


def _writer_threads(url: str, name: str, barrier) -> list[str]:
    errors: list[str] = []
    with open_store(url) as store:
        threads = [
            threading.Thread(target=_write_rounds, args=(store, f"{name}t{t}", barrier, errors))
            for t in range(THREADS)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return errors


def _writer_process(url: str, name: str, barrier) -> None:
    errors = _writer_threads(url, name, barrier)
    if errors:
        raise SystemExit("\n".join(errors))


def test_concurrent_threads_and_processes_lose_no_write(url):
    ctx = multiprocessing.get_context("spawn")  # fresh interpreters: no inherited connections or locks
    barrier = ctx.Barrier((PROCESSES + 1) * THREADS)
    children = [ctx.Process(target=_writer_process, args=(url, f"p{p}", barrier)) for p in range(PROCESSES)]
    for child in children:
        child.start()
    errors = _writer_threads(url, "main", barrier)
    for child in children:
        child.join(300)
    assert errors == [] and [c.exitcode for c in children] == [0] * PROCESSES

    writers = [f"{p}t{t}" for p in [*(f"p{i}" for i in range(PROCESSES)), "main"] for t in range(THREADS)]
    with open_store(url) as store:
        assert store.learners() == ["Crowd"]
        crowd = store.learner("crowd")
        history = store.history(crowd)
        assert len(history) == 2 * ROUNDS * len(writers)
        expected = {(kind, f"{w}/{i}") for w in writers for i in range(ROUNDS) for kind in ("quiz", "mock")}
        assert {(r["kind"], r["answer"]) for r in history} == expected
        assert _count(store, schema.review_logs) == ROUNDS * len(writers)
        # Each card counted every rating: no two writers updated it from the same old state.
        with store.engine.connect() as conn:
            reviews = dict(conn.execute(sa.select(schema.cards.c.question_id, schema.cards.c.reviews)).all())
        assert reviews == {f"q{k}": ROUNDS // 3 * len(writers) for k in range(3)}
        assert all(len(store.mock_summary(crowd, w).questions) == ROUNDS for w in writers)


@pytest.mark.parametrize("how", ["deleted", "replaced"])
def test_a_sqlite_file_deleted_or_replaced_under_a_running_store_is_never_written_silently(tmp_path, how):
    """Issue 17: `rm progress.db*` under a running server; every rating still 'succeeded' (pooled
    connections wrote to the unlinked file) and all of it was gone at the next start."""
    path = tmp_path / "progress.db"
    running = open_store(f"sqlite:///{path}")
    ada = running.learner("Ada")
    running.rate(ada, "c03", "good", "en")  # the pool now holds an open connection to the file
    if how == "deleted":
        for leftover in tmp_path.glob("progress.db*"):
            leftover.unlink()
    else:  # a backup restored by swapping the file, the wrong way (docs/deploy.md)
        backup = tmp_path / "backup.db"
        open_store(f"sqlite:///{backup}").close()
        for leftover in tmp_path.glob("progress.db*"):
            leftover.unlink()
        shutil.move(backup, path)
    with pytest.raises(StoreUnavailable) as caught:
        running.rate(ada, "c03", "again", "en")
    assert caught.value.reason == "replaced"
    running.close()
    # The next open (what a page does after the failure) uses the file that is there now, and keeps it.
    with open_store(f"sqlite:///{path}") as reopened:
        reopened.rate(reopened.learner("Ada"), "c03", "hard", "en")
    with open_store(f"sqlite:///{path}") as later:
        assert [r["rating"] for r in later.history(later.learner("Ada"))] == ["hard"]
