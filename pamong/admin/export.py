"""CSV export of the filtered queue, made for Excel in an Indonesian locale.

Choices, and why:

* **Separator ``;``.** Excel takes the list separator from the Windows
  regional settings; with Indonesian settings the decimal sign is ``,`` and the
  list separator ``;``, so a ``;`` file opens in columns by a double click on
  the admins' office desktops. LibreOffice and Google Sheets detect it.
  A ``sep=;`` first line would force it everywhere, but Excel then ignores the
  BOM and garbles every non-ASCII name, so it is not written.
* **UTF-8 with BOM.** Without the BOM Excel reads the file as the ANSI code
  page and breaks names such as "Ni Luh Putu Ayu" with accents or "’".
* **NIK and phone as ``="…"``.** A bare 16-digit NIK becomes
  ``5.20302E+15`` in Excel and loses its last digit for good (15 significant
  digits); a ``+62…`` phone becomes a number too. Written as the formula
  ``="5203015204850001"`` the cell holds text and shows every digit in Excel,
  LibreOffice Calc and Google Sheets. A leading apostrophe stays visible in
  CSV imports and a leading tab is stripped by some imports, so neither keeps
  the digits reliably.
* **Formula injection.** Any other text cell that starts with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return gets a leading apostrophe, so a name
  typed as a formula is shown, never run.
* **Masking.** Only national admins get the full NIK; others get the masked
  form they also see on screen.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime

from pamong.accounts.models import User
from pamong.admin import scope
from pamong.core.logs import mask_nik
from pamong.core.templating import STATE_LABELS
from pamong.registration.choices import EDUCATION, GENDERS, POSITIONS, label

DELIMITER = ";"
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

HEADER = [
    "ID",
    "Nama",
    "Email",
    "Status",
    "Dikirim (UTC)",
    "Email terverifikasi (UTC)",
    "NIK",
    "No HP",
    "Tempat lahir",
    "Tanggal lahir",
    "Jenis kelamin",
    "Pendidikan",
    "PNS",
    "Jabatan",
    "Tema (pilihan admin)",
    "TMT",
    "Kode desa",
    "Desa",
    "Kecamatan",
    "Kabupaten/Kota",
    "Provinsi",
    "Nomor SK",
    "Tanggal SK",
    "Tanggal lahir NIK berbeda",
    "Jenis kelamin NIK berbeda",
]


def as_text(value: str | None) -> str:
    """Write digits so that spreadsheets keep them as text: ``="…"``."""
    if not value:
        return ""
    return '="' + value.replace('"', '""') + '"'


def safe(value) -> str:
    """Write a free-text value so that no spreadsheet runs it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _date(value) -> str:
    """Write a date or an instant as ISO text (sortable, unambiguous)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    return value.isoformat()


def _yes_no(value) -> str:
    """Write a boolean as Ya/Tidak, and nothing for unknown."""
    if value is None:
        return ""
    return "Ya" if value else "Tidak"


def row_values(row, full_nik: bool) -> list[str]:
    """Turn one export row into the cells of :data:`HEADER`."""
    nik = row.nik if full_nik else mask_nik(row.nik)
    return [
        str(row.id),
        safe(row.name),
        safe(row.email),
        STATE_LABELS.get(row.state, row.state),
        _date(row.submitted_at),
        _date(row.email_verified_at),
        as_text(nik),
        as_text(row.phone),
        safe(row.birth_place),
        _date(row.birth_date),
        label(GENDERS, row.gender),
        label(EDUCATION, row.education),
        _yes_no(row.is_pns),
        label(POSITIONS, row.position),
        row.theme_override or "",
        _date(row.tmt),
        row.village_code or "",
        safe(row.desa),
        safe(row.kecamatan),
        safe(row.kabupaten),
        safe(row.provinsi),
        safe(row.sk_number),
        _date(row.sk_date),
        _yes_no(row.nik_date_mismatch),
        _yes_no(row.nik_gender_mismatch),
    ]


def shows_full_nik(admin: User) -> bool:
    """Only national admins export the full NIK."""
    return admin.admin_level == scope.NASIONAL


def csv_lines(rows: Iterable, full_nik: bool) -> Iterator[str]:
    """Yield the CSV text: the BOM and header first, then one line per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")

    writer.writerow(HEADER)
    yield BOM + _take(buffer)
    for row in rows:
        writer.writerow(row_values(row, full_nik))
        if buffer.tell() > 64 * 1024:
            yield _take(buffer)
    yield _take(buffer)


def _take(buffer: io.StringIO) -> str:
    """Return what the buffer holds and empty it."""
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
