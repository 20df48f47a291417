"""The daily digest: each admin hears how many registrations wait for them."""

import logging

from flask import current_app
from sqlalchemy import select

from pamong.accounts.models import ADMIN, SUSPENDED, User
from pamong.admin import queue, scope
from pamong.extensions import db
from pamong.mailer.services import queue_mail

log = logging.getLogger(__name__)

SUBJECT = "Ringkasan harian: pendaftaran menunggu pemeriksaan"


def active_admins() -> list[User]:
    """Return every admin that can still log in and has a valid scope."""
    admins = db.session.scalars(
        select(User)
        .where(User.role == ADMIN, User.state != SUSPENDED)
        .order_by(User.id)
    ).all()
    return [admin for admin in admins if scope.region_prefix(admin) is not None]


def send_digest(skip_empty: bool = False) -> list[tuple[User, int]]:
    """Queue one digest mail per admin and commit; return (admin, count) sent.

    :param skip_empty: leave out admins with nothing waiting.
    """
    queue_url = current_app.config["PUBLIC_URL"].rstrip("/") + "/admin/"
    sent = []
    for admin in active_admins():
        count = queue.pending_count(admin)
        if skip_empty and count == 0:
            continue
        queue_mail(
            admin.email,
            SUBJECT,
            "mail/admin_digest.txt",
            admin=admin,
            count=count,
            region_name=scope.describe(admin),
            queue_url=queue_url,
        )
        sent.append((admin, count))
    db.session.commit()
    log.info("digest queued for %d admin(s)", len(sent))
    return sent
