"""Fixed lists: education levels, positions and the themes they lead to."""

#: Dukcapil's ten education levels, with the labels officials use.
EDUCATION = [
    ("1", "Tidak/Belum Sekolah"),
    ("2", "Belum Tamat SD"),
    ("3", "SD/Sederajat"),
    ("4", "SMP/Sederajat"),
    ("5", "SMA/SMK/Sederajat"),
    ("6", "D1/D2"),
    ("7", "D3/Sarjana Muda"),
    ("8", "D4/S1"),
    ("9", "S2"),
    ("10", "S3"),
]

KEPALA_DESA = "kepala_desa"

#: Positions of Permendagri 84/2015; all but the first are Aparat Desa.
POSITIONS = [
    (KEPALA_DESA, "Kepala Desa"),
    ("sekretaris_desa", "Sekretaris Desa"),
    ("kaur_tu_umum", "Kaur Tata Usaha dan Umum"),
    ("kaur_keuangan", "Kaur Keuangan"),
    ("kaur_perencanaan", "Kaur Perencanaan"),
    ("kaur_umum_perencanaan", "Kaur Umum dan Perencanaan"),
    ("kasi_pemerintahan", "Kasi Pemerintahan"),
    ("kasi_kesejahteraan", "Kasi Kesejahteraan"),
    ("kasi_pelayanan", "Kasi Pelayanan"),
    ("kasi_kesejahteraan_pelayanan", "Kasi Kesejahteraan dan Pelayanan"),
    ("kepala_dusun", "Kepala Dusun"),
    ("staf", "Staf"),
]

GENDERS = [("L", "Laki-laki"), ("P", "Perempuan")]

PERENCANAAN = "perencanaan"
KEUANGAN = "keuangan"

THEMES = {
    PERENCANAAN: "Perencanaan Pembangunan Desa",
    KEUANGAN: "Pengelolaan Keuangan Desa",
}

#: The thematic trainings each position may take.
POSITION_THEMES = {
    KEPALA_DESA: (PERENCANAAN, KEUANGAN),
    "sekretaris_desa": (PERENCANAAN, KEUANGAN),
    "kaur_perencanaan": (PERENCANAAN,),
    "kaur_umum_perencanaan": (PERENCANAAN,),
    "kaur_keuangan": (KEUANGAN,),
}


def label(choices: list[tuple[str, str]], value: str | None) -> str:
    """Return the label of ``value`` in a choice list, or an empty string."""
    return dict(choices).get(value or "", "")


def themes_for(position: str | None, override: str | None = None) -> tuple[str, ...]:
    """Return the theme codes a position leads to; an admin's choice wins."""
    if override in THEMES:
        return (override,)
    return POSITION_THEMES.get(position or "", ())
