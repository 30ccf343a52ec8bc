"""A throwaway PostgreSQL server for the tests: initdb into a temp dir, start on loopback, stop after.

`postgres_url` is a session-scoped pytest fixture yielding a SQLAlchemy URL to an empty database;
`fresh_database(url)` makes another empty database on the same server, for one test.
`running_postgres()` is the same as a context manager, for a test that needs a server of its own
(to stop it under a live store, say).

Binaries come from $KDLAB_PG_BIN, else `pg_config --bindir`, else Debian's /usr/lib/postgresql/<ver>/bin.
Without them the tests skip, or fail when KDLAB_REQUIRE_POSTGRES=1 (CI sets it, so a missing
server can never turn into a silent pass). PostgreSQL refuses to run as root: as root, the server
runs as the `postgres` user that Debian's package creates.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

DB_NAME = "kdlab_test"
SUPERUSER = "postgres"
RUN_AS = "postgres"  # the OS user the server runs as when the tests run as root


def find_bindir() -> Path | None:
    candidates = []
    if os.environ.get("KDLAB_PG_BIN"):
        candidates.append(Path(os.environ["KDLAB_PG_BIN"]))
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        candidates.append(Path(out.stdout.strip()))
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True
    )
    candidates.extend(versions)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    return None


def missing_reason() -> str | None:
    """Why a server cannot be started here, or None if it can."""
    if find_bindir() is None:
        return (
            "PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian's `postgresql` "
            "package, or set KDLAB_PG_BIN to their directory"
        )
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(RUN_AS)
        except KeyError:
            return f"running as root, and there is no `{RUN_AS}` user to run the server as"
    return None


def skip_or_fail() -> None:
    """Call at the top of every PostgreSQL test: skip without a server, but fail in CI."""
    reason = missing_reason()
    if reason is None:
        return
    if os.environ.get("KDLAB_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"KDLAB_REQUIRE_POSTGRES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_postgres() -> Iterator[str]:
    """Start a fresh cluster and yield `postgresql+psycopg://...` for an empty database."""
    bindir = find_bindir()
    assert bindir is not None, missing_reason()
    root = Path(tempfile.mkdtemp(prefix="kdlab-pg-"))
    data, sockets, log = root / "data", root / "sock", root / "server.log"
    sockets.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", RUN_AS, "--"]
        user = pwd.getpwnam(RUN_AS)
        for path in (root, sockets):
            os.chown(path, user.pw_uid, user.pw_gid)
    port = _free_port()

    def run(*args: str) -> None:
        proc = subprocess.run([*as_user, *args], capture_output=True, text=True, cwd=root, timeout=60)
        if proc.returncode != 0:
            server_log = log.read_text() if log.exists() else ""
            raise RuntimeError(f"{' '.join(args[:2])} failed:\n{proc.stdout}{proc.stderr}{server_log}")

    try:
        run(f"{bindir}/initdb", "-D", str(data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--no-sync")
        # fsync off: a throwaway cluster gains nothing from surviving a power cut, and tests run faster.
        options = f"-h 127.0.0.1 -p {port} -k {sockets} -c fsync=off -c max_connections=200"
        run(f"{bindir}/pg_ctl", "start", "-w", "-t", "30", "-D", str(data), "-l", str(log), "-o", options)
        try:
            yield _create_database(f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{port}/postgres", DB_NAME)
        finally:
            # immediate: no checkpoint for data nobody keeps; the tests may leave connections open
            run(f"{bindir}/pg_ctl", "stop", "-m", "immediate", "-w", "-D", str(data))
    finally:
        shutil.rmtree(root, ignore_errors=True)


_numbers = itertools.count()


def fresh_database(server_url: str) -> str:
    """A new empty database on the server behind `server_url`; returns its URL."""
    return _create_database(server_url, f"t{os.getpid()}_{next(_numbers)}")


def _create_database(server_url: str, name: str) -> str:
    url = sa.make_url(server_url)
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")  # CREATE DATABASE refuses a transaction
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
    finally:
        engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    skip_or_fail()
    with running_postgres() as url:
        yield url
