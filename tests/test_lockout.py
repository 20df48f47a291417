"""The lock after failed logins: counted exactly, lifted by time, mailed sparingly."""

from datetime import timedelta

from sqlalchemy import select, update

from pamong.accounts.models import User
from pamong.accounts.recovery import LOCK_MAIL_QUIET, LOCK_SUBJECT
from pamong.core.time import utcnow
from pamong.extensions import db
from pamong.mailer.models import OutboxMail
from tests.conftest import csrf_from
from tests.helpers import Official
from tests.test_concurrency import run_together
from tests.test_registration_flow import path_of

WRONG = "salah-sekali-123"


def account(app, email: str) -> User:
    """Return the account with this address, detached."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge(user)
        return user


def lock_mails(app, email: str) -> list[OutboxMail]:
    """Return the lock mails queued for an address, detached."""
    with app.app_context():
        mails = db.session.scalars(
            select(OutboxMail).where(
                OutboxMail.recipient == email, OutboxMail.subject == LOCK_SUBJECT
            )
        ).all()
        db.session.expunge_all()
        return mails


def shift(app, email: str, **values) -> None:
    """Set columns of an account directly, as if time had passed."""
    with app.app_context():
        db.session.execute(update(User).where(User.email == email).values(**values))
        db.session.commit()


def let_lock_run_out(app, email: str) -> None:
    """Move the account's lock into the past."""
    shift(app, email, locked_until=utcnow() - timedelta(seconds=1))


def signed_up(app) -> Official:
    """Return an official with an account, logged out, and mail kept queued."""
    app.config["OUTBOX_WORKER"] = False
    official = Official(app.test_client())
    official.sign_up()
    return official


def fail(app, official: Official, times: int) -> None:
    """Log in with a wrong password a number of times from a stranger's client."""
    stranger = Official(app.test_client(), email=official.email)
    for _ in range(times):
        assert stranger.log_in(password=WRONG).status_code == 200


def can_log_in(app, official: Official) -> bool:
    """Whether the right password gets the official in now."""
    response = Official(app.test_client(), email=official.email).log_in(
        password=official.password
    )
    return response.status_code == 302


def unlock_link(mail: OutboxMail) -> str:
    """Return the path of the unlock link in a lock mail."""
    return path_of(next(word for word in mail.body.split() if "/buka-kunci/" in word))


def test_simultaneous_wrong_passwords_are_all_counted(app):
    """N wrong passwords sent at once count N failures and lock at the Nth."""
    official = signed_up(app)
    guesses = 12
    app.config["LOGIN_MAX_FAILURES"] = guesses
    strangers = [
        Official(app.test_client(), email=official.email) for _ in range(guesses)
    ]
    tokens = [csrf_from(s.client.get("/masuk").data) for s in strangers]

    def guess(stranger, token):
        """Post one wrong password with a token fetched beforehand."""
        return stranger.client.post(
            "/masuk",
            data={"csrf_token": token, "email": stranger.email, "password": WRONG},
        )

    responses = run_together(
        [lambda s=s, t=t: guess(s, t) for s, t in zip(strangers, tokens, strict=True)]
    )
    assert [r.status_code for r in responses] == [200] * guesses

    user = account(app, official.email)
    assert user.failed_logins == guesses
    assert user.locked_until is not None and user.locked_until > utcnow()
    assert len(lock_mails(app, official.email)) == 1
    assert not can_log_in(app, official)


def test_after_the_lock_runs_out_it_takes_the_full_count_again(app):
    """One wrong password after a lock expired does not lock again."""
    official = signed_up(app)
    fail(app, official, 5)
    assert not can_log_in(app, official)

    let_lock_run_out(app, official.email)
    fail(app, official, 1)
    user = account(app, official.email)
    assert user.failed_logins == 1
    assert user.locked_until is None
    assert can_log_in(app, official)

    fail(app, official, 4)
    assert account(app, official.email).locked_until is None
    fail(app, official, 1)
    assert account(app, official.email).locked_until is not None


def test_old_failures_are_forgotten(app):
    """Failures older than the lock time do not add up to a lock."""
    official = signed_up(app)
    fail(app, official, 4)
    minutes = app.config["LOGIN_LOCK_MINUTES"]
    long_ago = utcnow() - timedelta(minutes=minutes + 1)
    shift(app, official.email, last_failed_login_at=long_ago)
    fail(app, official, 1)
    user = account(app, official.email)
    assert user.failed_logins == 1
    assert user.locked_until is None


def test_other_changes_to_the_account_do_not_keep_old_failures(app):
    """Only the time of the last failure counts, not any later edit of the account."""
    official = signed_up(app)
    fail(app, official, 4)
    minutes = app.config["LOGIN_LOCK_MINUTES"]
    long_ago = utcnow() - timedelta(minutes=minutes + 1)
    shift(app, official.email, last_failed_login_at=long_ago, updated_at=utcnow())
    fail(app, official, 1)
    user = account(app, official.email)
    assert user.failed_logins == 1
    assert user.locked_until is None


def test_relocking_soon_sends_no_new_mail_and_the_first_link_lifts_it(app, mailbox):
    """A lock again within the quiet time: no second mail, the mailed link works."""
    official = signed_up(app)
    fail(app, official, 5)
    [mail] = lock_mails(app, official.email)
    link = unlock_link(mail)

    let_lock_run_out(app, official.email)
    fail(app, official, 5)
    assert account(app, official.email).locked_until > utcnow()
    assert len(lock_mails(app, official.email)) == 1

    client = app.test_client()
    page = client.get(link)
    done = client.post(link, data={"csrf_token": csrf_from(page.data)})
    assert b"Akun sudah dibuka" in done.data
    assert can_log_in(app, official)


def test_a_lock_after_the_quiet_time_is_mailed_again(app):
    """Once the quiet time is over, a new lock gets its own mail and link."""
    official = signed_up(app)
    fail(app, official, 5)
    [first] = lock_mails(app, official.email)
    earlier = utcnow() - LOCK_MAIL_QUIET - timedelta(minutes=1)
    with app.app_context():
        db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.id == first.id)
            .values(created_at=earlier)
        )
        db.session.commit()
    let_lock_run_out(app, official.email)

    fail(app, official, 5)
    mails = lock_mails(app, official.email)
    assert len(mails) == 2
    client = app.test_client()
    link = unlock_link(mails[1])
    page = client.get(link)
    done = client.post(link, data={"csrf_token": csrf_from(page.data)})
    assert b"Akun sudah dibuka" in done.data
    assert can_log_in(app, official)


def test_right_password_checked_while_a_burst_locks_is_refused(app, monkeypatch):
    """A lock that lands while the right password is being hashed keeps it out."""
    from pamong.accounts import services

    official = Official(app.test_client())
    official.sign_up()
    real_matches = services.password_matches

    def matches_while_locked_elsewhere(password_hash, password):
        """Let parallel guesses lock the account during the hash."""
        with db.engine.begin() as other:
            other.execute(
                update(User)
                .where(User.email == official.email)
                .values(failed_logins=5, locked_until=utcnow() + timedelta(minutes=15))
            )
        return real_matches(password_hash, password)

    monkeypatch.setattr(services, "password_matches", matches_while_locked_elsewhere)
    page = Official(app.test_client(), email=official.email).log_in()

    assert page.status_code == 200
    assert "Location" not in page.headers
    locked = account(app, official.email)
    assert locked.locked_until is not None
    assert locked.failed_logins == 5
