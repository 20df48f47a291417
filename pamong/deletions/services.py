"""Finding the officials who asked to be deleted, and deleting them.

The request itself is an account event written by the official
(:func:`pamong.accounts.privacy.request_deletion`); carrying it out removes
the account with everything it owns, leaves an audit entry without personal
data, and tells the official by mail that it is done.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from pamong.accounts.models import OFFICIAL, AccountEvent, User
from pamong.accounts.privacy import delete_account
from pamong.admin.audit import record_admin_action
from pamong.core.logs import mask_nik
from pamong.extensions import db
from pamong.mailer.services import queue_mail
from pamong.registration.models import Profile
from pamong.registration.steps import lock_account

log = logging.getLogger(__name__)

REQUESTED = "deletion_requested"


@dataclass
class Request:
    """One official waiting to be deleted, as the national admin sees it."""

    user_id: int
    name: str
    email: str
    state: str
    masked_nik: str
    requested_at: datetime


def pending_requests() -> list[Request]:
    """Return the officials who asked for deletion, oldest request first."""
    requested_at = func.min(AccountEvent.created_at).label("requested_at")
    rows = db.session.execute(
        select(User, Profile.nik, requested_at)
        .join(AccountEvent, AccountEvent.user_id == User.id)
        .outerjoin(Profile, Profile.user_id == User.id)
        .where(AccountEvent.action == REQUESTED, User.role == OFFICIAL)
        .group_by(User.id, Profile.nik)
        .order_by(requested_at, User.id)
    ).all()
    return [
        Request(
            user_id=user.id,
            name=user.name,
            email=user.email,
            state=user.state,
            masked_nik=mask_nik(nik) if nik else "",
            requested_at=when,
        )
        for user, nik, when in rows
    ]


def has_requested(user: User) -> bool:
    """Whether this official's account carries a deletion request."""
    return user.role == OFFICIAL and (
        db.session.scalar(
            select(AccountEvent.id)
            .where(AccountEvent.user_id == user.id, AccountEvent.action == REQUESTED)
            .limit(1)
        )
        is not None
    )


def carry_out(admin: User, official: User) -> bool:
    """Delete the official's account and files, audit it and mail the official.

    The account is locked first and the request looked up again, so two
    admins pressing at once delete, audit and mail once; the later one gets
    ``False``. The mail and the audit entry are committed after the
    deletion, so a failure between them never leaves an account that was
    announced deleted.
    """
    user_id, name, email = official.id, official.name, official.email
    lock_account(official)
    if not has_requested(official):
        db.session.rollback()
        return False
    delete_account(official)

    record_admin_action(admin, "account_deleted", user_id)
    queue_mail(
        email,
        "Akun LMS Pamong Desa Anda sudah dihapus",
        "mail/deleted.txt",
        name=name,
        public_url=current_app.config["PUBLIC_URL"],
    )
    db.session.commit()
    log.info("account %s deleted on request by admin %s", user_id, admin.id)
    return True
