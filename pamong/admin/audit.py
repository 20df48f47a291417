"""The audit log: every admin action, kept in ``audit_entries``.

Entries are added to the session of the action they describe, so both are
committed together. They are also written to the ``pamong.audit`` logger.
Details never hold a full NIK.
"""

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import has_request_context, request
from sqlalchemy import Select, func, select

from pamong.accounts.models import User
from pamong.admin.choices import AUDIT_ACTIONS
from pamong.admin.models import AuditEntry
from pamong.admin.params import page_number, query_date, whole_id
from pamong.core.logs import audit
from pamong.extensions import db

log = logging.getLogger(__name__)

PAGE_SIZE = 100


def record_admin_action(
    admin: User | None,
    action: str,
    target_user_id: int | None = None,
    *,
    commit: bool = False,
    **details,
) -> AuditEntry:
    """Add an audit entry for an action of ``admin``; commit only when asked.

    :param admin: the admin acting, or ``None`` for the command line.
    :param action: one of :data:`pamong.admin.choices.AUDIT_ACTIONS`.
    :param target_user_id: the account acted on, if any.
    :param commit: commit at once, for callers with nothing else to commit
        (opening an SK).
    :param details: short facts (ids, counts, filters); never a full NIK.
    """
    address = request.remote_addr if has_request_context() else "cli"
    entry = AuditEntry(
        actor_id=admin.id if admin is not None else None,
        actor_email=admin.email if admin is not None else "cli",
        ip=(address or "-")[:45],
        action=action,
        target_user_id=target_user_id,
        details=json.dumps(details, ensure_ascii=False, sort_keys=True, default=str),
    )
    db.session.add(entry)
    if commit:
        db.session.commit()
    audit(action, target_user_id, admin=entry.actor_id, **details)
    return entry


@dataclass
class AuditFilter:
    """The audit page's filters, read from the query string."""

    actor_id: int | None = None
    action: str = ""
    since: date | None = None
    until: date | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "AuditFilter":
        """Read the filters, ignoring values that are not valid."""
        action = args.get("aksi", "")
        return cls(
            actor_id=whole_id(args.get("admin")),
            action=action if action in AUDIT_ACTIONS else "",
            since=query_date(args.get("dari")),
            until=query_date(args.get("sampai")),
            page=page_number(args),
        )

    def args(self, **changes) -> dict:
        """Return the filters as query arguments, with ``changes`` applied."""
        values = {
            "admin": self.actor_id,
            "aksi": self.action,
            "dari": self.since.isoformat() if self.since else "",
            "sampai": self.until.isoformat() if self.until else "",
            "halaman": self.page if self.page > 1 else "",
            **changes,
        }
        return {key: value for key, value in values.items() if value}


def _filtered(query: Select, filters: AuditFilter) -> Select:
    """Apply the audit filters to a query over :class:`AuditEntry`."""
    if filters.actor_id:
        query = query.where(AuditEntry.actor_id == filters.actor_id)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.since:
        query = query.where(
            AuditEntry.created_at >= datetime.combine(filters.since, time())
        )
    if filters.until:
        end = datetime.combine(filters.until, time()) + timedelta(days=1)
        query = query.where(AuditEntry.created_at < end)
    return query


def entries_page(filters: AuditFilter) -> tuple[list[AuditEntry], int]:
    """Return one page of entries, newest first, and how many match."""
    query = _filtered(select(AuditEntry), filters)
    total = db.session.scalar(_filtered(select(func.count(AuditEntry.id)), filters))
    entries = db.session.scalars(
        query.order_by(AuditEntry.id.desc())
        .limit(PAGE_SIZE)
        .offset((filters.page - 1) * PAGE_SIZE)
    ).all()
    return entries, total


def actors() -> list[tuple[int, str]]:
    """Return every admin that has an entry, as (id, email), for the filter."""
    rows = db.session.execute(
        select(AuditEntry.actor_id, func.max(AuditEntry.actor_email))
        .where(AuditEntry.actor_id.is_not(None))
        .group_by(AuditEntry.actor_id)
    ).all()
    return sorted(((actor, email) for actor, email in rows), key=lambda row: row[1])


def details_of(entry: AuditEntry) -> dict:
    """Return an entry's details as a dict (empty when not JSON)."""
    try:
        value = json.loads(entry.details or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
