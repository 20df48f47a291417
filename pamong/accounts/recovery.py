"""Getting back in: password reset links, and the lock after failed logins.

Reset links are signed with a fingerprint of the current password hash and
the account state, so a link stops working once used (the hash changes), once
the password is changed some other way, and when the account is rejected or
suspended. After repeated failed logins an account is locked for a while and
its owner gets a mail with a link that lifts the lock.
"""

import hashlib
import logging
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from pamong.accounts.models import REJECTED, SUSPENDED, User
from pamong.accounts.services import (
    find_by_email,
    record,
    set_password,
    user_named_by,
)
from pamong.core.logs import audit
from pamong.core.time import utcnow
from pamong.extensions import db
from pamong.mailer.services import queue_mail

log = logging.getLogger(__name__)

RESET_SALT = "reset-password"
UNLOCK_SALT = "unlock-account"
BLOCKED_STATES = (REJECTED, SUSPENDED)


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

    The caller answers the same whether or not a mail was sent.
    """
    user = find_by_email(email)
    if user is None or user.state in BLOCKED_STATES:
        audit("password_reset_unknown", user.id if user else None)
        return

    token = _signer(RESET_SALT).dumps({"id": user.id, "fp": _fingerprint(user)})
    queue_mail(
        user.email,
        "Atur ulang kata sandi",
        "mail/reset.txt",
        user=user,
        link=_link(f"/sandi-baru/{token}"),
        minutes=current_app.config["RESET_TOKEN_MINUTES"],
    )
    db.session.commit()
    audit("password_reset_requested", user.id)


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
    """Count a failed login; lock the account and mail its owner at the limit."""
    config = current_app.config
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= config["LOGIN_MAX_FAILURES"] and not is_locked(user):
        minutes = config["LOGIN_LOCK_MINUTES"]
        user.locked_until = utcnow() + timedelta(minutes=minutes)
        token = _signer(UNLOCK_SALT).dumps(
            {"id": user.id, "until": user.locked_until.isoformat()}
        )
        queue_mail(
            user.email,
            "Akun dikunci sementara",
            "mail/locked.txt",
            user=user,
            link=_link(f"/buka-kunci/{token}"),
            minutes=minutes,
        )
        audit("account_locked", user.id)
    db.session.commit()


def note_good_login(user: User) -> None:
    """Forget earlier failures after a successful login."""
    if user.failed_logins or user.locked_until:
        user.failed_logins = 0
        user.locked_until = None
        db.session.commit()


def unlock(token: str) -> bool:
    """Lift the lock named by an unlock link; ``False`` if the link is stale."""
    try:
        data = _signer(UNLOCK_SALT).loads(token, max_age=24 * 3600)
    except (SignatureExpired, BadSignature):
        return False
    user = user_named_by(data)
    if user is None or user.locked_until is None:
        return False
    if user.locked_until.isoformat() != data.get("until"):
        return False

    user.locked_until = None
    user.failed_logins = 0
    db.session.commit()
    audit("account_unlocked", user.id)
    return True
