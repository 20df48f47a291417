"""Admin decisions: approving and rejecting registrations, with their mails."""

import logging

from flask import current_app
from sqlalchemy import func, select

from pamong.accounts.models import ADMIN, APPROVED, PENDING, REJECTED, User
from pamong.accounts.services import create_account, find_by_email, record, set_password
from pamong.core.logs import audit
from pamong.extensions import db
from pamong.mailer.services import queue_mail

log = logging.getLogger(__name__)

PAGE_SIZE = 50


class NotPending(Exception):
    """The account is not waiting for a decision (any more)."""


def ensure_admin(email: str, name: str, password: str) -> tuple[User, bool]:
    """Create an admin, or reset the password if the admin exists."""
    user = find_by_email(email)
    if user is None:
        return create_account(email, name, password, role=ADMIN), True

    user.role = ADMIN
    set_password(user, password)
    db.session.commit()
    return user, False


def pending_page(page: int = 1) -> tuple[list[User], int]:
    """Return one page of pending accounts, oldest submission first, and the total."""
    query = select(User).where(User.state == PENDING)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    users = db.session.scalars(
        query.order_by(User.submitted_at, User.id)
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    ).all()
    return users, total


def state_counts() -> dict[str, int]:
    """Count officials per account state."""
    rows = db.session.execute(
        select(User.state, func.count()).where(User.role != ADMIN).group_by(User.state)
    ).all()
    return dict(rows)


def approve(user: User, admin: User) -> None:
    """Approve a pending registration and tell the official.

    :raises NotPending: when the account is not pending.
    """
    _lock_pending(user)
    user.state = APPROVED
    record(user, "approved", actor=admin)
    queue_mail(
        user.email,
        "Pendaftaran disetujui",
        "mail/approved.txt",
        user=user,
        login_url=current_app.config["PUBLIC_URL"].rstrip("/") + "/masuk",
    )
    db.session.commit()
    audit("approved", user.id, admin=admin.id)


def reject(user: User, admin: User, reason: str) -> None:
    """Reject a pending registration with a reason the official can act on.

    :raises NotPending: when the account is not pending.
    """
    _lock_pending(user)
    user.state = REJECTED
    user.rejection_reason = reason
    record(user, "rejected", note=reason, actor=admin)
    queue_mail(
        user.email,
        "Pendaftaran perlu diperbaiki",
        "mail/rejected.txt",
        user=user,
        reason=reason,
        login_url=current_app.config["PUBLIC_URL"].rstrip("/") + "/masuk",
    )
    db.session.commit()
    audit("rejected", user.id, admin=admin.id)


def _lock_pending(user: User) -> None:
    """Re-read the account's state under a row lock and require ``pending``."""
    state = db.session.scalar(
        select(User.state).where(User.id == user.id).with_for_update()
    )
    if state != PENDING:
        db.session.rollback()
        raise NotPending(user.id)
