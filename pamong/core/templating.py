"""Labels and filters the templates use."""

from flask import Flask

from pamong.core.localtime import local_date, local_time, viewer_zone
from pamong.core.logs import mask_nik
from pamong.registration.choices import EDUCATION, GENDERS, POSITIONS, label

STATE_LABELS = {
    "registered": "Belum lengkap",
    "submitted": "Menunggu verifikasi email",
    "pending": "Menunggu pemeriksaan",
    "approved": "Disetujui",
    "rejected": "Ditolak, menunggu perbaikan",
    "suspended": "Dibekukan",
}


EVENT_LABELS = {
    "registered": "Akun dibuat",
    "step_identity": "Langkah 1 (identitas) disimpan",
    "step_position": "Langkah 2 (jabatan) disimpan",
    "sk_uploaded": "SK diunggah",
    "sk_replaced": "SK diganti",
    "submitted": "Pendaftaran dikirim",
    "resubmitted": "Perbaikan dikirim",
    "email_verified": "Email terverifikasi",
    "email_changed": "Email diganti",
    "approved": "Disetujui",
    "rejected": "Ditolak",
    "correction_requested": "Diminta perbaikan",
    "password_reset": "Kata sandi diganti",
    "deletion_requested": "Minta data dihapus",
    "suspended": "Akun dibekukan",
    "reinstated": "Akun diaktifkan lagi",
}


def region_path(village_code: str) -> str:
    """Describe a desa with its kecamatan, kabupaten and provinsi."""
    from pamong.wilayah.services import village_chain

    chain = village_chain(village_code)
    if chain is None:
        return village_code
    province, regency, district, village = chain
    return f"Desa {village.name}, Kec. {district.name}, {regency.name}, {province.name}"


def file_size(size: int) -> str:
    """Show a byte count the way a phone's file manager does."""
    if size < 1024:
        return f"{size} byte"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


def init_app(app: Flask) -> None:
    """Expose labels, the NIK mask and local times to every template."""
    app.jinja_env.filters["mask_nik"] = mask_nik
    app.jinja_env.filters["file_size"] = file_size
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.globals.update(
        position_label=lambda value: label(POSITIONS, value),
        education_label=lambda value: label(EDUCATION, value),
        gender_label=lambda value: label(GENDERS, value),
        state_label=lambda value: STATE_LABELS.get(value, value),
        event_label=lambda value: EVENT_LABELS.get(value, value.replace("_", " ")),
        region_path=region_path,
        viewer_zone=viewer_zone,
    )
