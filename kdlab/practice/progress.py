"""Practice progress: learners, their attempts and FSRS review schedules, in any SQLAlchemy database.

    from kdlab.practice.progress import StoreUnavailable, new_mock_id, open_store

    store = open_store()          # $KDLAB_DATABASE_URL, else SQLite at $KDLAB_DB_PATH or ~/.kdlab/progress.db
    ada = store.learner(" Ada ")  # created on first use; trimmed; "ADA" is the same learner
    store.record_quiz(ada, "c03-kd", item=0, correct=True, lang="en", choice=2, attempt=1, visit=v)
    order = option_order(ada, "c03-kd", 0, 4)  # this learner's order of the item's 4 options
    store.record_self_grade(ada, "c03-kd", correct=False, lang="zh", answer="温度越高……")
    mock = new_mock_id()
    store.rate(ada, "c03-kd", "good", lang="en", mock=mock, seconds=84.0)  # -> next review (UTC)
    store.rate(ada, "c03-kd", "again", lang="en", visit=v)  # a second rating in visit v replaces the first
    store.preview(ada, "c03-kd", visit=v)  # {rating: the card each rating would give}
    store.due(ada)                # [(question_id, due)] due now, most overdue first
    store.schedule(ada)           # [(question_id, due)] every scheduled question, soonest first
    store.history(ada)            # [{column: value}] every attempt, oldest first; keys HISTORY_COLUMNS
    store.export_csv(ada)         # the history as CSV text; read_csv() turns it back into rows
    store.stats(ada, tz)          # Stats: answers and ratings per day, accuracy per question
    store.mock_summary(ada, mock) # MockSummary: ratings, time taken, what to review
    store.learners()              # every learner's name, for a profile picker

An attempt's kind is "quiz" (a multiple-choice item), "self_grade" (an open answer the learner
checked against the key points), "mock" (a rating inside a mock interview) or "review" (a rating
outside one) or "exercise" (code submitted to a coding exercise, `correct` if it passed every
test; kdlab.practice.exercises). A visit (`new_visit_id()`, one per opening of a question's page) groups what the
learner did there: a quiz item's answers are recorded once per visit and attempt (a page starts a
new attempt with "Try again"), and a second rating in the same visit changes the first (the card
is rescheduled from its state before it) instead of adding one. A rating is "again" | "hard" | "good" | "easy"; it schedules the question's next
review with the `fsrs` package's Scheduler. Times are timezone-aware and come back in UTC; every
recording call takes `now=` to backdate it.

Bad input raises ValueError. A database that cannot be opened or written (read-only, missing
folder, full disk, server down, ...) raises StoreUnavailable: its message is for people, its
`reason` for code, so a page can say so and carry on without progress tracking.

One Store is safe to share between threads; any number of processes may open the same database.
On SQLite, writers take the write lock at BEGIN (and wait up to BUSY_TIMEOUT_S for it); on
PostgreSQL, a rating locks its card row. Either way no concurrent write is lost.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import math
import os
import random
import sqlite3
import time
import unicodedata
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa
from fsrs import Card, Rating, Scheduler, State

from kdlab.practice.schema import (
    ANSWER_MAX,
    NAME_MAX,
    QID_MAX,
    SchemaTooNew,
    attempts,
    cards,
    learners,
    migrate,
    review_logs,
)

ENV_URL = "KDLAB_DATABASE_URL"
ENV_PATH = "KDLAB_DB_PATH"
DEFAULT_PATH = Path("~/.kdlab/progress.db")
BUSY_TIMEOUT_S = 5  # how long a SQLite writer waits for another one to finish (then: "busy", not saved)
BUSY_RETRY_S = 0.2  # the wait of a write soon after one timed out (the lock is probably still held)
CONNECT_TIMEOUT_S = 5  # how long to wait for a database server before giving up
ANSWER_TIMEOUT_S = 8  # how long a call waits for a database server that accepted it

KINDS = ("quiz", "self_grade", "mock", "review", "exercise")
RATINGS = ("again", "hard", "good", "easy")  # fsrs.Rating 1..4
HISTORY_COLUMNS = (
    "at",
    "question_id",
    "kind",
    "item",
    "choice",
    "attempt",
    "correct",
    "rating",
    "seconds",
    "lang",
    "mock",
    "answer",
)

_REASONS = {
    "read_only": "the progress database is read-only",
    "cannot_open": "the progress database cannot be opened; does its folder exist, and may KD Lab write there?",
    "disk_full": "the disk holding the progress database is full",
    "unreachable": "the database server cannot be reached",
    "busy": "the progress database stayed locked by other writers for too long",
    "too_new": "the progress database was written by a newer KD Lab",
    "replaced": "the progress database file was deleted or replaced while KD Lab was running",
    "failed": "the progress database reported an error",
}
# Driver messages (lower case) -> reason; the first match wins.
_SIGNS = (
    ("replaced", ("was deleted or replaced",)),
    ("read_only", ("readonly", "read-only", "permission denied for")),
    ("disk_full", ("disk is full", "no space left", "disk full")),
    ("busy", ("database is locked", "queuepool limit")),
    ("cannot_open", ("unable to open database", "permission denied", "no such file", "not a directory")),
    (
        "unreachable",
        (
            "connection refused",
            "could not connect",
            "connection failed",
            "timeout expired",
            "server closed the connection",
            "terminating connection",
            "connection is closed",
            "could not translate host",
            "name or service not known",
        ),
    ),
)
_DB_ERRORS = (sa.exc.DBAPIError, sa.exc.TimeoutError, sqlite3.Error, OSError)


class StoreUnavailable(Exception):
    """The progress database cannot be opened or written; `reason` is one of _REASONS' keys."""

    def __init__(self, reason: str, where: str, detail: str = ""):
        self.reason, self.where, self.detail = reason, where, detail
        context = f"{where}: {detail}" if detail else where
        super().__init__(f"Progress tracking is unavailable: {_REASONS[reason]} [{context}]")

    @classmethod
    def from_error(cls, err: BaseException, where: str) -> StoreUnavailable:
        # SQLAlchemy's message repeats the SQL; the driver's first line is what a person needs.
        source = getattr(err, "orig", None) or err
        lines = str(source).strip().splitlines()
        detail = lines[0] if lines else type(source).__name__
        text = f"{err} {source}".lower()
        reason = next((r for r, signs in _SIGNS if any(s in text for s in signs)), "failed")
        return cls(reason, where, detail)


@dataclass(frozen=True)
class Learner:
    """A learner. `id` is None for a name no record has been written under yet: reading one finds
    nothing, and the first write creates the row (so opening a link creates nobody)."""

    id: int | None
    name: str


@dataclass(frozen=True)
class Stats:
    """A learner's progress, in rows ready for a DataFrame or a Plotly figure."""

    days: list[dict]  # day (date), answers, correct, again, hard, good, easy; oldest first
    questions: list[dict]  # question_id, answers, correct, accuracy, ratings, last_rating, due
    answers: int  # quiz and self-graded answers
    correct: int
    ratings: int

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.answers if self.answers else None


@dataclass(frozen=True)
class MockSummary:
    mock: str
    questions: list[dict]  # question_id, rating, seconds, due; in the order asked
    counts: dict[str, int]  # rating -> how many questions got it
    seconds: float  # total time measured
    to_review: list[str]  # rated again or hard, hardest first


def new_mock_id() -> str:
    return uuid.uuid4().hex


def new_visit_id() -> str:
    return uuid.uuid4().hex


def option_order(who: Learner | str | None, qid: str, item: int, n: int) -> list[int]:
    """The order in which this learner sees a quiz item's n options (original indices).

    Deterministic: a hash of the learner (id and name), the question and the item, so a reload
    keeps the order and every learner has their own. Nobody known: the bank's order shuffled once.
    """
    if isinstance(who, Learner):
        who = f"{who.id}:{who.name.casefold()}"
    seed = hashlib.sha256(f"{who or ''}\x1f{qid}\x1f{item}".encode()).digest()
    order = list(range(n))
    random.Random(int.from_bytes(seed[:8], "big")).shuffle(order)
    return order


def review_reason(card: Card) -> str:
    """Why a card is due when it is: "learning" (a new card's short steps), "relearning" (a
    forgotten card's short steps) or "review" (intervals of days that grow with each success)."""
    return {State.Learning: "learning", State.Relearning: "relearning"}.get(card.state, "review")


_JOINERS = "\u200c\u200d"


def clean_name(name: str) -> str:
    """A learner's name as stored: NFC, whitespace collapsed; ValueError if unusable."""
    name = " ".join(unicodedata.normalize("NFC", name).split())
    if not name:
        raise ValueError("a learner name cannot be empty")
    if len(name) > NAME_MAX:
        raise ValueError(f"a learner name has at most {NAME_MAX} characters")
    # Zero-width joiner and non-joiner are letters' glue (emoji sequences, Persian, Indic scripts).
    if not all(ch.isprintable() or ch in _JOINERS for ch in name):
        raise ValueError("a learner name cannot contain control characters")
    return name


def database_url() -> str:
    """Where progress lives: $KDLAB_DATABASE_URL, else the SQLite file $KDLAB_DB_PATH or DEFAULT_PATH."""
    if os.environ.get(ENV_URL):
        return os.environ[ENV_URL]
    path = Path(os.environ.get(ENV_PATH) or DEFAULT_PATH).expanduser().absolute()
    return f"sqlite:///{path}"


def make_engine(url: str) -> sa.Engine:
    """A SQLAlchemy engine set up for the store (SQLite: WAL, busy timeout, locking writers)."""
    u = sa.make_url(url)
    if u.get_backend_name() == "sqlite":
        engine = sa.create_engine(u, connect_args={"timeout": BUSY_TIMEOUT_S})
        sa.event.listen(engine, "connect", _sqlite_connect)
        sa.event.listen(engine, "begin", _sqlite_begin)
        if (path := _sqlite_file(u)) is not None:
            sa.event.listen(engine, "begin", _SameFile(path), insert=True)
        return engine
    connect_args = {}
    if u.get_backend_name() == "postgresql":
        # keepalives: a connection whose server vanished from the network errors within ~15 s;
        # statement_timeout: a query the server runs but cannot finish (a lock) is cancelled.
        connect_args = {"connect_timeout": CONNECT_TIMEOUT_S, "keepalives": 1, "keepalives_idle": 5,
                        "keepalives_interval": 2, "keepalives_count": 3, "tcp_user_timeout": 15_000,
                        "options": f"-c statement_timeout={ANSWER_TIMEOUT_S * 1000}"}  # fmt: skip
    # pre_ping: a pooled connection from before a server restart is replaced instead of failing.
    return sa.create_engine(u, pool_pre_ping=True, connect_args=connect_args)


def _sqlite_file(u: sa.URL) -> Path | None:
    """The file behind a SQLite URL (plain path or file: URI), None for an in-memory database."""
    db = u.database or ""
    if db.startswith("file:"):
        db = db[len("file:") :].split("?", 1)[0]
    return None if db in ("", ":memory:") else Path(db).absolute()


class _SameFile:
    """Refuse to BEGIN once the SQLite file is deleted or replaced under a running server.

    Pooled connections keep the old file open: without this check they would go on writing to a
    deleted file (every write "succeeds", and all of it is gone at the next start) or to the file
    a backup restore swapped out. The file's identity is taken at the first transaction.
    """

    def __init__(self, path: Path):
        self.path, self.identity = path, None

    def __call__(self, conn: sa.Connection) -> None:
        try:
            st = os.stat(self.path)
            identity = (st.st_dev, st.st_ino)
        except FileNotFoundError:
            identity = None
        if self.identity is None and identity is not None:
            self.identity = identity
        elif identity != self.identity:
            raise sqlite3.OperationalError(f"{self.path} was deleted or replaced while the server was running")


def _sqlite_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    dbapi_conn.isolation_level = None  # sqlite3 must not BEGIN on its own: _sqlite_begin does
    dbapi_conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
    # WAL: readers never block the writer; NORMAL sync is safe from corruption in WAL mode.
    # Switching a new file to WAL takes an exclusive lock that the busy handler does not wait for:
    # several connections opening a brand-new database at once get "database is locked". Retry.
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            dbapi_conn.execute("PRAGMA journal_mode = WAL")
            break
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
    dbapi_conn.execute("PRAGMA synchronous = NORMAL")
    dbapi_conn.execute("PRAGMA foreign_keys = ON")


def _sqlite_begin(conn: sa.Connection) -> None:
    # A deferred transaction that reads and then writes fails at once ("database is locked") if
    # another writer committed in between; taking the write lock at BEGIN makes it wait its turn.
    options = conn.get_execution_options()
    write = options.get("kdlab_write", False)
    if write:  # the lock wait: the full one, or a short one just after a write timed out
        busy = options.get("kdlab_busy")
        brief = busy is not None and time.monotonic() < busy.until
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {int((BUSY_RETRY_S if brief else BUSY_TIMEOUT_S) * 1000)}")
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _where(url: str | sa.URL) -> str:
    """The database as shown to people: a file path, or the URL without its password."""
    u = sa.make_url(url)
    if u.get_backend_name() == "sqlite":
        return u.database or ":memory:"
    return u.render_as_string(hide_password=True)


def open_store(url: str | None = None, *, scheduler: Scheduler | None = None) -> Store:
    """Open (creating or upgrading the schema) the store at `url`, default database_url()."""
    default = url is None and not os.environ.get(ENV_URL) and not os.environ.get(ENV_PATH)
    url = url or database_url()
    where = _where(url)
    engine = None
    try:
        if default:
            Path(where).parent.mkdir(parents=True, exist_ok=True)  # ~/.kdlab on first use
        engine = make_engine(url)
        with engine.execution_options(kdlab_write=True).begin() as conn:
            migrate(conn)
    except SchemaTooNew as err:
        engine.dispose()  # migrate() raised it, so the engine exists
        raise StoreUnavailable("too_new", where, str(err)) from err
    except _DB_ERRORS as err:
        if engine is not None:
            engine.dispose()
        raise StoreUnavailable.from_error(err, where) from err
    return Store(engine, scheduler)


def _guarded(method=None, *, writes: bool = False):
    """Turn any database failure inside a Store method into StoreUnavailable.

    A write that found the database locked for BUSY_TIMEOUT_S (another process holding SQLite's
    write lock: a backup, a long migration) marks the store busy for as long again: writes in
    that window wait only BUSY_RETRY_S (_sqlite_begin), so a page that writes twice (an answer,
    then a rating) is not stalled twice, and the first write after the lock is gone succeeds.
    Reads are not held up (WAL)."""
    if method is None:
        return functools.partial(_guarded, writes=writes)

    @functools.wraps(method)
    def wrapper(self: Store, *args, **kwargs):
        try:
            return answer_within(self.engine, self.where, lambda: method(self, *args, **kwargs))
        except StoreUnavailable as err:
            if writes and err.reason == "busy":
                self._busy.until = time.monotonic() + BUSY_TIMEOUT_S
            raise

    return wrapper


_WAITERS = ThreadPoolExecutor(max_workers=16, thread_name_prefix="kdlab-db")


def answer_within(engine: sa.Engine, where: str, call):
    """call(), any database failure turned into StoreUnavailable; on a database server, also one
    that gives no answer within ANSWER_TIMEOUT_S. A frozen PostgreSQL (connection open, nothing
    answered) held a learner's page for good: TCP keepalives are answered by its kernel and its
    statement_timeout never runs. The call goes on in a worker (at most 16 stuck at once) and
    finishes if the server wakes up; the page goes on without progress tracking."""
    # SQLite is a local file: its lock wait is already bounded by BUSY_TIMEOUT_S.
    future = None if engine.dialect.name == "sqlite" else _WAITERS.submit(call)
    try:
        if future is None:
            return call()
        return future.result(timeout=ANSWER_TIMEOUT_S)
    except FutureTimeout:
        raise StoreUnavailable("unreachable", where, f"no answer within {ANSWER_TIMEOUT_S} s") from None
    except _DB_ERRORS as err:
        raise StoreUnavailable.from_error(err, where) from err


class Store:
    """Progress for every learner in one database. Create it with open_store()."""

    def __init__(self, engine: sa.Engine, scheduler: Scheduler | None = None):
        self.engine = engine
        self.where = _where(engine.url)
        self.scheduler = scheduler or Scheduler()
        self._busy = SimpleNamespace(until=0.0)  # writes wait briefly until then (see _guarded)
        self._writer = engine.execution_options(kdlab_write=True, kdlab_busy=self._busy)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Learners

    @_guarded
    def learner(self, name: str, *, create: bool = True) -> Learner:
        """The learner called `name` (any case), created on first use; with create=False a learner
        not in the database yet comes back unsaved (id None) and the first record creates it."""
        name = clean_name(name)
        key = name.casefold()
        query = sa.select(learners.c.id, learners.c.name).where(learners.c.key == key)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None and not create:
            return Learner(None, name)
        if row is None:
            with self._writer.begin() as conn:
                try:
                    with conn.begin_nested():
                        conn.execute(sa.insert(learners).values(key=key, name=name, created_at=_utc(None)))
                except sa.exc.IntegrityError:
                    pass  # someone else created this learner a moment ago
                row = conn.execute(query).one()
        return Learner(row.id, row.name)

    def _saved(self, learner: Learner) -> Learner:
        """The learner with a database row: an unsaved one gets it now, at its first record."""
        return learner if learner.id is not None else self.learner(learner.name)

    @_guarded
    def learners(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(sa.select(learners.c.name).order_by(learners.c.key)).scalars())

    # Recording

    @_guarded(writes=True)
    def record_quiz(
        self,
        learner: Learner,
        qid: str,
        item: int,
        correct: bool,
        lang: str,
        *,
        answer: str | None = None,
        seconds: float | None = None,
        choice: int | None = None,
        attempt: int | None = None,
        visit: str | None = None,
        now: datetime | None = None,
    ) -> bool:
        """A multiple-choice quiz item (its index in the question's quiz) answered right or wrong.

        `choice` is the option chosen as the bank numbers them. With a `visit` and an `attempt`,
        only the first answer of that attempt is recorded: returns False (nothing written) for
        any later one, so repeated clicks cannot inflate the record."""
        for name, value, low in (("quiz item", item, 0), ("choice", choice, 0), ("attempt", attempt, 1)):
            if value is None and name != "quiz item":
                continue
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value < 2**15:
                raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
        learner = self._saved(learner)
        row = _attempt(
            learner, qid, "quiz", lang, now, item=item, correct=correct, answer=answer, seconds=seconds,
            choice=choice, attempt=attempt, visit=_visit(visit),
        )  # fmt: skip
        with self._writer.begin() as conn:
            if visit is not None and attempt is not None:
                earlier = sa.select(attempts.c.id).where(
                    attempts.c.learner_id == learner.id,
                    attempts.c.question_id == qid,
                    attempts.c.kind == "quiz",
                    attempts.c.item == item,
                    attempts.c.visit == visit,
                    attempts.c.attempt == attempt,
                )
                if conn.execute(earlier).first() is not None:
                    return False
            conn.execute(sa.insert(attempts).values(row))
        return True

    @_guarded(writes=True)
    def record_self_grade(
        self,
        learner: Learner,
        qid: str,
        correct: bool,
        lang: str,
        *,
        answer: str | None = None,
        seconds: float | None = None,
        visit: str | None = None,
        now: datetime | None = None,
    ) -> None:
        """An open answer the learner judged against the key points (once per visit: a later call
        in the same visit updates it)."""
        learner = self._saved(learner)
        row = _attempt(
            learner, qid, "self_grade", lang, now, correct=correct, answer=answer, seconds=seconds,
            visit=_visit(visit),
        )  # fmt: skip
        with self._writer.begin() as conn:
            if visit is not None:
                same = (
                    (attempts.c.learner_id == learner.id)
                    & (attempts.c.question_id == qid)
                    & (attempts.c.kind == "self_grade")
                    & (attempts.c.visit == visit)
                )
                if conn.execute(sa.update(attempts).where(same).values(row)).rowcount:
                    return
            conn.execute(sa.insert(attempts).values(row))

    @_guarded(writes=True)
    def record_exercise(
        self,
        learner: Learner,
        qid: str,
        passed: bool,
        lang: str,
        *,
        code: str | None = None,
        seconds: float | None = None,
        visit: str | None = None,
        now: datetime | None = None,
    ) -> None:
        """Code submitted to the question's coding exercise: `passed` if it passed every test. Every
        submission is a row (kind "exercise", the code as its answer); scheduling a review from a
        pass is the page's call (`rate`)."""
        learner = self._saved(learner)
        row = _attempt(
            learner, qid, "exercise", lang, now, correct=passed, answer=code, seconds=seconds, visit=_visit(visit)
        )
        with self._writer.begin() as conn:
            conn.execute(sa.insert(attempts).values(row))

    @_guarded(writes=True)
    def rate(
        self,
        learner: Learner,
        qid: str,
        rating: str,
        lang: str,
        *,
        mock: str | None = None,
        answer: str | None = None,
        seconds: float | None = None,
        visit: str | None = None,
        now: datetime | None = None,
    ) -> datetime:
        """Record a self-rating and schedule the question's next review; returns when it is due.

        With a `visit`, a second rating in that visit (and no other review of the card since)
        changes the first: the card is rescheduled from its state before the first, and the
        rating, its review log and its attempt row are updated; nothing is added."""
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}, got {rating!r}")
        grade = Rating(RATINGS.index(rating) + 1)
        kind = "mock" if mock else "review"
        learner = self._saved(learner)
        row = _attempt(
            learner, qid, kind, lang, now, rating=int(grade), answer=answer, mock=mock, seconds=seconds,
            visit=_visit(visit),
        )  # fmt: skip
        at = row["at"]
        this_card = (cards.c.learner_id == learner.id) & (cards.c.question_id == qid)
        # FOR UPDATE: two sessions rating the same card one after the other, never both from the
        # same old state (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers).
        locked = (
            sa.select(cards.c.card, cards.c.reviews, cards.c.before, cards.c.visit).where(this_card).with_for_update()
        )
        with self._writer.begin() as conn:
            found = conn.execute(locked).first()
            if found is None:
                try:
                    with conn.begin_nested():
                        new = {"card": Card(due=at).to_dict(), "due": at, "reviews": 0}
                        conn.execute(sa.insert(cards).values(learner_id=learner.id, question_id=qid, **new))
                except sa.exc.IntegrityError:
                    pass  # another session created this card first; wait for and use theirs
                found = conn.execute(locked).one()
            duration = None if seconds is None else round(seconds * 1000)
            again = visit is not None and found.visit == visit and found.before is not None
            before = found.before if again else found.card
            card, log = self.scheduler.review_card(Card.from_dict(before), grade, at, duration)
            conn.execute(
                sa.update(cards)
                .where(this_card)
                .values(
                    card=card.to_dict(),
                    due=card.due,
                    reviews=found.reviews + (0 if again else 1),
                    before=before,
                    visit=visit,
                )
            )
            logged = dict(
                card_id=log.card_id,
                rating=int(log.rating),
                review_datetime=log.review_datetime,
                review_duration=log.review_duration,
            )
            mine = (review_logs.c.learner_id == learner.id) & (review_logs.c.question_id == qid)
            latest = sa.select(sa.func.max(review_logs.c.id)).where(mine).scalar_subquery()
            same_attempt = (
                (attempts.c.learner_id == learner.id)
                & (attempts.c.question_id == qid)
                & (attempts.c.kind == kind)
                & (attempts.c.visit == visit)
            )
            if again:  # the same review, changed: its log and attempt rows are rewritten
                conn.execute(sa.update(review_logs).where(review_logs.c.id == latest).values(logged))
                conn.execute(sa.update(attempts).where(same_attempt).values(row))
            else:
                conn.execute(sa.insert(review_logs).values(learner_id=learner.id, question_id=qid, **logged))
                conn.execute(sa.insert(attempts).values(row))
        return card.due

    @_guarded
    def preview(
        self, learner: Learner, qid: str, *, visit: str | None = None, now: datetime | None = None
    ) -> dict[str, Card]:
        """The card each rating would give at `now`: from the card as it is, or, when this visit
        already rated it, from the card before that rating (the one a second click replaces)."""
        at = _utc(now)
        query = sa.select(cards.c.card, cards.c.before, cards.c.visit).where(
            cards.c.learner_id == learner.id, cards.c.question_id == qid
        )
        with self.engine.connect() as conn:
            found = conn.execute(query).first()
        if found is None:
            base = Card(due=at)
        elif visit is not None and found.visit == visit and found.before is not None:
            base = Card.from_dict(found.before)
        else:
            base = Card.from_dict(found.card)
        return {r: self.scheduler.review_card(base, Rating(i + 1), at)[0] for i, r in enumerate(RATINGS)}

    # Reading

    @_guarded
    def due(self, learner: Learner, now: datetime | None = None) -> list[tuple[str, datetime]]:
        """Questions due for review at `now`, most overdue first."""
        return self._cards(learner, cards.c.due <= _utc(now))

    @_guarded
    def schedule(self, learner: Learner) -> list[tuple[str, datetime]]:
        """Every question the learner has rated, with its next review, soonest first."""
        return self._cards(learner, sa.true())

    def _cards(self, learner: Learner, condition) -> list[tuple[str, datetime]]:
        query = (
            sa.select(cards.c.question_id, cards.c.due)
            .where(cards.c.learner_id == learner.id, condition)
            .order_by(cards.c.due, cards.c.question_id)
        )
        with self.engine.connect() as conn:
            return [(r.question_id, r.due) for r in conn.execute(query)]

    @_guarded
    def card(self, learner: Learner, qid: str) -> Card | None:
        """The question's FSRS card, or None if it was never rated."""
        query = sa.select(cards.c.card).where(cards.c.learner_id == learner.id, cards.c.question_id == qid)
        with self.engine.connect() as conn:
            found = conn.execute(query).scalar()
        return None if found is None else Card.from_dict(found)

    @_guarded
    def history(self, learner: Learner) -> list[dict]:
        """Every attempt, oldest first, as {column: value} with the keys HISTORY_COLUMNS."""
        query = (
            sa.select(*(attempts.c[name] for name in HISTORY_COLUMNS))
            .where(attempts.c.learner_id == learner.id)
            .order_by(attempts.c.at, attempts.c.id)
        )
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        for row in rows:
            row["rating"] = None if row["rating"] is None else RATINGS[row["rating"] - 1]
        return rows

    def export_csv(self, learner: Learner) -> str:
        """The learner's history as CSV (encode as utf-8-sig for Excel to show Chinese)."""
        return to_csv(self.history(learner))

    def stats(self, learner: Learner, tz: tzinfo = UTC) -> Stats:
        """Answers and ratings per day (days in `tz`), and per question (the page maps ids to tags)."""
        days: dict[date, dict] = {}
        questions: dict[str, dict] = {}
        for row in self.history(learner):
            day = row["at"].astimezone(tz).date()
            d = days.setdefault(day, {"day": day, "answers": 0, "correct": 0} | dict.fromkeys(RATINGS, 0))
            q = questions.setdefault(
                row["question_id"],
                {
                    "question_id": row["question_id"],
                    "answers": 0,
                    "correct": 0,
                    "ratings": 0,
                    "last_rating": None,
                },
            )
            if row["correct"] is not None:
                for counts in (d, q):
                    counts["answers"] += 1
                    counts["correct"] += row["correct"]
            if row["rating"] is not None:
                d[row["rating"]] += 1
                q["ratings"] += 1
                q["last_rating"] = row["rating"]
        due = dict(self.schedule(learner))
        for q in questions.values():
            q["accuracy"] = q["correct"] / q["answers"] if q["answers"] else None
            q["due"] = due.get(q["question_id"])
        return Stats(
            days=[days[k] for k in sorted(days)],
            questions=[questions[k] for k in sorted(questions)],
            answers=sum(d["answers"] for d in days.values()),
            correct=sum(d["correct"] for d in days.values()),
            ratings=sum(d[r] for d in days.values() for r in RATINGS),
        )

    def mock_summary(self, learner: Learner, mock: str) -> MockSummary:
        """One mock interview's ratings, the time it took, and which questions to review."""
        due = dict(self.schedule(learner))
        rows = [r for r in self.history(learner) if r["mock"] == mock]
        questions = [
            {
                "question_id": r["question_id"],
                "rating": r["rating"],
                "seconds": r["seconds"],
                "due": due.get(r["question_id"]),
            }
            for r in rows
        ]
        weak = [q for q in questions if q["rating"] in ("again", "hard")]
        weak.sort(key=lambda q: RATINGS.index(q["rating"]))  # stable: in the order asked within a rating
        return MockSummary(
            mock=mock,
            questions=questions,
            counts={r: sum(q["rating"] == r for q in questions) for r in RATINGS},
            seconds=sum(q["seconds"] or 0.0 for q in questions),
            to_review=list(dict.fromkeys(q["question_id"] for q in weak)),
        )


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("`now` must be timezone-aware, e.g. datetime.now(UTC)")
    return now.astimezone(UTC)  # fsrs insists on UTC itself


def _visit(visit: str | None) -> str | None:
    if visit is not None and not (isinstance(visit, str) and 0 < len(visit) <= 32):
        raise ValueError(f"a visit id has 1..32 characters, got {visit!r}")
    return visit


def _attempt(learner: Learner, qid: str, kind: str, lang: str, now: datetime | None, **fields) -> dict:
    """A checked attempts row."""
    if not isinstance(qid, str) or not 0 < len(qid) <= QID_MAX:
        raise ValueError(f"question id must be 1..{QID_MAX} characters, got {qid!r}")
    if not isinstance(lang, str) or not 0 < len(lang) <= 8:
        raise ValueError(f"lang must be a short language code, got {lang!r}")
    if "correct" in fields and not isinstance(fields["correct"], bool):
        raise ValueError(f"correct must be True or False, got {fields['correct']!r}")
    answer = fields.get("answer") or None  # "" and None both mean "nothing typed"
    if answer is not None and len(answer) > ANSWER_MAX:
        raise ValueError(f"an answer has at most {ANSWER_MAX} characters, got {len(answer)}")
    seconds = fields.get("seconds")
    if seconds is not None and not (math.isfinite(seconds) and seconds >= 0):
        raise ValueError(f"seconds must be a finite number >= 0, got {seconds!r}")
    row = {
        "learner_id": learner.id,
        "question_id": qid,
        "kind": kind,
        "lang": lang,
        "at": _utc(now),
        **fields,
    }
    row["answer"] = answer
    return row


# CSV: one column per HISTORY_COLUMNS entry; times in ISO 8601 UTC, true/false, empty for None.


# A spreadsheet runs a cell starting with one of these as a formula (CSV injection): such text,
# and text already starting with the quote, gets one leading "'" that read_csv removes again.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def to_csv(rows: list[dict], columns: tuple[str, ...] = HISTORY_COLUMNS) -> str:
    def cell(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, str) and value.startswith(_FORMULA_START):
            return "'" + value
        return str(value)

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows([cell(row[c]) for c in columns] for row in rows)
    return out.getvalue()


def read_csv(text: str) -> list[dict]:
    """Rows of an export_csv() text, with their types back: read_csv(to_csv(rows)) == rows."""
    parse = {
        "at": datetime.fromisoformat,
        "item": int,
        "choice": int,
        "attempt": int,
        "correct": {"true": True, "false": False}.__getitem__,
        "seconds": float,
    }
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = tuple(next(reader, ()))
    if header != HISTORY_COLUMNS:
        raise ValueError(f"not a KD Lab history: expected columns {HISTORY_COLUMNS}, got {header}")
    return [
        {c: (parse.get(c, _text)(v) if v != "" else None) for c, v in zip(HISTORY_COLUMNS, values, strict=True)}
        for values in reader
    ]


def _text(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell
