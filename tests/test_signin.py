"""Sign-in (KDLAB_AUTH=accounts and oidc): accounts, passwords, join codes, roles, and that a signed-in
learner reaches no other learner's records through any page, URL parameter or export.

The library (kdlab.practice.accounts) is tested against a real SQLite file; the pages through
Streamlit's AppTest, each test with a database of its own. OIDC cannot run end to end here
(no provider): its tests give AppTest the claims st.user would hold and the [auth] secrets.
"""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from kdlab import cli
from kdlab.practice import schema
from kdlab.practice.accounts import (
    LOCK_BASE_S,
    MAX_FAILURES,
    REASONS,
    Accounts,
    OidcIdentity,
    SignInError,
    auth_mode,
    display_name,
    lock_seconds,
    oidc_problems,
    oidc_providers,
    teacher_emails,
)
from kdlab.practice.bank import load_bank
from kdlab.practice.progress import make_engine, open_store
from tests import pg_server
from tests.test_app import APP, open_url

postgres_url = pg_server.postgres_url  # the session's PostgreSQL server (a pytest fixture)

BANK = load_bank()
QID_A, QID_B = "c09-overfitting", "c04-cnn"  # A's question and B's; both have a quiz
TITLE_A, TITLE_B = BANK.get(QID_A, "en").title, BANK.get(QID_B, "en").title
PW_A, PW_B = "alpha password", "bravo password"
B_SECRET = "B's private answer about pooling"  # B's typed answer: must never reach A
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
AUTH = {  # a complete [auth] section of .streamlit/secrets.toml, one provider
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a long random secret for the test",
    "client_id": "kdlab",
    "client_secret": "client secret",
    "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
}


@pytest.fixture
def url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'progress.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def any_url(request, tmp_path) -> str:
    """An empty database: a SQLite file, or a database on the session's PostgreSQL server (as in test_progress)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'progress.db'}"
    pg_server.skip_or_fail()
    return pg_server.fresh_database(request.getfixturevalue("postgres_url"))


@pytest.fixture
def accounts(any_url):
    with open_store(any_url) as store:
        yield Accounts(store)


@pytest.fixture
def db(url, monkeypatch) -> str:
    """The app's database (empty but for the two learners' accounts), with KDLAB_AUTH=accounts."""
    monkeypatch.setenv("KDLAB_DATABASE_URL", url)
    monkeypatch.setenv("KDLAB_AUTH", "accounts")
    return url


def seed(url: str) -> None:
    """Learners A and B with passwords; B has a full history (quiz, self-grade, a due review, a mock)."""
    with open_store(url) as store:
        acc = Accounts(store)
        a, _ = acc.add("A", PW_A)
        b, _ = acc.add("B", PW_B)
        yesterday = datetime.now(UTC) - timedelta(days=1)
        store.record_quiz(b.learner, QID_B, 0, False, "en", now=yesterday)
        store.record_self_grade(b.learner, QID_B, True, "en", answer=B_SECRET, now=yesterday)
        store.rate(b.learner, QID_B, "again", "en", answer=B_SECRET, now=yesterday - timedelta(days=3))
        store.rate(
            b.learner, "c01-machine-learning", "hard", "en", mock="b-mock", seconds=30.0, now=yesterday
        )
        store.rate(a.learner, QID_A, "again", "en", now=yesterday - timedelta(days=3))  # due now for A


def history(url: str, name: str) -> list[dict]:
    with open_store(url) as store:
        found = Accounts(store).find(name)
        return store.history(found.learner)


def start(
    learner: str | None = None, lang: str = "en", user: dict | None = None, secrets: dict | None = None
):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    if learner:
        at.query_params["learner"] = learner
    if user is not None:
        at.user = user
    if secrets:
        for key, value in secrets.items():
            at.secrets[key] = value
    return at.run()


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.sidebar.text_input(key="signin_name").input(name)
    at.sidebar.text_input(key="signin_password").input(password)
    return at.sidebar.button(key="signin_submit").click().run()


def join(at: AppTest, code: str, name: str, password: str, again: str | None = None) -> AppTest:
    at.sidebar.text_input(key="join_code").input(code)
    at.sidebar.text_input(key="join_name").input(name)
    at.sidebar.text_input(key="join_password").input(password)
    at.sidebar.text_input(key="join_password2").input(password if again is None else again)
    return at.sidebar.button(key="join_submit").click().run()


def signed_in_as(at: AppTest) -> str | None:
    for m in at.sidebar.markdown:
        if m.value.startswith("Signed in as **"):
            return m.value.split("**")[1]
    return None


def page_text(at: AppTest) -> str:
    parts = [
        e.value
        for kind in ("markdown", "caption", "info", "success", "error", "warning")
        for e in at.get(kind)
    ]
    parts += [h.value for h in at.header] + [h.value for h in at.subheader]
    parts += [link.proto.label for link in at.get("page_link")]
    return "\n".join(str(p) for p in parts)


def url_params(at: AppTest) -> dict:
    return dict(at.query_params)


# The mode


def test_the_mode_defaults_to_none_and_an_unknown_one_is_refused():
    assert auth_mode({}) == auth_mode({"KDLAB_AUTH": ""}) == "none"
    assert auth_mode({"KDLAB_AUTH": " Accounts "}) == "accounts"
    assert auth_mode({"KDLAB_AUTH": "oidc"}) == "oidc"
    with pytest.raises(ValueError, match="KDLAB_AUTH must be one of none, accounts, oidc"):
        auth_mode({"KDLAB_AUTH": "acounts"})


def test_every_refusal_is_translated_in_both_languages():
    from kdlab.core.i18n import catalog

    for lang in ("en", "zh"):
        assert not [r for r in REASONS if f"signin.{r}" not in catalog(lang)], lang


# Accounts, passwords and roles (the library)


def test_passwords_are_stored_hashed_never_in_plain_text(accounts, tmp_path):
    accounts.add("Ada", "correct horse battery")
    generated = accounts.add("Alan")[1]
    code = accounts.new_join_code().code
    accounts.join(code, "Grace", "grace's own password")
    secrets = ("correct horse battery", generated, "grace's own password", code, code.replace("-", ""))
    with accounts.store.engine.connect() as conn:
        hashes = conn.execute(sa.select(schema.learners.c.name, schema.learners.c.password_hash)).all()
        cells = [str(v) for table in (schema.learners, schema.join_codes) for row in conn.execute(sa.select(table))
                 for v in row]  # fmt: skip
    assert len(hashes) == 3 and all(h.startswith("$argon2id$") for _, h in hashes)
    assert not [c for c in cells if any(s in c for s in secrets)]
    accounts.store.close()
    # SQLite: nothing in the database's files (the WAL too) holds a password or the join code.
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("progress.db*"))
    assert not [s for s in secrets if s.encode() in raw]


def test_sign_in_takes_the_right_password_only_and_normalises_the_name(accounts):
    made, _ = accounts.add("  Ada   Lovelace ", "correct horse battery")
    assert made.name == "Ada Lovelace" and not made.teacher
    assert accounts.sign_in("ada lovelace", "correct horse battery").id == made.id
    assert accounts.sign_in("ADA  LOVELACE", "correct horse battery").name == "Ada Lovelace"
    for name, password in [
        ("Ada Lovelace", "Correct horse battery"),  # passwords are case-sensitive
        ("Ada Lovelace", ""),
        ("Ada Lovelace", "x" * 10_000),
        ("Nobody", "correct horse battery"),
        ("", "correct horse battery"),
        ("\x00", "correct horse battery"),
    ]:
        with pytest.raises(SignInError) as refused:
            accounts.sign_in(name, password)
        assert refused.value.reason == "wrong"  # the same answer whether or not the name exists


def test_failed_sign_ins_lock_the_name_for_longer_and_longer(accounts):
    accounts.add("Ada", "correct horse battery")
    now = T0
    for i in range(1, MAX_FAILURES + 1):
        with pytest.raises(SignInError) as refused:
            accounts.sign_in("Ada", f"guess {i}", now=now)
        assert refused.value.reason == "wrong"
        assert refused.value.wait == (LOCK_BASE_S if i == MAX_FAILURES else 0)
    # Locked: even the right password is refused, without being checked, until the time is up.
    with pytest.raises(SignInError) as refused:
        accounts.sign_in("Ada", "correct horse battery", now=now + timedelta(seconds=30))
    assert refused.value.reason == "locked" and refused.value.wait == LOCK_BASE_S - 30
    # Each further failure doubles the lock.
    now += timedelta(seconds=LOCK_BASE_S)
    with pytest.raises(SignInError) as refused:
        accounts.sign_in("Ada", "guess 6", now=now)
    assert refused.value.wait == 2 * LOCK_BASE_S == lock_seconds(MAX_FAILURES + 1)
    assert lock_seconds(100) == 3600
    # A teacher unlocks it; a right password clears the count.
    accounts.unlock("ada")
    assert accounts.sign_in("Ada", "correct horse battery", now=now).name == "Ada"
    assert accounts.find("Ada").failed_signins == 0 and accounts.find("Ada").locked_until is None


def test_parallel_guesses_share_one_budget(accounts):
    """The attempt is counted before the password is checked: two sessions cannot both use the last try."""
    import threading

    accounts.add("Ada", "correct horse battery")
    reasons: list[str] = []

    def guess(i: int) -> None:
        try:
            accounts.sign_in("Ada", f"guess {i}", now=T0)
        except SignInError as err:
            reasons.append(err.reason)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert reasons.count("wrong") == MAX_FAILURES and reasons.count("locked") == 12 - MAX_FAILURES


def test_the_teacher_role(accounts):
    teacher, _ = accounts.add("Grace", "grace's own password", teacher=True)
    assert teacher.teacher and accounts.sign_in("grace", "grace's own password").teacher
    learner, _ = accounts.add("Alan")
    assert not learner.teacher
    assert accounts.set_teacher("alan").teacher and not accounts.set_teacher("ALAN", False).teacher
    with pytest.raises(SignInError, match="no learner"):
        accounts.set_teacher("Nobody")


def test_bad_account_input_is_refused_with_its_reason(accounts):
    cases = [
        (lambda: accounts.add("", "long enough"), "name_empty"),
        (lambda: accounts.add("   ", "long enough"), "name_empty"),
        (lambda: accounts.add("x" * 41, "long enough"), "name_long"),
        (lambda: accounts.add("a\x07b", "long enough"), "name_chars"),
        (lambda: accounts.add("Ada", "short"), "password_short"),
        (lambda: accounts.add("Ada", "x" * 129), "password_long"),
        (lambda: accounts.new_join_code(days=0), "code_days"),
        (lambda: accounts.new_join_code(days=91), "code_days"),
        (lambda: accounts.new_join_code(max_uses=0), "code_uses"),
    ]
    for call, reason in cases:
        with pytest.raises(SignInError) as refused:
            call()
        assert refused.value.reason == reason
    accounts.add("Ada", "long enough")
    with pytest.raises(SignInError) as refused:
        accounts.add("ADA", "another one")
    assert refused.value.reason == "name_taken"


def test_a_join_code_creates_accounts_until_it_expires_or_is_used_up(accounts):
    code = accounts.new_join_code(days=7, max_uses=2, now=T0)
    assert code.expires_at == T0 + timedelta(days=7)
    alan = accounts.join(code.code.lower().replace("-", " "), " Alan ", "alan's password", now=T0)
    assert alan.name == "Alan" and alan.has_password and not alan.teacher
    assert accounts.sign_in("alan", "alan's password").id == alan.id

    def refused(code_text: str, name: str, when: datetime = T0) -> str:
        with pytest.raises(SignInError) as caught:
            accounts.join(code_text, name, "a password", now=when)
        return caught.value.reason

    assert refused(code.code, "alan") == "name_taken"  # nobody takes over an existing learner
    assert refused("ABCD-EFGH-JKLM", "Barbara") == "code_unknown"
    assert refused("nonsense", "Barbara") == "code_unknown"
    assert refused(code.code, "Barbara", T0 + timedelta(days=7)) == "code_expired"
    accounts.join(code.code, "Barbara", "a password", now=T0)
    assert refused(code.code, "Claude") == "code_used_up"
    other = accounts.new_join_code(now=T0)
    assert accounts.expire_join_code(other.code, now=T0) and refused(other.code, "Claude") == "code_expired"


def test_a_name_typed_before_sign_in_existed_keeps_its_history_when_a_teacher_gives_it_a_password(accounts):
    store = accounts.store
    ada = store.learner("Ada")  # KDLAB_AUTH=none: a typed name, no password
    store.record_quiz(ada, QID_A, 0, True, "en")
    with pytest.raises(SignInError):
        accounts.sign_in("Ada", "anything at all")
    code = accounts.new_join_code()
    with pytest.raises(SignInError, match="already has an account"):
        accounts.join(code.code, "ada", "not hers to take")
    account, password = accounts.add("ADA")
    assert account.id == ada.id and len(store.history(accounts.sign_in("Ada", password).learner)) == 1


def test_a_version_2_database_migrates_with_its_learners_as_non_teachers_without_passwords(any_url):
    engine = make_engine(any_url)
    with engine.execution_options(kdlab_write=True).begin() as conn:
        assert schema.migrate(conn, target=2) == (0, 2)
        # Rows as version 2 wrote them: the inserts name only version-2 columns.
        conn.execute(sa.insert(schema.learners).values(id=1, key="ada", name="Ada", created_at=T0))
        conn.execute(sa.insert(schema.attempts).values(learner_id=1, question_id="c03", kind="quiz",
                                                       correct=True, lang="en", at=T0))  # fmt: skip
    engine.dispose()
    with open_store(any_url) as store:
        with store.engine.connect() as conn:
            assert schema.current_version(conn) == schema.SCHEMA_VERSION
        acc = Accounts(store)
        ada = acc.find("ada")
        assert (ada.name, ada.teacher, ada.has_password, ada.failed_signins) == ("Ada", False, False, 0)
        assert len(store.history(ada.learner)) == 1
        acc.set_password("Ada", "a new password")
        assert acc.sign_in("ada", "a new password").id == 1


# OpenID Connect (the mapping; the provider itself cannot run here)


def test_oidc_claims_map_to_one_learner_per_issuer_and_subject(accounts):
    claims = {"iss": "https://idp.example", "sub": "u-1", "name": " Ada  Lovelace ", "email": "Ada@School.example",
              "email_verified": True, "is_logged_in": True}  # fmt: skip
    ada = OidcIdentity.from_claims(claims)
    assert (ada.name, ada.email) == ("Ada Lovelace", "Ada@School.example")
    first = accounts.oidc_account(ada)
    assert accounts.oidc_account(ada).id == first.id and not first.teacher and not first.has_password
    # The same display name from another subject or issuer is someone else.
    namesake = accounts.oidc_account(OidcIdentity.from_claims(claims | {"sub": "u-2"}))
    elsewhere = accounts.oidc_account(OidcIdentity.from_claims(claims | {"iss": "https://other.example"}))
    assert len({first.id, namesake.id, elsewhere.id}) == 3
    # No typed name reaches an OIDC learner: KDLAB_AUTH=none's typed name is another learner, and
    # a password sign-in by name finds nobody.
    assert accounts.store.learner("Ada Lovelace").id not in {first.id, namesake.id}
    assert accounts.store.learner(ada.key[:40]).id != first.id  # a whole key is too long for a name
    with pytest.raises(SignInError):
        accounts.sign_in(ada.key, "anything at all")
    assert first.name not in [a.name for a in accounts.all() if a.id == first.id]
    # A name change at the provider follows.
    assert accounts.oidc_account(OidcIdentity.from_claims(claims | {"name": "Ada K."})).name == "Ada K."


def test_oidc_teachers_come_from_an_allow_list_of_verified_emails(accounts):
    teachers = teacher_emails("grace@school.example, ALAN@school.example", ["ada@school.example"])
    assert teachers == {"grace@school.example", "alan@school.example", "ada@school.example"}
    base = {"iss": "https://idp.example", "name": "Grace"}

    def role(**claims) -> bool:
        return accounts.oidc_account(OidcIdentity.from_claims(base | claims), teachers).teacher

    assert role(sub="1", email="Grace@School.example", email_verified=True)
    assert role(sub="2", email="alan@school.example")  # the provider does not say: trusted
    assert not role(sub="3", email="grace@school.example", email_verified=False)
    assert not role(sub="4", email="someone@school.example", email_verified=True)
    assert not role(sub="5")
    assert role(sub="1", email="grace@school.example") and not role(sub="1", email="other@school.example")


def test_oidc_claims_without_a_subject_are_refused():
    for claims in ({}, {"iss": "https://idp.example"}, {"sub": "u-1"}, {"iss": " ", "sub": "u-1"}):
        with pytest.raises(SignInError) as refused:
            OidcIdentity.from_claims(claims)
        assert refused.value.reason == "oidc_incomplete"
    assert OidcIdentity.from_claims({"iss": "i", "sub": "s", "email": "ada@x.example"}).name == "ada"
    assert display_name(None, "\x07\x08", 3) == "?" and len(display_name("x" * 100)) == 40


def test_oidc_configuration_problems_are_named():
    assert oidc_problems(None) == oidc_problems({}) == ["[auth]"]
    assert oidc_problems(AUTH) == [] and oidc_providers(AUTH) == [None]
    assert oidc_problems({k: v for k, v in AUTH.items() if k != "cookie_secret"}) == ["cookie_secret"]
    assert "redirect_uri (…/oauth2callback)" in oidc_problems(
        AUTH | {"redirect_uri": "http://localhost:8501/"}
    )
    shared = {k: AUTH[k] for k in ("redirect_uri", "cookie_secret")}
    assert oidc_problems(shared) == ["client_id", "client_secret", "server_metadata_url"]
    named = shared | {"google": {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")},
                      "microsoft": {"client_id": "x"}, "client_kwargs": {"prompt": "login"}}  # fmt: skip
    assert oidc_providers(named) == ["google", "microsoft"]
    assert oidc_problems(named) == ["[auth.microsoft] client_secret", "[auth.microsoft] server_metadata_url"]


# The command line


def test_the_command_line_manages_accounts_and_join_codes(url, monkeypatch, capsys):
    def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = cli.main(["accounts", "--database", url, *args])
        out, err = capsys.readouterr()
        return code, out, err

    code, out, _ = run("add", "Ada", "--teacher")
    password = out.split("password: ")[1].strip()
    assert code == 0 and "Ada (teacher): password set" in out and len(password) == 14
    assert run("add", "Alan", "--password-stdin", stdin="alan's password\n")[:2] == (
        0,
        "Alan: password set\n",
    )
    code, _, err = run("add", "alan")
    assert code == 2 and "already has an account" in err and "Traceback" not in err
    code, _, err = run("add", "Bob", "--password-stdin", stdin="short\n")
    assert code == 2 and "at least 8 characters" in err
    code, out, err = run("join-code", "--days", "3", "--uses", "30")
    join_code = out.strip()
    assert code == 0 and len(join_code) == 14 and "30 uses" in err
    assert run("join-code", "--days", "0")[0] == 2
    assert run("teacher", "alan")[1] == "Alan: teacher\n"
    assert run("teacher", "alan", "--off")[1] == "Alan: learner\n"
    code, out, _ = run("password", "alan")
    new_password = out.split("password: ")[1].strip()
    assert run("list")[1] == "Ada\tteacher\tpassword\nAlan\tlearner\tpassword\n"
    assert run("teacher", "nobody")[0] == 2
    assert run("expire-code", join_code)[:2] == (0, "expired\n")
    assert run("expire-code", "ABCD-EFGH-JKLM")[0] == 2
    with open_store(url) as store:
        acc = Accounts(store)
        assert acc.sign_in("ada", password).teacher and acc.sign_in("alan", new_password).name == "Alan"
        with pytest.raises(SignInError, match="expired"):
            acc.join(join_code, "Zoe", "zoe's password")


def test_the_command_line_says_when_the_database_cannot_be_opened(tmp_path, capsys):
    missing = f"sqlite:///{tmp_path / 'no' / 'such' / 'progress.db'}"
    assert cli.main(["accounts", "--database", missing, "list"]) == 2
    assert "Progress tracking is unavailable" in capsys.readouterr().err


# The pages: KDLAB_AUTH=accounts


def test_the_url_grants_no_identity_and_is_dropped(db):
    seed(db)
    before = len(history(db, "B"))
    at = start(learner="B")
    assert not at.exception
    assert "learner" not in url_params(at)
    assert signed_in_as(at) is None and not [w for w in at.sidebar.text_input if w.key == "learner_name"]
    assert "due for review" not in page_text(at) and f"now · {TITLE_B}" not in page_text(at)
    # Not signed in: nothing of B's on the progress page, nothing saved as B from a question page.
    at = open_url(at, "progress")
    assert any("sign in" in i.value for i in at.info) and not at.get("download_button")
    at = open_url(at, QID_B)
    item = BANK.get(QID_B, "en").quiz[0]
    at.radio(key=f"quiz_{QID_B}_0").set_value(item.answer).run()
    at.main.button[0].click().run()  # the model answer
    assert not at.exception
    assert not [b for b in at.main.button_group if b.key and b.key.startswith("rate_")]
    assert not any("Next review" in s.value for s in at.success)
    assert len(history(db, "B")) == before and len(history(db, "A")) == 1


def test_a_wrong_password_is_refused_with_a_message(db):
    seed(db)
    at = sign_in(start(), "A", "not the password")
    assert not at.exception
    assert signed_in_as(at) is None
    assert [e.value for e in at.sidebar.error] == ["Wrong name or password."]
    assert at.sidebar.text_input(key="signin_password").value == ""  # not kept in the form
    at = sign_in(at, "Nobody", PW_A)
    assert [e.value for e in at.sidebar.error] == ["Wrong name or password."]
    for _ in range(MAX_FAILURES - 1):
        at = sign_in(at, "a", "still not it")
    assert "Too many failed attempts" in at.sidebar.error[0].value
    at = sign_in(at, "A", PW_A)  # locked now, even with the right password
    assert signed_in_as(at) is None and "try again in 1 min" in at.sidebar.error[0].value


def test_home_shows_only_the_signed_in_learners_reviews(db):
    seed(db)
    at = sign_in(start(learner="B"), " a ", PW_A)
    assert not at.exception and signed_in_as(at) == "A"
    text = page_text(at)
    assert "A, 1 question is due" in text and f"now · {TITLE_A}" in text
    assert f"· {TITLE_B}" not in text and "B," not in text
    at.query_params["learner"] = "B"  # a link edited while signed in
    at.run()
    assert signed_in_as(at) == "A" and "learner" not in url_params(at)
    assert f"· {TITLE_B}" not in page_text(at)


def test_the_question_page_reads_and_writes_only_the_signed_in_learners_records(db):
    seed(db)
    b_before = history(db, "B")
    at = open_url(sign_in(start(learner="B"), "A", PW_A), QID_B)
    item = BANK.get(QID_B, "en").quiz[0]
    at.radio(key=f"quiz_{QID_B}_0").set_value(item.answer).run()
    at.main.button[0].click().run()  # the model answer; B's review of this question is not A's
    assert not at.exception and not any("Next review" in s.value for s in at.success)
    at.button_group(key=f"rate_{QID_B}").set_value("easy").run()
    assert not at.exception and any("next review" in s.value.lower() for s in at.success)
    assert history(db, "B") == b_before
    mine = [(r["question_id"], r["kind"], r["correct"], r["rating"]) for r in history(db, "A")]
    assert (QID_B, "quiz", True, None) in mine and (QID_B, "review", None, "easy") in mine


def test_the_mock_interview_saves_as_the_signed_in_learner(db):
    seed(db)
    b_before = history(db, "B")
    at = open_url(sign_in(start(learner="B"), "A", PW_A), "mock-interview")
    at.slider[0].set_value(1)
    at.main.button[0].click().run()  # start
    at.main.button[0].click().run()  # the model answer
    at.button(key="mock_rate_good").click().run()
    assert not at.exception and any(h.value == "Summary" for h in at.subheader)
    assert history(db, "B") == b_before
    assert [r["rating"] for r in history(db, "A") if r["mock"]] == ["good"]


def test_progress_and_export_hold_only_the_signed_in_learners_records(db, monkeypatch):
    seed(db)
    exported: list[bytes] = []
    original = st.download_button

    def spy(label, data, *args, **kwargs):
        exported.append(data)
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", spy)
    at = open_url(sign_in(start(learner="B"), "A", PW_A), "progress")
    assert not at.exception
    ratings = next(m for m in at.metric if m.label == "Ratings")
    assert ratings.value == "1"  # A's one rating; B has two
    csv = exported[-1].decode("utf-8-sig")
    assert QID_A in csv and QID_B not in csv and "b-mock" not in csv and B_SECRET not in csv
    assert B_SECRET not in page_text(at) and TITLE_B not in page_text(at)


def test_signing_out_forgets_the_learner_and_the_session(db):
    seed(db)
    at = open_url(sign_in(start(), "A", PW_A), QID_A)
    at.main.text_area(key=f"draft_{QID_A}").input("A's draft").run()
    at.sidebar.button(key="signin_out").click().run()
    assert not at.exception and signed_in_as(at) is None
    assert at.main.text_area(key=f"draft_{QID_A}").value == ""  # the next person does not see it
    at = open_url(at, "progress")
    assert any("sign in" in i.value for i in at.info) and not at.get("download_button")
    at = open_url(at, "home")
    assert "due for review" not in page_text(at)


def test_a_join_code_makes_an_account_and_signs_in(db):
    with open_store(db) as store:
        acc = Accounts(store)
        code = acc.new_join_code(days=1)
        old = acc.new_join_code(days=1, now=datetime.now(UTC) - timedelta(days=2))
    at = join(start(), code.code, "Zoe", "zoe's password", again="zoe's passw0rd")
    assert "differ" in at.sidebar.error[0].value and signed_in_as(at) is None
    at = join(at, old.code, "Zoe", "zoe's password")
    assert "expired" in at.sidebar.error[0].value and signed_in_as(at) is None
    at = join(at, "WXYZ-WXYZ-WXYZ", "Zoe", "zoe's password")
    assert "not valid" in at.sidebar.error[0].value
    at = join(at, code.code, "", "zoe's password")
    assert at.sidebar.error[0].value == "Type a name."
    at = join(at, code.code, "Zoe", "short")
    assert at.sidebar.error[0].value == "A password has at least 8 characters."
    at = join(at, code.code.lower(), "Zoe", "zoe's password")
    assert not at.exception and signed_in_as(at) == "Zoe"
    assert "Welcome, Zoe" in at.sidebar.success[0].value
    with open_store(db) as store:
        assert Accounts(store).sign_in("zoe", "zoe's password").name == "Zoe"


def test_a_teacher_makes_join_codes_and_accounts_in_the_sidebar_and_a_learner_cannot(db):
    seed(db)
    with open_store(db) as store:
        Accounts(store).add("Grace", "grace's password", teacher=True)
    learner = sign_in(start(), "A", PW_A)
    assert not [b for b in learner.sidebar.button if (b.key or "").startswith("teacher_")]
    at = sign_in(start(lang="zh"), "grace", "grace's password")
    assert any("已登录：**Grace** · 教师" in m.value for m in at.sidebar.markdown)
    at.sidebar.number_input(key="teacher_code_uses").set_value(2)
    at.sidebar.button(key="teacher_code_submit").click().run()
    code = at.sidebar.code[0].value
    assert not at.exception and "最多 2 个账号" in " ".join(c.value for c in at.sidebar.caption)
    at.sidebar.text_input(key="teacher_add_name").input("Alan")
    at.sidebar.button(key="teacher_add_submit").click().run()
    password = at.sidebar.code[-1].value
    at.sidebar.text_input(key="teacher_add_name").input("alan")
    at.sidebar.button(key="teacher_add_submit").click().run()
    assert "已经有账号" in at.sidebar.error[0].value
    with open_store(db) as store:
        acc = Accounts(store)
        assert acc.sign_in("Alan", password).name == "Alan"
        assert acc.join(code, "Barbara", "barbara's password").name == "Barbara"


def test_an_unknown_mode_lets_nobody_in(db, monkeypatch):
    seed(db)
    monkeypatch.setenv("KDLAB_AUTH", "acounts")
    at = start(learner="A")
    assert not at.exception and "learner" not in url_params(at)
    assert '"acounts"' in at.sidebar.error[0].value
    at = open_url(at, "progress")
    assert any("sign in" in i.value for i in at.info)


@pytest.mark.parametrize("mode", ["", "none", "NONE"])
def test_without_sign_in_the_typed_name_works_as_before(mode, url, monkeypatch):
    monkeypatch.setenv("KDLAB_DATABASE_URL", url)
    monkeypatch.setenv("KDLAB_AUTH", mode)
    at = start(learner="Ada")
    assert not at.exception and at.sidebar.text_input(key="learner_name").value == "Ada"
    assert url_params(at)["learner"] == "Ada" and signed_in_as(at) is None
    assert not [w for w in at.sidebar.text_input if w.key == "signin_name"]


# The pages: KDLAB_AUTH=oidc


@pytest.fixture
def oidc_db(url, monkeypatch) -> str:
    monkeypatch.setenv("KDLAB_DATABASE_URL", url)
    monkeypatch.setenv("KDLAB_AUTH", "oidc")
    monkeypatch.setenv("KDLAB_TEACHER_EMAILS", "grace@school.example")
    return url


USER = {"is_logged_in": True, "iss": "https://idp.example", "sub": "u-ada", "name": "Ada Lovelace",
        "email": "ada@school.example", "email_verified": True}  # fmt: skip


def test_oidc_signs_in_the_providers_user_and_saves_as_them(oidc_db):
    with open_store(oidc_db) as store:
        namesake = store.learner("Ada Lovelace")  # a typed name from KDLAB_AUTH=none days
        store.record_self_grade(namesake, QID_B, True, "en", answer=B_SECRET)
    at = start(learner="Ada Lovelace", user=USER, secrets={"auth": AUTH})
    assert not at.exception and signed_in_as(at) == "Ada Lovelace" and "learner" not in url_params(at)
    at = open_url(at, QID_A)
    at.main.button[0].click().run()
    at.button_group(key=f"rate_{QID_A}").set_value("hard").run()
    assert not at.exception
    with open_store(oidc_db) as store:
        me = Accounts(store).oidc_account(OidcIdentity.from_claims(USER))
        assert me.id != namesake.id and not me.teacher
        assert [r["rating"] for r in store.history(me.learner)] == ["hard"]
        assert len(store.history(namesake)) == 1
    at = open_url(at, "progress")
    assert B_SECRET not in page_text(at)


def test_oidc_teacher_from_the_allow_list(oidc_db):
    grace = USER | {"sub": "u-grace", "name": "Grace Hopper", "email": "Grace@school.example"}
    at = start(user=grace, secrets={"auth": AUTH})
    assert not at.exception
    assert any(m.value == "Signed in as **Grace Hopper** · teacher" for m in at.sidebar.markdown)


def test_oidc_sign_in_and_out_buttons(oidc_db, monkeypatch):
    asked: list = []
    monkeypatch.setattr(st, "login", lambda provider=None: asked.append(provider))
    at = start(user={"is_logged_in": False}, secrets={"auth": AUTH})
    assert not at.exception and signed_in_as(at) is None
    at.sidebar.button(key="signin_oidc_default").click().run()
    assert asked == [None]
    named = {k: AUTH[k] for k in ("redirect_uri", "cookie_secret")} | {
        "google": {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}
    }
    at = start(user={"is_logged_in": False}, secrets={"auth": named})
    assert at.sidebar.button(key="signin_oidc_google").label == "Sign in with google"
    at.sidebar.button(key="signin_oidc_google").click().run()
    assert asked == [None, "google"]
    # Signed in, then out: st.logout() clears st.user, and the session forgets the learner.
    at = start(user=USER, secrets={"auth": AUTH})
    assert signed_in_as(at) == "Ada Lovelace"
    at.sidebar.button(key="signin_out").click().run()
    assert not at.exception and signed_in_as(at) is None
    at = open_url(at, "progress")
    assert any("sign in" in i.value for i in at.info)


def test_oidc_without_secrets_says_what_is_missing_and_lets_nobody_in(oidc_db):
    at = start(learner="Ada Lovelace", user=USER)  # st.user says logged in, but nothing is configured
    assert not at.exception and signed_in_as(at) is None
    assert "lacks [auth]" in at.sidebar.error[0].value and "docs/deploy.md" in at.sidebar.error[0].value
    at = start(user=USER, secrets={"auth": {k: v for k, v in AUTH.items() if k != "client_secret"}})
    assert "lacks client_secret" in at.sidebar.error[0].value and signed_in_as(at) is None
    at = open_url(at, "progress")
    assert any("sign in" in i.value for i in at.info)


def test_oidc_claims_without_a_subject_are_refused_on_the_page(oidc_db):
    at = start(user={"is_logged_in": True, "email": "ada@school.example"}, secrets={"auth": AUTH})
    assert not at.exception and signed_in_as(at) is None
    assert "did not say who you are" in at.sidebar.error[0].value


def test_the_signed_in_identity_cannot_be_forged_through_session_state(db):
    """The identity is a SignedIn object; anything else under its key (the only thing a browser
    could put in session state is a widget's plain value) is ignored."""
    seed(db)
    at = start()
    at.session_state["_kdlab_signed_in"] = {"id": 2, "name": "B", "teacher": True, "mode": "accounts"}
    at = open_url(at, "progress")
    assert not at.exception and any("sign in" in i.value for i in at.info)
