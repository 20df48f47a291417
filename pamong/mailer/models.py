"""Mail waiting to be sent, written in the same transaction as its cause."""

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pamong.core.time import utcnow
from pamong.extensions import db


class OutboxMail(db.Model):
    """One message to one recipient, sent by the outbox sender with retries."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_recipient_created", "recipient", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
