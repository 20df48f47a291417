"""Getting back in: password reset links, and the lock after failed logins.

Reset links are signed with a fingerprint of the current password hash and
the account state, so a link stops working once used (the hash changes), once
the password is changed some other way, and when the account is suspended or
changes state. A rejected official may still reset, to make the correction.

Failed logins are counted in the database with one atomic update, so parallel
guesses are all counted. Reaching the limit within the lock time locks the
account for a while and mails its owner a link that lifts the lock; once a
lock has run out, counting starts again. A re-lock soon after the last mail
sends no new mail: the link already mailed lifts it too.
"""

import hashlib
import logging
from datetime import datetime, timedelta
from types import SimpleNamespace

from flask import current_app, render_template
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import case, func, or_, select, update

from pamong.accounts.models import SUSPENDED, User
from pamong.accounts.services import (
    find_by_email,
    normalise_email,
    record,
    set_password,
    user_named_by,
    waits_for_verification,
)
from pamong.core.logs import audit
from pamong.core.time import utcnow
from pamong.extensions import db
from pamong.mailer.models import OutboxMail
from pamong.mailer.services import mailed_lately, queue_mail

log = logging.getLogger(__name__)

RESET_SALT = "reset-password"
UNLOCK_SALT = "unlock-account"
BLOCKED_STATES = (SUSPENDED,)
LOCK_SUBJECT = "Akun dikunci sementara"
RESET_SUBJECT = "Atur ulang kata sandi"
#: Reset mails one address receives per hour at most, from any number of networks.
RESET_MAILS_PER_HOUR = 5
#: After a lock mail, further locks within this time send no new mail.
LOCK_MAIL_QUIET = timedelta(hours=1)
_STAND_IN_HASH = "scrypt:32768:8:1$" + "0" * 16 + "$" + "0" * 128


def _signer(salt: str) -> URLSafeTimedSerializer:
    """Return the signer for one kind of link."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _fingerprint(user: User) -> str:
    """Summarise what must not change for a reset link to stay valid."""
    text = f"{user.password_hash}|{user.state}|{user.email}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _link(path: str) -> str:
    """Turn a path into an absolute link for a mail."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def request_reset(email: str) -> None:
    """Mail a reset link if the address belongs to an account that may use it.

    The caller answers the same whether or not a mail was sent, and every
    case counts the address's recent mails, signs a token and renders the
    mail, so none answers noticeably faster; only the outbox insert is left
    to tell them apart.
    """
    user = find_by_email(email)
    # A never verified account gets the verification link instead: its page
    # sets the name and password, so nothing a squatter typed survives.
    if waits_for_verification(user):
        from pamong.registration.signup import send_verification_again

        send_verification_again(user.email)
        return
    recent = mailed_lately(normalise_email(email), (RESET_SUBJECT,))
    allowed = (
        user is not None
        and user.state not in BLOCKED_STATES
        and recent < RESET_MAILS_PER_HOUR
    )
    target = user if allowed else _stand_in(email)
    token = _signer(RESET_SALT).dumps({"id": target.id, "fp": _fingerprint(target)})
    context = {
        "user": target,
        "link": _link(f"/sandi-baru/{token}"),
        "minutes": current_app.config["RESET_TOKEN_MINUTES"],
    }
    if not allowed:
        render_template("mail/reset.txt", **context)
        audit("password_reset_unknown", user.id if user else None)
        return

    user_id = user.id
    queue_mail(user.email, RESET_SUBJECT, "mail/reset.txt", **context)
    db.session.commit()
    audit("password_reset_requested", user_id)


def _stand_in(email: str) -> SimpleNamespace:
    """Return a made-up account to sign and render for when none may reset."""
    return SimpleNamespace(
        id=0, name="", email=email, state="", password_hash=_STAND_IN_HASH
    )


def read_reset_token(token: str) -> User | None:
    """Return the account a reset link names while the link is still valid."""
    max_age = current_app.config["RESET_TOKEN_MINUTES"] * 60
    try:
        data = _signer(RESET_SALT).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    user = user_named_by(data)
    if user is None or user.state in BLOCKED_STATES:
        return None
    if data.get("fp") != _fingerprint(user):
        return None
    return user


def reset_password(user: User, password: str) -> None:
    """Set the new password, lift any lock, and end every other session."""
    set_password(user, password)
    user.failed_logins = 0
    user.locked_until = None
    record(user, "password_reset")
    db.session.commit()
    audit("password_reset", user.id)


def is_locked(user: User) -> bool:
    """Whether failed logins have locked the account for now."""
    return user.locked_until is not None and user.locked_until > utcnow()


def note_failed_login(user: User) -> None:
    """Count a failed login; lock the account and mail its owner at the limit.

    The count is raised by one UPDATE and read back in the same transaction,
    so simultaneous failures are all counted and exactly one of them locks.
    It starts again from one when a lock has run out or when the last failed
    login is older than the lock time.
    """
    config = current_app.config
    now = utcnow()
    minutes = config["LOGIN_LOCK_MINUTES"]
    lapsed = User.locked_until.is_not(None) & (User.locked_until <= now)
    stale = User.locked_until.is_(None) & (
        User.last_failed_login_at.is_(None)
        | (User.last_failed_login_at < now - timedelta(minutes=minutes))
    )
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(
            failed_logins=case(
                (lapsed | stale, 1), else_=func.coalesce(User.failed_logins, 0) + 1
            ),
            locked_until=case((lapsed, None), else_=User.locked_until),
            last_failed_login_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    failures = db.session.scalar(select(User.failed_logins).where(User.id == user.id))
    if failures >= config["LOGIN_MAX_FAILURES"]:
        _lock(user, now, minutes)
    db.session.commit()


def _lock(user: User, now: datetime, minutes: int) -> None:
    """Lock an unlocked account and mail the owner, unless mailed just now."""
    until = now + timedelta(minutes=minutes)
    locked = db.session.execute(
        update(User)
        .where(User.id == user.id, User.locked_until.is_(None))
        .values(locked_until=until)
        .execution_options(synchronize_session=False)
    )
    if locked.rowcount != 1:
        return
    audit("account_locked", user.id)
    if _lock_mailed_since(user.email, now - LOCK_MAIL_QUIET):
        log.info("Account %s locked again; the earlier unlock mail serves", user.id)
        return

    token = _signer(UNLOCK_SALT).dumps({"id": user.id, "until": until.isoformat()})
    mail = queue_mail(
        user.email,
        LOCK_SUBJECT,
        "mail/locked.txt",
        user=user,
        link=_link(f"/buka-kunci/{token}"),
        minutes=minutes,
    )
    mail.created_at = now


def _lock_mailed_since(email: str, since: datetime) -> bool:
    """Whether a lock mail to this address was queued at or after ``since``."""
    return (
        db.session.scalar(
            select(OutboxMail.id)
            .where(
                OutboxMail.recipient == email,
                OutboxMail.subject == LOCK_SUBJECT,
                OutboxMail.created_at >= since,
            )
            .limit(1)
        )
        is not None
    )


def note_good_login(user: User) -> bool:
    """Forget earlier failures after a right password; ``False`` if locked now.

    A burst of parallel guesses may lock the account while this request's
    password was being checked; the reset happens only where no lock holds,
    so a right password in that burst is refused like every other.
    """
    now = utcnow()
    cleared = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.locked_until.is_(None), User.locked_until <= now),
        )
        .values(failed_logins=0, locked_until=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return cleared == 1


def unlock(token: str) -> bool:
    """Lift the lock named by an unlock link; ``False`` if the link is stale."""
    try:
        data = _signer(UNLOCK_SALT).loads(token, max_age=24 * 3600)
    except (SignatureExpired, BadSignature):
        return False
    user = user_named_by(data)
    if user is None or user.locked_until is None:
        return False
    if not _covers(data.get("until"), user.locked_until):
        return False

    user.locked_until = None
    user.failed_logins = 0
    db.session.commit()
    audit("account_unlocked", user.id)
    return True


def _covers(mailed_until, locked_until: datetime) -> bool:
    """Whether an unlock link lifts the current lock.

    A link lifts the lock it was mailed for and the re-locks of the quiet time
    after it, for which no new mail was sent.
    """
    try:
        mailed = datetime.fromisoformat(mailed_until)
    except (TypeError, ValueError):
        return False
    return mailed <= locked_until <= mailed + LOCK_MAIL_QUIET
