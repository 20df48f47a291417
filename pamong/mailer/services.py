"""Queueing mail in the outbox and delivering it over SMTP with retries.

A mail is added to the database session of the state change that causes it,
so both commit or neither does. The sender claims each due row with a
conditional update, so several processes never send the same mail twice.
"""

import logging
import smtplib
from datetime import timedelta

from flask import current_app, render_template
from flask_mail import Connection, Message
from sqlalchemy import func, select, update

from pamong.core.time import utcnow
from pamong.extensions import db
from pamong.mailer.models import OutboxMail

log = logging.getLogger(__name__)

CLAIM_SECONDS = 300
BATCH = 50


def queue_mail(recipient: str, subject: str, template: str, **context) -> OutboxMail:
    """Render a plain-text mail and add it to the current transaction."""
    body = render_template(template, **context)
    mail = OutboxMail(recipient=recipient, subject=subject, body=body)
    db.session.add(mail)
    db.session.info["outbox_dirty"] = True
    return mail


def mailed_lately(recipient: str, subjects: tuple[str, ...], hours: int = 1) -> int:
    """Count the mails with these subjects queued for ``recipient`` lately."""
    since = utcnow() - timedelta(hours=hours)
    return db.session.scalar(
        select(func.count())
        .select_from(OutboxMail)
        .where(
            OutboxMail.recipient == recipient,
            OutboxMail.created_at >= since,
            OutboxMail.subject.in_(subjects),
        )
    )


class _TimeoutConnection(Connection):
    """A Flask-Mail connection that gives up on a slow SMTP server."""

    def configure_host(self):
        """Open the SMTP connection as configured now, with a timeout."""
        config = current_app.config
        cls = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
        host = cls(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]
        )
        if config["MAIL_USE_TLS"]:
            host.starttls()
        if config["MAIL_USERNAME"] and config["MAIL_PASSWORD"]:
            host.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        return host


def deliver_due(limit: int = BATCH) -> tuple[int, int]:
    """Send the mails that are due; return how many were sent and failed."""
    now = utcnow()
    due = db.session.execute(
        select(OutboxMail.id, OutboxMail.next_attempt_at)
        .where(OutboxMail.sent_at.is_(None), OutboxMail.next_attempt_at <= now)
        .order_by(OutboxMail.id)
        .limit(limit)
    ).all()
    db.session.commit()

    sent = failed = 0
    for mail_id, due_at in due:
        mail = _claim(mail_id, due_at)
        if mail is None:
            continue
        if _send(mail):
            sent += 1
        else:
            failed += 1
    return sent, failed


def _claim(mail_id: int, due_at) -> OutboxMail | None:
    """Take a mail for this process by pushing its next attempt forward."""
    result = db.session.execute(
        update(OutboxMail)
        .where(
            OutboxMail.id == mail_id,
            OutboxMail.next_attempt_at == due_at,
            OutboxMail.sent_at.is_(None),
        )
        .values(
            next_attempt_at=utcnow() + timedelta(seconds=CLAIM_SECONDS),
            attempts=OutboxMail.attempts + 1,
        )
    )
    db.session.commit()
    if result.rowcount != 1:
        return None
    return db.session.get(OutboxMail, mail_id)


def _send(mail: OutboxMail) -> bool:
    """Hand one mail to the SMTP server and record the outcome.

    Any failure, even one that no retry will cure (an address the server
    cannot carry), only postpones this mail; the others keep going out.
    """
    try:
        message = Message(
            subject=mail.subject,
            recipients=[mail.recipient],
            body=mail.body,
            sender=current_app.config["MAIL_DEFAULT_SENDER"],
        )
        state = current_app.extensions["mail"]
        with _TimeoutConnection(state) as connection:
            connection.send(message)
    except Exception as error:
        _postpone(mail, error)
        return False

    mail.sent_at = utcnow()
    mail.last_error = None
    db.session.commit()
    log.info("Mail %s sent", mail.id)
    return True


def _postpone(mail: OutboxMail, error: Exception) -> None:
    """Keep the error of a failed attempt and set the next one further off."""
    db.session.rollback()
    mail.last_error = f"{type(error).__name__}: {error}"[:500]
    mail.next_attempt_at = utcnow() + _backoff(mail.attempts)
    db.session.commit()
    expected = isinstance(error, TimeoutError | OSError | smtplib.SMTPException)
    log.log(
        logging.WARNING if expected else logging.ERROR,
        "Mail %s not sent (attempt %s): %s",
        mail.id,
        mail.attempts,
        type(error).__name__,
    )


def _backoff(attempts: int) -> timedelta:
    """Wait longer after each failure (30 s, 1 min, 2 min …), at most an hour."""
    first = current_app.config["OUTBOX_RETRY_SECONDS"]
    return timedelta(seconds=min(3600, first * 2 ** max(0, attempts - 1)))


def outbox_counts() -> dict[str, int]:
    """Count mails waiting, sent, and failing repeatedly."""
    limit = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    waiting = OutboxMail.sent_at.is_(None)
    return {
        "menunggu": db.session.scalar(select(func.count()).where(waiting)),
        "terkirim": db.session.scalar(
            select(func.count()).where(OutboxMail.sent_at.is_not(None))
        ),
        "gagal berulang": db.session.scalar(
            select(func.count()).where(waiting, OutboxMail.attempts >= limit)
        ),
    }


def failing_mails(limit: int = 50) -> list[OutboxMail]:
    """Return unsent mails that have failed at least twice, newest first."""
    return db.session.scalars(
        select(OutboxMail)
        .where(OutboxMail.sent_at.is_(None), OutboxMail.attempts >= 2)
        .order_by(OutboxMail.id.desc())
        .limit(limit)
    ).all()
