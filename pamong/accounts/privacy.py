"""Officials' rights over their data (UU 27/2022): a copy, deletion, retention.

An official downloads everything the portal holds about them as JSON (the SK
itself from its own link) and may ask for deletion, which a national admin
carries out. Registrations never verified, and rejections never corrected,
are purged after a retention period.
"""

import logging
from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import or_, select

from pamong.accounts.models import (
    ADMIN,
    REGISTERED,
    REJECTED,
    SUBMITTED,
    AccountEvent,
    User,
)
from pamong.accounts.services import record
from pamong.core.logs import audit
from pamong.core.time import utcnow
from pamong.documents.models import Document
from pamong.documents.services import discard_file
from pamong.extensions import db
from pamong.registration.choices import EDUCATION, GENDERS, POSITIONS, label
from pamong.uploads.services import remove_all_of

log = logging.getLogger(__name__)


def _iso(value) -> str | None:
    """Write a date or time as ISO 8601 text, or ``None``."""
    return value.isoformat() if value else None


def export_data(user: User) -> dict:
    """Return everything stored about the official, as JSON-ready values.

    The NIK and phone stay text, so no program rounds them.
    """
    profile = user.profile
    data = {
        "akun": {
            "email": user.email,
            "nama": user.name,
            "status": user.state,
            "email_terverifikasi": _iso(user.email_verified_at),
            "versi_pemberitahuan_privasi": user.privacy_version,
            "dibuat": _iso(user.created_at),
        },
        "riwayat": [
            {"waktu": _iso(event.created_at), "kejadian": event.action}
            for event in user.events
        ],
    }
    if profile is not None:
        document = profile.sk_document
        data["profil"] = {
            "no_hp": profile.phone,
            "tempat_lahir": profile.birth_place,
            "tanggal_lahir": _iso(profile.birth_date),
            "jenis_kelamin": label(GENDERS, profile.gender),
            "nik": profile.nik,
            "pendidikan_terakhir": label(EDUCATION, profile.education),
            "pns": profile.is_pns,
            "jabatan": label(POSITIONS, profile.position),
            "tmt_jabatan": _iso(profile.tmt),
            "kode_desa": profile.village_code,
            "nomor_sk": profile.sk_number,
            "tanggal_sk": _iso(profile.sk_date),
            "berkas_sk": None
            if document is None
            else {
                "nama": document.original_name,
                "ukuran_byte": document.size,
                "sha256": document.sha256,
                "unduh": url_for(
                    "documents.download", document_id=document.id, _external=True
                ),
            },
        }
    return data


def request_deletion(user: User) -> None:
    """Record the official's request to delete the account, for an admin."""
    record(user, "deletion_requested")
    db.session.commit()
    audit("deletion_requested", user.id)


def deletion_requested(user: User) -> bool:
    """Whether the official has asked for deletion."""
    return any(event.action == "deletion_requested" for event in user.events)


def delete_account(user: User) -> None:
    """Delete an official's account, profile, history and SK files.

    :raises ValueError: for admin accounts, which are removed differently.
    """
    if user.role == ADMIN:
        raise ValueError("admin accounts are not deleted here")

    user_id = user.id
    documents = db.session.scalars(
        select(Document).where(Document.owner_id == user_id)
    ).all()
    names = [document.storage_name for document in documents]

    if user.profile is not None:
        db.session.delete(user.profile)
        db.session.flush()
    for document in documents:
        db.session.delete(document)
    for event in db.session.scalars(
        select(AccountEvent).where(
            or_(AccountEvent.user_id == user_id, AccountEvent.actor_id == user_id)
        )
    ):
        db.session.delete(event)
    db.session.delete(user)
    db.session.commit()

    for name in names:
        discard_file(name)
    remove_all_of(user_id)
    audit("account_deleted", user_id)


def purge_expired() -> dict[str, int]:
    """Delete unverified and rejected registrations past their retention.

    Unverified: never confirmed the email, created more than
    ``RETENTION_UNVERIFIED_DAYS`` ago. Rejected: not corrected for
    ``RETENTION_REJECTED_DAYS`` since the last change.
    """
    config = current_app.config
    now = utcnow()
    unverified_before = now - timedelta(days=config["RETENTION_UNVERIFIED_DAYS"])
    rejected_before = now - timedelta(days=config["RETENTION_REJECTED_DAYS"])

    unverified = db.session.scalars(
        select(User).where(
            User.role != ADMIN,
            User.state.in_((REGISTERED, SUBMITTED)),
            User.email_verified_at.is_(None),
            User.created_at < unverified_before,
        )
    ).all()
    rejected = db.session.scalars(
        select(User).where(
            User.role != ADMIN,
            User.state == REJECTED,
            User.updated_at < rejected_before,
        )
    ).all()

    for user in [*unverified, *rejected]:
        delete_account(user)
    log.info("Purged %d unverified and %d rejected", len(unverified), len(rejected))
    return {"belum_verifikasi": len(unverified), "ditolak": len(rejected)}
