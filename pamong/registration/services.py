"""Registration logic: which step comes next, and saving each step.

Each ``save_*`` function either saves the whole step and commits, or saves
nothing and raises :class:`StepError` with messages per field.
"""

import logging
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from pamong.accounts.models import PENDING, REGISTERED, REJECTED, SUBMITTED, User
from pamong.accounts.services import make_verify_token, record
from pamong.core.database import is_unique_violation
from pamong.core.logs import audit
from pamong.core.time import utcnow
from pamong.documents.models import Document
from pamong.documents.services import discard_file
from pamong.extensions import db
from pamong.mailer.services import queue_mail
from pamong.registration.models import Profile

log = logging.getLogger(__name__)

STEPS = (
    ("registration.identity", "identity_done_at"),
    ("registration.position", "position_done_at"),
    ("registration.location", "location_done_at"),
)

EDITABLE = (REGISTERED, REJECTED)

VERIFY_SUBJECT = "Verifikasi email"


class StepError(Exception):
    """A step could not be saved; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class Identity:
    """Step 1 as checked: every value ready to store."""

    phone: str
    birth_place: str
    birth_date: date
    gender: str
    nik: str
    education: str
    nik_date_mismatch: bool
    nik_gender_mismatch: bool


def profile_of(user: User) -> Profile:
    """Return the official's profile, creating and committing an empty one if needed.

    Two requests of one official (a double tap, two tabs) may both find no
    profile; the one whose insert loses takes the row the other made.
    """
    if user.profile is not None:
        return user.profile

    db.session.add(Profile(user_id=user.id))
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        if not is_unique_violation(error):
            raise
        log.info("profile of user %s was made by a parallel request", user.id)
    db.session.refresh(user)
    return user.profile


def can_edit(user: User) -> bool:
    """Whether the official may still change the steps."""
    return user.state in EDITABLE


def steps_done(user: User) -> list[bool]:
    """Tell for each of the three steps whether it has been saved."""
    profile = user.profile
    return [
        profile is not None and getattr(profile, column) is not None
        for _endpoint, column in STEPS
    ]


def next_step_endpoint(user: User) -> str | None:
    """Return the endpoint of the first unfinished step, or ``None``."""
    if not can_edit(user):
        return None
    for (endpoint, _column), done in zip(STEPS, steps_done(user), strict=True):
        if not done:
            return endpoint
    return None


def may_open_step(user: User, number: int) -> bool:
    """A step opens once every step before it has been saved.

    When an admin asked for a correction of named steps, only those open, by
    whatever way they are reached (the step forms or the resumable upload).
    """
    if not (can_edit(user) and all(steps_done(user)[: number - 1])):
        return False

    from pamong.admin.services import correction_steps
    from pamong.registration.steps import STEP_KEYS

    named = correction_steps(user)
    return not named or STEP_KEYS[number - 1] in named


def save_identity(user: User, identity: Identity) -> None:
    """Store step 1.

    :raises StepError: when the NIK belongs to another account.
    """
    profile = profile_of(user)
    for name, value in vars(identity).items():
        setattr(profile, name, value)
    profile.identity_done_at = utcnow()
    record(user, "step_identity")
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        if is_unique_violation(error):
            audit("nik_duplicate", user.id)
            raise StepError(
                {
                    "nik": "NIK ini sudah dipakai akun lain. Hubungi admin daerah Anda "
                    "bila ini NIK Anda."
                }
            ) from error
        raise


def save_position(user: User, is_pns: bool, position: str, tmt: date) -> None:
    """Store step 2."""
    profile = profile_of(user)
    profile.is_pns = is_pns
    profile.position = position
    profile.tmt = tmt
    profile.position_done_at = utcnow()
    record(user, "step_position")
    db.session.commit()


def attach_sk(user: User, document: Document) -> None:
    """Keep an uploaded SK on the profile even before the step is complete.

    The SK it replaces is deleted, row and file, so repeated uploads do not
    fill the disk.
    """
    profile = profile_of(user)
    previous = profile.sk_document
    profile.sk_document_id = document.id
    record(user, "sk_replaced" if previous else "sk_uploaded")
    if previous is not None and previous.id != document.id:
        db.session.delete(previous)
    db.session.commit()

    if previous is not None and previous.id != document.id:
        discard_file(previous.storage_name)


def submit(user: User, village_code: str, sk_number: str, sk_date: date) -> bool:
    """Store step 3 and hand the registration in; ``False`` if it may not be.

    A first submission waits for the email to be verified and queues the
    verification mail in the same transaction; a corrected one goes straight
    back to the admins when the address is already verified. The state
    changes only if the account may still be edited at that moment, so an
    admin who froze it meanwhile is not overruled.
    """
    profile = profile_of(user)
    profile.village_code = village_code
    profile.sk_number = sk_number
    profile.sk_date = sk_date
    profile.location_done_at = utcnow()

    resubmission = user.state == REJECTED
    changed = db.session.execute(
        update(User)
        .where(User.id == user.id, User.state.in_(EDITABLE))
        .values(
            state=PENDING if user.email_verified_at else SUBMITTED,
            submitted_at=utcnow(),
            rejection_reason=None,
        )
    ).rowcount
    if changed != 1:
        db.session.rollback()
        log.info("submission of user %s refused: no longer editable", user.id)
        return False
    db.session.expire(user, ["state", "submitted_at", "rejection_reason"])

    record(user, "resubmitted" if resubmission else "submitted")
    if user.email_verified_at is None:
        queue_verification_mail(user, commit=False)
    db.session.commit()
    audit("registration_submitted", user.id, state=user.state)
    return True


def queue_verification_mail(user: User, commit: bool = True) -> None:
    """Put the "Verifikasi email" mail with a fresh link in the outbox."""
    link = (
        current_app.config["PUBLIC_URL"].rstrip("/")
        + "/verifikasi/"
        + (make_verify_token(user))
    )
    queue_mail(
        user.email,
        VERIFY_SUBJECT,
        "mail/verify.txt",
        user=user,
        link=link,
        hours=current_app.config["VERIFY_TOKEN_HOURS"],
    )
    if commit:
        db.session.commit()
