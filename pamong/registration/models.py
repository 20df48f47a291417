"""What an official states about themselves in the three registration steps."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pamong.core.time import utcnow
from pamong.extensions import db


class Profile(db.Model):
    """The identity, position and work location of one official.

    Each step's fields are saved when the step is sent, and the step's
    ``*_done_at`` column records that it is complete.
    """

    __tablename__ = "profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)

    phone: Mapped[str | None] = mapped_column(String(20))
    birth_place: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[date | None]
    gender: Mapped[str | None] = mapped_column(String(1))
    nik: Mapped[str | None] = mapped_column(String(16), unique=True)
    education: Mapped[str | None] = mapped_column(String(4))
    nik_date_mismatch: Mapped[bool] = mapped_column(default=False)
    nik_gender_mismatch: Mapped[bool] = mapped_column(default=False)
    identity_done_at: Mapped[datetime | None]

    is_pns: Mapped[bool | None]
    position: Mapped[str | None] = mapped_column(String(32))
    tmt: Mapped[date | None]
    position_done_at: Mapped[datetime | None]

    village_code: Mapped[str | None] = mapped_column(
        ForeignKey("villages.code"), index=True
    )
    sk_number: Mapped[str | None] = mapped_column(String(100))
    sk_date: Mapped[date | None]
    sk_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    location_done_at: Mapped[datetime | None]

    theme_override: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user = relationship("User", back_populates="profile")
    village = relationship("Village")
    sk_document = relationship("Document")
