"""The progress database's tables and the migrations that build them, one numbered step at a time.

A database records its version in `schema_version`. Opening a store runs every step above that
version inside one transaction, so a fresh database and a years-old one take the same path and an
interrupted upgrade leaves nothing half done. A step is never edited once released: a change is
a new step (and the tables below are updated to match; a test checks the two agree).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateColumn

NAME_MAX = 40  # learner names
QID_MAX = 80  # question ids ("c03-knowledge-distillation")
ANSWER_MAX = 5000  # a typed answer; pages bound their text boxes with it (max_chars)
PASSWORD_HASH_MAX = 255  # an argon2id hash is about 100 characters


class UTCDateTime(sa.TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, on every backend.

    SQLite keeps no time zone, so values are stored as naive UTC and given back their zone on the
    way out; PostgreSQL's timestamptz returns the session's zone, which is converted back to UTC.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: progress times must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# The current schema (version SCHEMA_VERSION), which the store's queries use.
metadata = sa.MetaData()

schema_version = sa.Table("schema_version", metadata, sa.Column("version", sa.Integer, nullable=False))

learners = sa.Table(
    "learners",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(3 * NAME_MAX), nullable=False, unique=True),  # casefold() may triple
    sa.Column("name", sa.String(NAME_MAX), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    # Added in version 3, for sign-in (kdlab/practice/accounts.py). A learner created by a typed
    # name (KDLAB_AUTH=none) or through OIDC has no password; OIDC learners' keys start with a space.
    sa.Column("teacher", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("password_hash", sa.String(PASSWORD_HASH_MAX)),  # argon2id, never the password
    sa.Column("failed_signins", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("locked_until", UTCDateTime),  # no sign-in before then (too many failures)
)

attempts = sa.Table(
    "attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id"), nullable=False),
    sa.Column("question_id", sa.String(QID_MAX), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # quiz | self_grade | mock | review
    sa.Column("item", sa.Integer),  # which quiz item
    sa.Column("correct", sa.Boolean),  # quiz and self_grade
    sa.Column("rating", sa.SmallInteger),  # mock and review: fsrs.Rating, 1 (again) .. 4 (easy)
    sa.Column("answer", sa.Text),
    sa.Column("lang", sa.String(8), nullable=False),
    sa.Column("mock", sa.String(32)),  # groups one mock interview's ratings
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("seconds", sa.Float),  # added in version 2: time spent answering
    # Added in version 4. A quiz answer's option (the bank's index, whatever order the learner saw
    # the options in) and its attempt (1: the first answer in a visit to the question's page; n: the
    # n-th after "Try again"). `visit` groups one visit's records, so a second rating click in it
    # changes the rating instead of adding one. NULL on older rows (not recorded then).
    sa.Column("choice", sa.SmallInteger),
    sa.Column("attempt", sa.SmallInteger),
    sa.Column("visit", sa.String(32)),
    sa.Index("ix_attempts_learner_at", "learner_id", "at"),
    sa.Index("ix_attempts_question", "question_id", "kind"),
)

cards = sa.Table(
    "cards",
    metadata,
    sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id"), primary_key=True),
    sa.Column("question_id", sa.String(QID_MAX), primary_key=True),
    sa.Column("card", sa.JSON, nullable=False),  # fsrs.Card.to_dict()
    sa.Column("due", UTCDateTime, nullable=False),  # a copy of card["due"] that SQL can filter on
    sa.Column("reviews", sa.Integer, nullable=False),
    # Added in version 4: the card as it was before its latest review, and the visit that review
    # came from; a changed rating in the same visit is rescheduled from `before`.
    sa.Column("before", sa.JSON),
    sa.Column("visit", sa.String(32)),
    sa.Index("ix_cards_learner_due", "learner_id", "due"),
)

review_logs = sa.Table(
    "review_logs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id"), nullable=False),
    sa.Column("question_id", sa.String(QID_MAX), nullable=False),
    # fsrs.ReviewLog.to_dict(), one column per field, so fsrs can replay or re-fit from them later
    sa.Column("card_id", sa.BigInteger, nullable=False),
    sa.Column("rating", sa.SmallInteger, nullable=False),
    sa.Column("review_datetime", UTCDateTime, nullable=False),
    sa.Column("review_duration", sa.Integer),
    sa.Index("ix_review_logs_learner", "learner_id", "question_id"),
)

join_codes = sa.Table(
    "join_codes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code_hash", sa.String(64), nullable=False, unique=True),  # sha256 hex of the code
    sa.Column("hint", sa.String(8), nullable=False),  # the code's last characters, to tell codes apart
    sa.Column("created_by", sa.Integer, sa.ForeignKey("learners.id")),  # None: from the command line
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("max_uses", sa.Integer),  # None: no limit
    sa.Column("uses", sa.Integer, nullable=False, server_default=sa.text("0")),
)


# Migrations. Step n takes a version n-1 database to version n.


def _create_v1(conn: Connection) -> None:
    # A frozen copy of the version-1 tables: later edits to the tables above must not change it.
    v1 = sa.MetaData()
    sa.Table("schema_version", v1, sa.Column("version", sa.Integer, nullable=False))
    sa.Table(
        "learners",
        v1,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(3 * NAME_MAX), nullable=False, unique=True),
        sa.Column("name", sa.String(NAME_MAX), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    sa.Table(
        "attempts",
        v1,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id"), nullable=False),
        sa.Column("question_id", sa.String(QID_MAX), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("item", sa.Integer),
        sa.Column("correct", sa.Boolean),
        sa.Column("rating", sa.SmallInteger),
        sa.Column("answer", sa.Text),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("mock", sa.String(32)),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Index("ix_attempts_learner_at", "learner_id", "at"),
    )
    sa.Table(
        "cards",
        v1,
        sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id"), primary_key=True),
        sa.Column("question_id", sa.String(QID_MAX), primary_key=True),
        sa.Column("card", sa.JSON, nullable=False),
        sa.Column("due", UTCDateTime, nullable=False),
        sa.Column("reviews", sa.Integer, nullable=False),
        sa.Index("ix_cards_learner_due", "learner_id", "due"),
    )
    sa.Table(
        "review_logs",
        v1,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("learner_id", sa.Integer, sa.ForeignKey("learners.id"), nullable=False),
        sa.Column("question_id", sa.String(QID_MAX), nullable=False),
        sa.Column("card_id", sa.BigInteger, nullable=False),
        sa.Column("rating", sa.SmallInteger, nullable=False),
        sa.Column("review_datetime", UTCDateTime, nullable=False),
        sa.Column("review_duration", sa.Integer),
        sa.Index("ix_review_logs_learner", "learner_id", "question_id"),
    )
    v1.create_all(conn)
    conn.execute(sa.text("INSERT INTO schema_version (version) VALUES (0)"))


def _add_attempt_seconds(conn: Connection) -> None:
    # The mock interview's timer: how long an answer took. Older rows keep NULL (not measured).
    float_type = sa.Float().compile(dialect=conn.dialect)
    conn.execute(sa.text(f"ALTER TABLE attempts ADD COLUMN seconds {float_type}"))


def _add_accounts(conn: Connection) -> None:
    # Sign-in: the teacher role, password hashes, failed sign-ins, and class join codes. Existing
    # learners become non-teachers without a password (a teacher gives them one: `python -m kdlab
    # accounts password NAME`). The columns are frozen copies, like _create_v1's tables.
    for column in (
        sa.Column("teacher", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("password_hash", sa.String(PASSWORD_HASH_MAX)),
        sa.Column("failed_signins", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("locked_until", UTCDateTime),
    ):
        ddl = CreateColumn(column).compile(dialect=conn.dialect)
        conn.execute(sa.text(f"ALTER TABLE learners ADD COLUMN {ddl}"))
    v3 = sa.MetaData()
    sa.Table("learners", v3, sa.Column("id", sa.Integer, primary_key=True))  # for the foreign key only
    sa.Table(
        "join_codes",
        v3,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("hint", sa.String(8), nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("learners.id")),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("max_uses", sa.Integer),
        sa.Column("uses", sa.Integer, nullable=False, server_default=sa.text("0")),
    ).create(conn)


def _add_attempts_and_visits(conn: Connection) -> None:
    # Records that mean what they say (issue 15): a quiz answer's original option and attempt
    # number, the visit that groups a page visit's records, and on cards the state before the
    # latest review (to change a rating instead of adding one). Older rows keep NULL. Frozen copies.
    for table, column in (
        ("attempts", sa.Column("choice", sa.SmallInteger)),
        ("attempts", sa.Column("attempt", sa.SmallInteger)),
        ("attempts", sa.Column("visit", sa.String(32))),
        ("cards", sa.Column("before", sa.JSON)),
        ("cards", sa.Column("visit", sa.String(32))),
    ):
        ddl = CreateColumn(column).compile(dialect=conn.dialect)
        conn.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN {ddl}"))
    v4 = sa.MetaData()
    attempts_v4 = sa.Table(
        "attempts",
        v4,
        sa.Column("question_id", sa.String(QID_MAX)),
        sa.Column("kind", sa.String(16)),
    )
    sa.Index("ix_attempts_question", attempts_v4.c.question_id, attempts_v4.c.kind).create(conn)


MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    1: _create_v1,
    2: _add_attempt_seconds,
    3: _add_accounts,
    4: _add_attempts_and_visits,
}
SCHEMA_VERSION = max(MIGRATIONS)
_LOCK_KEY = 0x6B646C6162  # "kdlab": the advisory lock that serialises migrations on PostgreSQL


class SchemaTooNew(Exception):
    """The database was written by a newer KD Lab than this one."""


def current_version(conn: Connection) -> int:
    if not sa.inspect(conn).has_table("schema_version"):
        return 0
    return conn.execute(sa.text("SELECT max(version) FROM schema_version")).scalar_one()


def migrate(conn: Connection, target: int = SCHEMA_VERSION) -> tuple[int, int]:
    """Bring the database to `target`; returns (version before, version after).

    `conn` must be in a write transaction (BEGIN IMMEDIATE on SQLite), which serialises two
    processes starting at once. PostgreSQL locks a table only once it exists, so it takes an
    advisory lock first. The version row is rewritten even when nothing changes: opening a store
    thereby proves the database is writable.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    before = current_version(conn)
    if before > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"the database has schema version {before}; this KD Lab knows up to {SCHEMA_VERSION}"
        )
    for version in range(before + 1, target + 1):
        MIGRATIONS[version](conn)
    after = max(before, target)
    conn.execute(sa.text("UPDATE schema_version SET version = :v"), {"v": after})
    return before, after
