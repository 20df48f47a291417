"""Account logic: creating, authenticating, verifying and loading users."""

import logging

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError

from pamong.accounts.models import (
    ADMIN,
    APPROVED,
    PENDING,
    REGISTERED,
    SUBMITTED,
    SUSPENDED,
    AccountEvent,
    User,
)
from pamong.accounts.passwords import hash_password, password_matches
from pamong.core.database import is_unique_violation
from pamong.core.logs import audit
from pamong.core.time import utcnow
from pamong.extensions import db

log = logging.getLogger(__name__)

VERIFY_SALT = "verify-email"

# A real hash to compare against when the email is unknown, so both answers
# take the same time.
_DUMMY_HASH = hash_password("pamong-desa-dummy-password")


class EmailTaken(Exception):
    """An account with this email address already exists."""


def normalise_email(email: str) -> str:
    """Trim an email address and lowercase it; addresses are unique caselessly.

    A domain written in other letters than ASCII becomes its ASCII (punycode)
    form, the form mail goes out with; an address without one stays as typed.
    """
    text = (email or "").strip().lower()
    if text.isascii():
        return text
    try:
        found = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return text
    return found.ascii_email.lower()


def find_by_email(email: str) -> User | None:
    """Return the account with this email address, if any."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_account(
    email: str, name: str, password: str, role: str = "official"
) -> User:
    """Create an account and commit it.

    :raises EmailTaken: when the address is already registered.
    """
    user = User(
        email=normalise_email(email),
        name=name,
        password_hash=hash_password(password),
        role=role,
        state=APPROVED if role == ADMIN else REGISTERED,
        privacy_version=current_app.config["PRIVACY_VERSION"],
    )
    db.session.add(user)
    try:
        db.session.flush()
        record(user, "registered")
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        if is_unique_violation(error):
            raise EmailTaken(email) from error
        raise

    audit("registration", user.id, role=role)
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the account if the password matches, else ``None``."""
    user = find_by_email(email)
    if user is None:
        password_matches(_DUMMY_HASH, password or "")
        return None
    if not password_matches(user.password_hash, password or ""):
        return None
    return user


class AccountFrozen(Exception):
    """The password was right, but an admin has frozen the account."""


def attempt_login(email: str, password: str) -> User | None:
    """Check a login, counting failures and honouring the lock.

    Returns the user when the password is right and the account may log in.
    An official whose address is not verified yet gets the same answer as a
    wrong password: otherwise signing up with someone's address and then
    logging in would tell whether that address already had an account.

    :raises AccountFrozen: when the password is right but the account is
        suspended; only someone who knows the password learns it.
    """
    from pamong.accounts import recovery

    user = find_by_email(email)
    if user is not None and recovery.is_locked(user):
        password_matches(_DUMMY_HASH, password or "")
        audit("login_locked", user.id)
        return None

    good = authenticate(email, password)
    if good is None:
        if user is not None and (user.is_admin or user.email_verified_at):
            recovery.note_failed_login(user)
        audit("login_failed", user.id if user else None)
        return None
    if not good.is_active:
        audit("login_suspended", good.id)
        raise AccountFrozen(good.email)
    if not good.is_admin and good.email_verified_at is None:
        audit("login_unverified", good.id)
        return None

    if not recovery.note_good_login(good):
        audit("login_locked", good.id)
        return None
    audit("login", good.id)
    return good


def end_sessions(user: User) -> None:
    """End every session and remember-me cookie of the account."""
    from pamong.accounts.models import new_session_key

    user.session_key = new_session_key()
    db.session.commit()


def set_password(user: User, password: str) -> None:
    """Change the password and end every other session of the account."""
    from pamong.accounts.models import new_session_key

    user.password_hash = hash_password(password)
    user.session_key = new_session_key()


def load_user(session_id: str) -> User | None:
    """Load the user of a session, if its key still matches and it is active."""
    user_id, _, key = (session_id or "").partition(":")
    if not user_id.isdigit() or not key:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_key != key or not user.is_active:
        return None
    return user


def record(user: User, action: str, note: str | None = None, actor=None) -> None:
    """Add one line to the account's history (committed by the caller)."""
    db.session.add(
        AccountEvent(
            user_id=user.id,
            actor_id=actor.id if actor is not None else None,
            action=action,
            note=note,
        )
    )


def _serializer() -> URLSafeTimedSerializer:
    """Return the signer for email verification links."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=VERIFY_SALT)


def make_verify_token(user: User) -> str:
    """Sign the account id with its current email address."""
    return _serializer().dumps({"id": user.id, "email": user.email})


def read_verify_token(token: str) -> tuple[User | None, str | None]:
    """Return the account a verification token names, or an error code.

    The error is ``"expired"`` or ``"invalid"``; a token whose account has since
    changed its email address is invalid.
    """
    max_age = current_app.config["VERIFY_TOKEN_HOURS"] * 3600
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        return None, "expired"
    except BadSignature:
        return None, "invalid"

    user = user_named_by(data)
    if user is None or user.email != data.get("email") or not user.is_active:
        return None, "invalid"
    return user, None


def user_named_by(data) -> User | None:
    """Return the account whose id a signed token carries, if it exists."""
    user_id = data.get("id") if isinstance(data, dict) else None
    if not isinstance(user_id, int) or not 0 < user_id < 2**31:
        return None
    return db.session.get(User, user_id)


def waits_for_verification(user: User | None) -> bool:
    """Tell whether an official's account exists whose address is unverified.

    Suspended accounts and admins never wait: nobody mails them a link.
    """
    return (
        user is not None
        and not user.is_admin
        and user.state != SUSPENDED
        and user.email_verified_at is None
    )


def confirm_sign_up(user: User, name: str, new_password: str | None) -> bool:
    """Verify the address with the name and password typed on the verify page.

    A ``new_password`` replaces the one given at sign-up (``None`` keeps it),
    and every other session ends either way, so nobody who signed up with
    someone else's address keeps a way in. Returns ``False`` when the address
    was already verified; then nothing changes.
    """
    from pamong.accounts.models import new_session_key

    password_hash = hash_password(new_password) if new_password else None
    if not _claim_verification(user):
        return False
    user.name = name
    if password_hash is not None:
        user.password_hash = password_hash
    user.session_key = new_session_key()
    record(user, "email_verified")
    db.session.commit()

    audit("email_verified", user.id)
    return True


def confirm_email(user: User) -> bool:
    """Mark the address verified and, if the steps are done, queue the account.

    Returns ``False`` when the address was already verified; verifying twice
    changes nothing.
    """
    if not _claim_verification(user):
        return False
    record(user, "email_verified")
    db.session.commit()

    audit("email_verified", user.id)
    return True


def _claim_verification(user: User) -> bool:
    """Mark the address verified by one conditional UPDATE; ``False`` if it was.

    Two presses of the button at once both read an unverified account; only
    the one whose UPDATE changes the row goes on, the other changes nothing.
    """
    claimed = db.session.execute(
        update(User)
        .where(User.id == user.id, User.email_verified_at.is_(None))
        .values(
            email_verified_at=utcnow(),
            state=case((User.state == SUBMITTED, PENDING), else_=User.state),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        return False
    db.session.expire(user, ["email_verified_at", "state"])
    return True
