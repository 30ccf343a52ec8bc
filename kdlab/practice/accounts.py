"""Sign-in for a shared server: accounts with passwords, class join codes, the teacher role, OIDC learners.

    from kdlab.practice.accounts import Accounts, auth_mode
    from kdlab.practice.progress import open_store

    auth_mode()                        # $KDLAB_AUTH: "none" (the default), "accounts" or "oidc"
    accounts = Accounts(open_store())
    ada, password = accounts.add("Ada")               # a generated password, shown once
    accounts.add("Grace", "a long passphrase", teacher=True)
    accounts.sign_in("ada", password)  # -> Account; SignInError("wrong" | "locked" | ...) otherwise
    code = accounts.new_join_code(days=7)             # a teacher gives it to the class
    accounts.join(code.code, "Alan", "his own password")  # -> Account, signed in
    accounts.oidc_account(OidcIdentity.from_claims(claims), teachers={"grace@school.example"})

Passwords are hashed with argon2id (argon2-cffi); the database never holds a password or a join
code, only their hashes. Names are normalised as everywhere else (`progress.clean_name`, any case
is the same learner). A name that fails to sign in MAX_FAILURES times in a row is locked for
LOCK_BASE_S, then twice as long after every further failure (at most LOCK_MAX_S); a success or a
teacher (`unlock`, `set_password`) clears it. An attempt is counted before the password is checked,
so sessions guessing in parallel share one budget.

A learner who signs in through OpenID Connect is keyed by a hash of the provider's issuer and
subject, behind a leading space: no typed name can reach it (clean_name strips spaces), and a
typed name can never collide with it.

Bad input raises SignInError (a ValueError) whose `reason` names the problem for a page to
translate; its message is English for the command line. Database failures raise StoreUnavailable.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import math
import os
import secrets
import sqlite3
import sys
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kdlab.practice.progress import Learner, Store, StoreUnavailable, answer_within, clean_name, open_store
from kdlab.practice.schema import NAME_MAX, join_codes, learners

ENV_AUTH = "KDLAB_AUTH"
MODES = ("none", "accounts", "oidc")  # "none": a typed name, no password (one's own laptop)
ENV_TEACHERS = "KDLAB_TEACHER_EMAILS"  # OIDC: who is a teacher (comma- or space-separated emails)

PASSWORD_MIN = 8
PASSWORD_MAX = 128
MAX_FAILURES = 5  # failed sign-ins in a row before a name is locked
LOCK_BASE_S = 60
LOCK_MAX_S = 3600
CODE_DAYS_MAX = 90
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or off a projector
CODE_LENGTH = 12  # 60 bits: not worth guessing
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
OIDC_KEY_PREFIX = " oidc:"  # a learners.key no typed name can have

REASONS = {
    "wrong": "wrong name or password",
    "locked": "too many failed sign-ins for this name; try again later or ask a teacher to unlock it",
    "name_empty": "a name cannot be empty",
    "name_long": f"a name has at most {NAME_MAX} characters",
    "name_chars": "a name cannot contain control characters",
    "password_short": f"a password has at least {PASSWORD_MIN} characters",
    "password_long": f"a password has at most {PASSWORD_MAX} characters",
    "name_taken": "this name already has an account",
    "no_account": "there is no learner with this name",
    "code_unknown": "this join code is not valid",
    "code_expired": "this join code has expired",
    "code_used_up": "this join code has been used as many times as it allows",
    "code_days": f"a join code is valid for more than 0 and at most {CODE_DAYS_MAX} days",
    "code_uses": "a join code's number of uses is at least 1 (or no limit)",
    "oidc_incomplete": "the sign-in provider did not say who this is (no issuer or subject)",
}

_DB_ERRORS = (sa.exc.DBAPIError, sa.exc.TimeoutError, sqlite3.Error, OSError)


class SignInError(ValueError):
    """Sign-in or account input refused; `reason` is one of REASONS' keys, `wait` seconds to a retry."""

    def __init__(self, reason: str, *, wait: int = 0):
        self.reason, self.wait = reason, wait
        super().__init__(REASONS[reason] + (f" (retry in {wait} s)" if wait else ""))


def auth_mode(environ: Mapping[str, str] | None = None) -> str:
    """How learners say who they are: $KDLAB_AUTH, "none" when unset. ValueError if it is something else."""
    value = (os.environ if environ is None else environ).get(ENV_AUTH, "").strip().lower() or "none"
    if value not in MODES:
        raise ValueError(f"{ENV_AUTH} must be one of {', '.join(MODES)}, got {value!r}")
    return value


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    teacher: bool
    has_password: bool
    failed_signins: int = 0
    locked_until: datetime | None = None

    @property
    def learner(self) -> Learner:
        return Learner(self.id, self.name)


@dataclass(frozen=True)
class JoinCode:
    code: str  # shown once: only its hash is stored
    expires_at: datetime
    max_uses: int | None


@dataclass(frozen=True)
class OidcIdentity:
    """Who an OpenID Connect provider says signed in (st.user's claims)."""

    issuer: str
    subject: str
    name: str
    email: str | None
    email_verified: bool | None

    @classmethod
    def from_claims(cls, claims: Mapping[str, object]) -> OidcIdentity:
        issuer, subject = str(claims.get("iss") or "").strip(), str(claims.get("sub") or "").strip()
        if not issuer or not subject:
            raise SignInError("oidc_incomplete")
        email = str(claims["email"]).strip() if claims.get("email") else None
        verified = claims.get("email_verified")
        name = display_name(
            claims.get("name"), claims.get("preferred_username"), email.split("@")[0] if email else None
        )
        return cls(issuer, subject, name, email, verified if isinstance(verified, bool) else None)

    @property
    def key(self) -> str:
        digest = hashlib.sha256(f"{self.issuer}\n{self.subject}".encode()).hexdigest()
        return OIDC_KEY_PREFIX + digest


def display_name(*candidates: object) -> str:
    """The first usable candidate as a learner name (printable, at most NAME_MAX characters)."""
    for candidate in candidates:
        if not isinstance(candidate, str):
            continue
        text = "".join(
            ch for ch in unicodedata.normalize("NFC", candidate) if ch.isprintable() or ch.isspace()
        )
        text = " ".join(text.split())[:NAME_MAX].strip()
        if text:
            return text
    return "?"


def teacher_emails(*sources: object) -> set[str]:
    """Emails from env-var text ("a@x, b@y") and/or lists (secrets.toml), lower-cased."""
    found: set[str] = set()
    for source in sources:
        if not source:
            continue
        items = source.replace(",", " ").split() if isinstance(source, str) else source
        if isinstance(items, Iterable):
            found |= {str(item).strip().lower() for item in items if str(item).strip()}
    return found


def oidc_problems(auth: Mapping | None) -> list[str]:
    """What secrets.toml's [auth] lacks for st.login(), as `key` or `[auth.provider] key`; [] if nothing.

    Either one provider at the top of [auth] (client_id, client_secret, server_metadata_url), or
    named providers in [auth.<name>] sections; redirect_uri and cookie_secret are always needed.
    """
    if not auth:
        return ["[auth]"]
    missing = [key for key in ("redirect_uri", "cookie_secret") if not auth.get(key)]
    redirect = auth.get("redirect_uri")
    if redirect and not str(redirect).rstrip("/").endswith("/oauth2callback"):
        missing.append("redirect_uri (…/oauth2callback)")
    required = ("client_id", "client_secret", "server_metadata_url")
    named = oidc_providers(auth)
    if named == [None]:
        missing += [key for key in required if not auth.get(key)]
    elif not named:
        missing += list(required)
    for name in named:
        if name is not None:
            missing += [f"[auth.{name}] {key}" for key in required if not auth[name].get(key)]
    return missing


def oidc_providers(auth: Mapping) -> list[str | None]:
    """The providers st.login() can be given: None for one at the top of [auth], else the sections' names."""
    if auth.get("client_id") or auth.get("server_metadata_url"):
        return [None]
    return sorted(key for key, value in auth.items() if isinstance(value, Mapping) and key != "client_kwargs")


def name_key(name: object) -> tuple[str, str]:
    """(clean name, key) for a typed name; SignInError with the reason it cannot be used."""
    if not isinstance(name, str):
        raise SignInError("name_empty")
    collapsed = " ".join(unicodedata.normalize("NFC", name).split())
    if not collapsed:
        raise SignInError("name_empty")
    if len(collapsed) > NAME_MAX:
        raise SignInError("name_long")
    if not collapsed.isprintable():
        raise SignInError("name_chars")
    clean = clean_name(collapsed)  # the one definition; the checks above only name the reason
    return clean, clean.casefold()


def check_password(password: object) -> str:
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        raise SignInError("password_short")
    if len(password) > PASSWORD_MAX:
        raise SignInError("password_long")
    return password


def new_password() -> str:
    """A password for a teacher to hand out: 12 characters in three groups, about 60 bits."""
    chars = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))
    return "-".join(chars[i : i + 4] for i in range(0, 12, 4))


def normalize_code(code: object) -> str:
    """A join code as typed ("abcd efgh-jklm") in its canonical form ("ABCDEFGHJKLM"), or ""."""
    if not isinstance(code, str):
        return ""
    return "".join(ch for ch in code.upper() if ch not in " -\t")


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _code_hash(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def lock_seconds(failures: int) -> int:
    """How long a name is locked after `failures` failed sign-ins in a row (0: not locked)."""
    if failures < MAX_FAILURES:
        return 0
    return min(LOCK_MAX_S, LOCK_BASE_S * 2 ** (failures - MAX_FAILURES))


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("`now` must be timezone-aware, e.g. datetime.now(UTC)")
    return now.astimezone(UTC)


def _guarded(method):
    """Any database failure inside an Accounts method becomes StoreUnavailable, as in Store."""

    @functools.wraps(method)
    def wrapper(self: Accounts, *args, **kwargs):
        return answer_within(self.store.engine, self.store.where, lambda: method(self, *args, **kwargs))

    return wrapper


_COLUMNS = (
    learners.c.id,
    learners.c.name,
    learners.c.teacher,
    learners.c.password_hash,
    learners.c.failed_signins,
    learners.c.locked_until,
)


def _account(row) -> Account:
    return Account(
        row.id,
        row.name,
        bool(row.teacher),
        row.password_hash is not None,
        row.failed_signins,
        row.locked_until,
    )


_HASHER = PasswordHasher()  # argon2id with RFC 9106's low-memory profile: about 0.1 s per hash here


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    # Checked against when a name has no password, so a refusal takes as long either way.
    return hasher.hash(secrets.token_hex(16))


class Accounts:
    """Accounts in a progress store's database. Cheap to create; safe to share between threads."""

    def __init__(self, store: Store, hasher: PasswordHasher | None = None):
        self.store = store
        self.hasher = hasher or _HASHER
        self._writer = store.engine.execution_options(kdlab_write=True)

    # Accounts

    @_guarded
    def add(self, name: str, password: str | None = None, *, teacher: bool = False) -> tuple[Account, str]:
        """An account for `name` with `password` (None: generated); returns it and the password.

        A learner who already has a history but no password (from KDLAB_AUTH=none) keeps it and
        gets the password; a name that already has a password is refused ("name_taken").
        """
        clean, key = name_key(name)
        password = new_password() if password is None else check_password(password)
        hashed = self.hasher.hash(password)
        with self._writer.begin() as conn:
            row = conn.execute(sa.select(*_COLUMNS).where(learners.c.key == key).with_for_update()).first()
            if row is not None and row.password_hash is not None:
                raise SignInError("name_taken")
            values = {"password_hash": hashed, "teacher": teacher, "failed_signins": 0, "locked_until": None}
            if row is None:
                try:
                    with conn.begin_nested():
                        conn.execute(
                            sa.insert(learners).values(key=key, name=clean, created_at=_utc(None), **values)
                        )
                except sa.exc.IntegrityError:
                    raise SignInError("name_taken") from None  # created a moment ago by someone else
            else:
                conn.execute(sa.update(learners).where(learners.c.id == row.id).values(**values))
            account = _account(conn.execute(sa.select(*_COLUMNS).where(learners.c.key == key)).one())
        return account, password

    @_guarded
    def set_password(self, name: str, password: str | None = None) -> tuple[Account, str]:
        """A new password (None: generated) for an existing learner; clears any lock."""
        _, key = name_key(name)
        password = new_password() if password is None else check_password(password)
        hashed = self.hasher.hash(password)
        account = self._update(key, password_hash=hashed, failed_signins=0, locked_until=None)
        return account, password

    @_guarded
    def set_teacher(self, name: str, teacher: bool = True) -> Account:
        return self._update(name_key(name)[1], teacher=teacher)

    @_guarded
    def unlock(self, name: str) -> Account:
        return self._update(name_key(name)[1], failed_signins=0, locked_until=None)

    def _update(self, key: str, **values) -> Account:
        with self._writer.begin() as conn:
            done = conn.execute(sa.update(learners).where(learners.c.key == key).values(**values))
            if done.rowcount != 1:
                raise SignInError("no_account")
            return _account(conn.execute(sa.select(*_COLUMNS).where(learners.c.key == key)).one())

    @_guarded
    def get(self, learner_id: int) -> Account | None:
        with self.store.engine.connect() as conn:
            row = conn.execute(sa.select(*_COLUMNS).where(learners.c.id == learner_id)).first()
        return None if row is None else _account(row)

    @_guarded
    def find(self, name: str) -> Account | None:
        with self.store.engine.connect() as conn:
            row = conn.execute(sa.select(*_COLUMNS).where(learners.c.key == name_key(name)[1])).first()
        return None if row is None else _account(row)

    @_guarded
    def all(self) -> list[Account]:
        """Every learner signed in by name (not OIDC learners), by name."""
        query = (
            sa.select(*_COLUMNS).where(~learners.c.key.startswith(OIDC_KEY_PREFIX)).order_by(learners.c.key)
        )
        with self.store.engine.connect() as conn:
            return [_account(row) for row in conn.execute(query)]

    # Signing in

    @_guarded
    def sign_in(self, name: str, password: str, *, now: datetime | None = None) -> Account:
        """The account if `password` is right; SignInError "wrong" or "locked" (with `wait`) otherwise."""
        now = _utc(now)
        try:
            _, key = name_key(name)
        except SignInError:
            raise SignInError("wrong") from None
        if not isinstance(password, str) or not password or len(password) > PASSWORD_MAX:
            raise SignInError("wrong")
        lock = 0
        with self._writer.begin() as conn:
            row = conn.execute(sa.select(*_COLUMNS).where(learners.c.key == key).with_for_update()).first()
            if row is not None and row.password_hash is not None:
                lock = self._count_attempt(conn, row, now)
        if row is None or row.password_hash is None:
            self._verify(_dummy_hash(self.hasher), password)  # out of the write lock: 0.1 s
            raise SignInError("wrong")
        if not self._verify(row.password_hash, password):
            raise SignInError("wrong", wait=lock)
        values: dict = {"failed_signins": 0, "locked_until": None}
        if self.hasher.check_needs_rehash(row.password_hash):
            values["password_hash"] = self.hasher.hash(password)
        with self._writer.begin() as conn:
            conn.execute(sa.update(learners).where(learners.c.id == row.id).values(**values))
        return Account(row.id, row.name, bool(row.teacher), True)

    @staticmethod
    def _count_attempt(conn: sa.Connection, row, now: datetime) -> int:
        """Refuse a locked name, else count this attempt as failed (a right password clears it);
        returns how long the name is locked if the password is wrong.

        Counting before checking means sessions guessing at once share one budget.
        """
        if row.locked_until is not None and row.locked_until > now:
            raise SignInError("locked", wait=math.ceil((row.locked_until - now).total_seconds()))
        failures = row.failed_signins + 1
        lock = lock_seconds(failures)
        conn.execute(
            sa.update(learners)
            .where(learners.c.id == row.id)
            .values(failed_signins=failures, locked_until=now + timedelta(seconds=lock) if lock else None)
        )
        return lock

    def _verify(self, hashed: str, password: str) -> bool:
        try:
            return self.hasher.verify(hashed, password)
        except (VerificationError, InvalidHashError):
            return False

    # Join codes

    @_guarded
    def new_join_code(
        self,
        *,
        days: float = 7,
        max_uses: int | None = None,
        by: Learner | None = None,
        now: datetime | None = None,
    ) -> JoinCode:
        """A class join code valid for `days` and `max_uses` accounts (None: any number)."""
        if isinstance(days, bool) or not isinstance(days, int | float) or not 0 < days <= CODE_DAYS_MAX:
            raise SignInError("code_days")
        if max_uses is not None and (
            isinstance(max_uses, bool) or not isinstance(max_uses, int) or max_uses < 1
        ):
            raise SignInError("code_uses")
        now = _utc(now)
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        expires = now + timedelta(days=days)
        with self._writer.begin() as conn:
            conn.execute(
                sa.insert(join_codes).values(
                    code_hash=_code_hash(code),
                    hint=code[-4:],
                    created_by=None if by is None else by.id,
                    created_at=now,
                    expires_at=expires,
                    max_uses=max_uses,
                    uses=0,
                )
            )
        return JoinCode(format_code(code), expires, max_uses)

    @_guarded
    def expire_join_code(self, code: str, *, now: datetime | None = None) -> bool:
        """End a join code now (it leaked, the class is full); False if there is no such code."""
        with self._writer.begin() as conn:
            done = conn.execute(
                sa.update(join_codes)
                .where(join_codes.c.code_hash == _code_hash(code))
                .values(expires_at=_utc(now))
            )
        return done.rowcount == 1

    @_guarded
    def join(self, code: str, name: str, password: str, *, now: datetime | None = None) -> Account:
        """A new learner account made with a class join code; SignInError says why not."""
        now = _utc(now)
        clean, key = name_key(name)
        check_password(password)
        if len(normalize_code(code)) != CODE_LENGTH:
            raise SignInError("code_unknown")
        hashed = self.hasher.hash(password)  # before the write lock: it takes a tenth of a second
        this_code = join_codes.c.code_hash == _code_hash(code)
        with self._writer.begin() as conn:
            found = conn.execute(sa.select(join_codes).where(this_code).with_for_update()).first()
            if found is None:
                raise SignInError("code_unknown")
            if found.expires_at <= now:
                raise SignInError("code_expired")
            if found.max_uses is not None and found.uses >= found.max_uses:
                raise SignInError("code_used_up")
            try:
                with conn.begin_nested():
                    conn.execute(
                        sa.insert(learners).values(
                            key=key, name=clean, created_at=now, password_hash=hashed, teacher=False
                        )
                    )
            except sa.exc.IntegrityError:
                raise SignInError("name_taken") from None
            conn.execute(sa.update(join_codes).where(this_code).values(uses=join_codes.c.uses + 1))
            row = conn.execute(sa.select(*_COLUMNS).where(learners.c.key == key)).one()
        return _account(row)

    # OpenID Connect

    @_guarded
    def oidc_account(self, who: OidcIdentity, teachers: set[str] = frozenset()) -> Account:
        """The learner for an OIDC identity, created on first sign-in; name and teacher role kept current.

        A teacher is someone whose email is in `teachers`, unless the provider says that email
        is not verified.
        """
        teacher = bool(who.email) and who.email.lower() in teachers and who.email_verified is not False
        query = sa.select(*_COLUMNS).where(learners.c.key == who.key)
        with self._writer.begin() as conn:
            row = conn.execute(query.with_for_update()).first()
            if row is None:
                try:
                    with conn.begin_nested():
                        conn.execute(
                            sa.insert(learners).values(
                                key=who.key, name=who.name, created_at=_utc(None), teacher=teacher
                            )
                        )
                except sa.exc.IntegrityError:
                    pass  # the same person signing in in two tabs at once
            elif (row.name, bool(row.teacher)) != (who.name, teacher):
                conn.execute(
                    sa.update(learners).where(learners.c.id == row.id).values(name=who.name, teacher=teacher)
                )
            row = conn.execute(query).one()
        return _account(row)


# python -m kdlab accounts ...


def add_cli(sub) -> None:
    """The `accounts` command and its subcommands, on kdlab.cli's subparsers."""
    p = sub.add_parser(
        "accounts",
        help="learner accounts and class join codes for KDLAB_AUTH=accounts",
        description="Learner accounts and class join codes (KDLAB_AUTH=accounts; docs/deploy.md). "
        "The database is $KDLAB_DATABASE_URL, else the SQLite file $KDLAB_DB_PATH or ~/.kdlab/progress.db.",
    )
    p.add_argument("--database", metavar="URL", help="a SQLAlchemy URL instead of the default database")
    cmds = p.add_subparsers(dest="action", required=True)
    add = cmds.add_parser("add", help="create an account (prints a generated password)")
    add.add_argument("name")
    add.add_argument("--teacher", action="store_true", help="give the account the teacher role")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin's first line"
    )
    pw = cmds.add_parser("password", help="give an existing learner a new password (prints a generated one)")
    pw.add_argument("name")
    pw.add_argument("--password-stdin", action="store_true", help="read the password from stdin's first line")
    teacher = cmds.add_parser("teacher", help="give a learner the teacher role (--off takes it away)")
    teacher.add_argument("name")
    teacher.add_argument("--off", action="store_true")
    unlock = cmds.add_parser("unlock", help="clear a name's failed sign-ins")
    unlock.add_argument("name")
    cmds.add_parser("list", help="every account: name, role, password set, lock")
    code = cmds.add_parser("join-code", help="create a class join code (prints it)")
    code.add_argument(
        "--days", type=float, default=7, help=f"how long it is valid, at most {CODE_DAYS_MAX} (default 7)"
    )
    code.add_argument(
        "--uses", type=int, default=None, help="how many accounts it may create (default: no limit)"
    )
    expire = cmds.add_parser("expire-code", help="end a join code now")
    expire.add_argument("code")


def cli_main(args: argparse.Namespace) -> int:
    def fail(message: str) -> int:
        print(f"python -m kdlab accounts {args.action}: error: {message}", file=sys.stderr)
        return 2

    try:
        password = None
        if getattr(args, "password_stdin", False):
            password = sys.stdin.readline().rstrip("\r\n")
        with open_store(args.database) as store:
            accounts = Accounts(store)
            if args.action in ("add", "password"):
                if args.action == "add":
                    account, password_set = accounts.add(args.name, password, teacher=args.teacher)
                else:
                    account, password_set = accounts.set_password(args.name, password)
                role = " (teacher)" if account.teacher else ""
                print(f"{account.name}{role}: password set")
                if password is None:
                    print(f"password: {password_set}")
            elif args.action == "teacher":
                account = accounts.set_teacher(args.name, not args.off)
                print(f"{account.name}: {'teacher' if account.teacher else 'learner'}")
            elif args.action == "unlock":
                print(f"{accounts.unlock(args.name).name}: unlocked")
            elif args.action == "list":
                now = datetime.now(UTC)
                for a in accounts.all():
                    locked = a.locked_until is not None and a.locked_until > now
                    print(
                        f"{a.name}\t{'teacher' if a.teacher else 'learner'}\t"
                        f"{'password' if a.has_password else 'no password'}"
                        + (f"\tlocked until {a.locked_until.isoformat(timespec='seconds')}" if locked else "")
                    )
            elif args.action == "join-code":
                code = accounts.new_join_code(days=args.days, max_uses=args.uses)
                uses = "no limit" if code.max_uses is None else f"{code.max_uses} uses"
                print(code.code)
                print(
                    f"valid until {code.expires_at.isoformat(timespec='minutes')} ({uses})", file=sys.stderr
                )
            elif args.action == "expire-code":
                if not accounts.expire_join_code(args.code):
                    return fail(REASONS["code_unknown"])
                print("expired")
    except SignInError as err:
        return fail(str(err))
    except StoreUnavailable as err:
        return fail(str(err))
    return 0
