"""Fixed lists of the review desk: rejection reasons, steps, audit actions."""

OTHER = "lainnya"

#: Coded reasons for a rejection, with the words the official reads.
REJECT_REASONS = [
    ("sk_tidak_terbaca", "SK tidak terbaca"),
    ("sk_milik_orang_lain", "SK milik orang lain"),
    ("desa_tidak_sesuai", "Desa tidak sesuai"),
    ("nik_salah", "NIK salah"),
    ("jabatan_tidak_sesuai", "Jabatan tidak sesuai"),
    (OTHER, "Lainnya"),
]

#: Registration steps an admin can ask to be corrected.
STEPS = [
    ("identitas", "Langkah 1: Identitas"),
    ("jabatan", "Langkah 2: Jabatan"),
    ("lokasi", "Langkah 3: Lokasi tugas dan SK"),
]

#: Every action the audit log records, with its label.
AUDIT_ACTIONS = {
    "approved": "Menyetujui pendaftaran",
    "rejected": "Menolak pendaftaran",
    "correction_requested": "Meminta perbaikan",
    "nik_revealed": "Membuka NIK lengkap",
    "sk_opened": "Membuka SK",
    "export": "Mengekspor CSV",
    "admin_appointed": "Mengangkat admin",
    "admin_removed": "Mencabut admin",
    "target_set": "Mengubah target",
    "account_deleted": "Menghapus akun atas permintaan",
    "account_suspended": "Membekukan akun",
    "account_reinstated": "Mengaktifkan lagi akun",
}

#: Positions of which a desa has more than one, so a second one is no hint.
SHARED_POSITIONS = ("kepala_dusun", "staf")
