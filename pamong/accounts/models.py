"""Accounts: officials and admins, their state and their history.

An official's account moves ``registered`` (steps not all sent) →
``submitted`` (all steps sent, email not yet verified) → ``pending`` (visible
to admins) → ``approved`` or ``rejected``; a rejected official corrects and
resubmits, which returns the account to ``pending``. An admin may ``suspend``
any account. Access checks read the state on every request.
"""

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pamong.core.time import utcnow
from pamong.extensions import db

REGISTERED = "registered"
SUBMITTED = "submitted"
PENDING = "pending"
APPROVED = "approved"
REJECTED = "rejected"
SUSPENDED = "suspended"

STATES = (REGISTERED, SUBMITTED, PENDING, APPROVED, REJECTED, SUSPENDED)

OFFICIAL = "official"
ADMIN = "admin"


def new_session_key() -> str:
    """Return a random key; changing it ends every session of the account."""
    return secrets.token_urlsafe(16)


class User(UserMixin, db.Model):
    """A person who can log in: an official registering, or an admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(150))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=OFFICIAL)
    state: Mapped[str] = mapped_column(String(16), default=REGISTERED, index=True)
    session_key: Mapped[str] = mapped_column(String(32), default=new_session_key)
    email_verified_at: Mapped[datetime | None]
    privacy_version: Mapped[str] = mapped_column(String(16))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    #: An admin's level (see :mod:`pamong.admin.scope`); ``None`` for officials.
    admin_level: Mapped[str | None] = mapped_column(String(16))
    #: An admin's region code: "" nationally, "52" a provinsi, "52.03" a kabupaten.
    admin_region: Mapped[str] = mapped_column(String(13), default="", server_default="")
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None]
    last_failed_login_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    profile = relationship("Profile", uselist=False, back_populates="user")
    events = relationship(
        "AccountEvent",
        foreign_keys="AccountEvent.user_id",
        order_by="AccountEvent.id",
        back_populates="user",
    )

    def get_id(self) -> str:
        """Identify the session by id and session key, so a key change ends it."""
        return f"{self.id}:{self.session_key}"

    @property
    def is_admin(self) -> bool:
        """Whether this account reviews registrations."""
        return self.role == ADMIN

    @property
    def is_active(self) -> bool:
        """Suspended accounts cannot log in or keep a session."""
        return self.state != SUSPENDED


class AccountEvent(db.Model):
    """One line of an account's history: a step, a decision, a mail."""

    __tablename__ = "account_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User", foreign_keys=[user_id], back_populates="events")
    actor = relationship("User", foreign_keys=[actor_id])
