"""What the admin review desk keeps: decisions, the audit log, SK hints, targets.

The audit log has no foreign keys on purpose: an entry must outlive the
accounts it names (an official may ask for deletion, an admin may be removed),
so it keeps plain ids and the acting admin's email as it was at the time.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pamong.accounts.models import User
from pamong.core.time import utcnow
from pamong.extensions import db
from pamong.registration.models import Profile

#: The queue lists one state oldest first: state, then submission time.
Index("ix_users_queue", User.state, User.submitted_at, User.id)

#: Scope and region filters are ``village_code LIKE '52.03.%'``; PostgreSQL
#: needs the pattern operator class to use an index for that whatever the
#: database collation. SQLite ignores the operator class.
Index(
    "ix_profiles_village_prefix",
    Profile.village_code,
    postgresql_ops={"village_code": "varchar_pattern_ops"},
)

APPROVE = "approve"
REJECT = "reject"
CORRECTION = "correction"


class ReviewDecision(db.Model):
    """One decision on one registration: approve, reject, or ask for corrections.

    Reject and ask-for-correction both put the account in state ``rejected``;
    ``steps`` names the registration steps to correct (comma-separated keys of
    :data:`pamong.admin.choices.STEPS`), empty for a plain rejection.
    """

    __tablename__ = "review_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    admin_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    decision: Mapped[str] = mapped_column(String(16))
    reason_code: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    steps: Mapped[str] = mapped_column(String(64), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    admin = relationship("User", foreign_keys=[admin_id])

    @property
    def step_list(self) -> list[str]:
        """The steps to correct, as a list of keys."""
        return [step for step in (self.steps or "").split(",") if step]


class AuditEntry(db.Model):
    """One admin action: who, when, from where, what, on whom, with details.

    Written in the same transaction as the action; there is no way to edit or
    delete an entry from the application.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_actor_created", "actor_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None]
    actor_email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str] = mapped_column(String(45))
    action: Mapped[str] = mapped_column(String(32), index=True)
    target_user_id: Mapped[int | None] = mapped_column(index=True)
    details: Mapped[str] = mapped_column(Text, default="", server_default="")


class SkHint(db.Model):
    """What pypdf found in an SK, compared with the registration, cached.

    ``basis`` is a digest of the name, desa and nomor SK the text was compared
    with, so the hints are computed again when any of them changes.
    """

    __tablename__ = "sk_hints"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    basis: Mapped[str] = mapped_column(String(64))
    readable: Mapped[bool]
    pages: Mapped[int]
    has_text: Mapped[bool]
    name_found: Mapped[str] = mapped_column(String(8))
    village_found: Mapped[bool]
    sk_number_found: Mapped[bool]
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)


class Target(db.Model):
    """How many villages a programme wants trained in a region, per theme."""

    __tablename__ = "targets"
    __table_args__ = (UniqueConstraint("region_code", "theme"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(String(13))
    theme: Mapped[str] = mapped_column(String(16))
    villages: Mapped[int]
    updated_by: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
