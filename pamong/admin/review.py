"""What the account page works out for the admin: NIK checks, look-alikes, SK hints.

The SK hints come from the same sandboxed pypdf check as the upload
(:func:`pamong.documents.pdfcheck.check_pdf`). Its text sample is compared with
the name, the desa and the nomor SK, and only the yes/no answers are kept in
``sk_hints``; the text itself is personal data and is not stored.
"""

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pamong.accounts.models import APPROVED, PENDING, User
from pamong.admin.choices import SHARED_POSITIONS
from pamong.admin.models import SkHint
from pamong.core.time import utcnow
from pamong.documents.pdfcheck import check_pdf
from pamong.documents.services import storage_path
from pamong.extensions import db
from pamong.registration import validators
from pamong.registration.models import Profile
from pamong.wilayah.services import province_codes

log = logging.getLogger(__name__)

#: Most look-alike accounts listed on an account page.
LOOK_ALIKES = 10

#: Shortest nomor SK (letters and digits only) worth looking for in the text.
SK_NUMBER_MIN = 3


@dataclass
class Check:
    """One line of the NIK checklist: what was checked and whether it holds."""

    label: str
    ok: bool
    note: str = ""


def nik_checks(profile: Profile | None) -> list[Check]:
    """Run the NIK rules again on the stored NIK and list each outcome.

    The blocking rules held at registration; running them again shows the
    admin the same list, and catches a province code that has since gone.
    """
    if profile is None or not profile.nik:
        return []
    nik = profile.nik
    structure = "Susunan NIK (provinsi, tanggal, nomor urut)"
    checks = [Check("16 angka", len(nik) == 16 and nik.isdigit())]
    try:
        validators.check_nik(nik, province_codes())
    except validators.Invalid as error:
        checks.append(Check(structure, False, str(error)))
    else:
        checks.append(Check(structure, True))
    checks.append(
        Check(
            "Tanggal lahir di NIK sama dengan yang diisi",
            not profile.nik_date_mismatch,
            "Pendaftar sudah mengonfirmasi perbedaan ini."
            if profile.nik_date_mismatch
            else "",
        )
    )
    checks.append(
        Check(
            "Kode jenis kelamin di NIK (+40 untuk perempuan) cocok",
            not profile.nik_gender_mismatch,
            "Pendaftar sudah mengonfirmasi perbedaan ini."
            if profile.nik_gender_mismatch
            else "",
        )
    )
    return checks


def same_position_elsewhere(official: User, limit: int = LOOK_ALIKES) -> list[User]:
    """Return other accounts with the same position in the same desa.

    Only pending and approved ones count, and only for positions a desa has
    once (not Kepala Dusun or Staf); at most ``limit``, oldest first.
    """
    profile = official.profile
    if (
        profile is None
        or not profile.village_code
        or not profile.position
        or profile.position in SHARED_POSITIONS
    ):
        return []
    return db.session.scalars(
        select(User)
        .join(Profile, Profile.user_id == User.id)
        .where(
            Profile.village_code == profile.village_code,
            Profile.position == profile.position,
            User.state.in_((PENDING, APPROVED)),
            User.id != official.id,
        )
        .order_by(User.id)
        .limit(limit)
    ).all()


def normal_words(text: str) -> str:
    """Lowercase, drop accents and punctuation, and single-space the words."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain.casefold()).split())


def compact(text: str) -> str:
    """Keep only letters and digits, lowercased: for comparing SK numbers."""
    return re.sub(r"[^0-9a-z]", "", (text or "").casefold())


def name_found(name: str, text: str) -> str:
    """Say whether the name is in the text: ``ya``, ``sebagian`` or ``tidak``."""
    words = normal_words(name).split()
    haystack = f" {normal_words(text)} "
    if not words:
        return "tidak"
    if f" {' '.join(words)} " in haystack:
        return "ya"
    found = [word for word in words if len(word) > 1 and f" {word} " in haystack]
    return "sebagian" if found else "tidak"


def _basis(official: User) -> str:
    """Digest what the SK text is compared with, to know when to compare again."""
    profile = official.profile
    village = profile.village.name if profile.village is not None else ""
    text = f"{official.name}|{village}|{profile.sk_number or ''}"
    return hashlib.sha256(text.encode()).hexdigest()


def sk_hints(official: User) -> SkHint | None:
    """Return the SK hints for the official's current SK, checking it if needed.

    The first view runs the sandboxed check (a fraction of a second for a
    normal SK); later views read the stored answers.
    """
    profile = official.profile
    document = profile.sk_document if profile is not None else None
    if document is None:
        return None

    basis = _basis(official)
    hint = db.session.get(SkHint, document.id)
    if hint is not None and hint.basis == basis:
        return hint

    config = current_app.config
    path = storage_path(document.storage_name)
    if path.is_file():
        result = check_pdf(
            path,
            seconds=config["PDF_CHECK_SECONDS"],
            memory_mb=config["PDF_CHECK_MEMORY_MB"],
        )
    else:
        log.warning("SK file of document %s is missing", document.id)
        result = None

    text = result.text_sample if result is not None and result.ok else ""
    village = profile.village.name if profile.village is not None else ""
    number = compact(profile.sk_number)
    values = {
        "basis": basis,
        "readable": result is not None and result.ok,
        "pages": result.pages if result is not None else 0,
        "has_text": result is not None and result.has_text,
        "name_found": name_found(official.name, text) if text else "tidak",
        "village_found": bool(text)
        and bool(village)
        and f" {normal_words(village)} " in f" {normal_words(text)} ",
        "sk_number_found": bool(text)
        and len(number) >= SK_NUMBER_MIN
        and number in compact(text),
        "checked_at": utcnow(),
    }
    if hint is None:
        hint = SkHint(document_id=document.id, **values)
        db.session.add(hint)
    else:
        for key, value in values.items():
            setattr(hint, key, value)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        hint = db.session.get(SkHint, document.id)
    return hint
