"""Indonesian data rules: NIK, phone numbers, names and calendar dates.

Each check returns plain values or raises :class:`Invalid` with a message in
Bahasa Indonesia that is shown next to the field.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

import phonenumbers

from pamong.core.time import today


class Invalid(ValueError):
    """A value breaks a rule; ``str(error)`` is the message for the official."""


NIK_SEPARATORS = re.compile(r"[\s.\-]")
NAME_ALLOWED = re.compile(r"[^\W\d_](?:[^\W\d_]|[ '’.,\-])*")
MAX_NAME = 150
MOBILE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)


@dataclass
class NikResult:
    """A NIK that passed the blocking checks, with any soft-check warnings."""

    nik: str
    date_mismatch: bool = False
    gender_mismatch: bool = False
    warnings: list[str] = field(default_factory=list)


def clean_nik(raw: str) -> str:
    """Strip spaces, dots and dashes from a typed NIK, keeping it as text."""
    return NIK_SEPARATORS.sub("", (raw or "").strip())


def check_nik(
    raw: str,
    province_codes: set[str],
    birth_date: date | None = None,
    gender: str | None = None,
) -> NikResult:
    """Run the blocking and soft checks on a NIK.

    Blocking: 16 digits, a known province code, day 01–31 or 41–71, an existing
    date, serial not 0000. Soft: the encoded birth date and the +40 rule for
    women agree with what was entered.

    :raises Invalid: when a blocking check fails.
    """
    nik = clean_nik(raw)
    if not nik:
        raise Invalid("Isi NIK sesuai KTP.")
    if not nik.isascii() or not nik.isdigit():
        raise Invalid("NIK hanya berisi angka, tanpa huruf.")
    if len(nik) != 16:
        raise Invalid(f"NIK harus 16 angka; yang Anda isi {len(nik)} angka.")
    if nik[:2] not in province_codes:
        raise Invalid("Dua angka pertama NIK bukan kode provinsi. Periksa lagi KTP.")

    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    encoded_female = day > 40
    if encoded_female:
        day -= 40
    if not 1 <= day <= 31 or not 1 <= month <= 12:
        raise Invalid("Angka tanggal lahir di dalam NIK tidak benar. Periksa lagi.")
    encoded = _encoded_birth_dates(day, month, year)
    if not encoded:
        raise Invalid("Tanggal lahir di dalam NIK tidak ada di kalender.")
    if nik[12:] == "0000":
        raise Invalid("Empat angka terakhir NIK tidak boleh 0000.")

    result = NikResult(nik)
    if birth_date is not None and birth_date not in encoded:
        result.date_mismatch = True
        result.warnings.append(
            f"NIK memuat tanggal lahir {day:02d}-{month:02d}-{year:02d} (hari-bulan-"
            f"tahun), berbeda dengan tanggal lahir yang Anda isi "
            f"({birth_date:%d-%m-%Y})."
        )
    if gender in ("L", "P") and encoded_female != (gender == "P"):
        result.gender_mismatch = True
        coded = "perempuan" if encoded_female else "laki-laki"
        result.warnings.append(
            f"NIK ini bertanda {coded}, berbeda dengan jenis kelamin yang Anda pilih."
        )
    return result


def _encoded_birth_dates(day: int, month: int, year: int) -> set[date]:
    """Return the real dates a NIK's DDMMYY can mean (19YY or 20YY)."""
    dates = set()
    for century in (1900, 2000):
        try:
            dates.add(date(century + year, month, day))
        except ValueError:
            continue
    return dates


def check_phone(raw: str) -> str:
    """Validate an Indonesian phone number and return it in E.164.

    Accepts ``08…``, ``628…`` and ``+62 8…`` with spaces or dashes.

    :raises Invalid: when it is not a valid Indonesian number.
    """
    text = (raw or "").strip()
    if not text:
        raise Invalid("Isi nomor HP Anda.")
    if len(text) > 25:
        raise Invalid("Nomor HP terlalu panjang.")
    if any(character.isalpha() for character in text):
        raise Invalid("Nomor HP hanya berisi angka. Contoh: 0812 3456 7890.")
    if text.startswith("62"):
        text = "+" + text
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException as error:
        raise Invalid("Nomor HP tidak dikenali. Contoh: 0812 3456 7890.") from error
    if number.country_code != 62 or not phonenumbers.is_valid_number(number):
        raise Invalid("Nomor HP tidak valid. Contoh: 0812 3456 7890.")
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise Invalid("Isi nomor HP (seluler), bukan nomor telepon rumah atau kantor.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_name(raw: str, label: str = "Nama", longest: int = MAX_NAME) -> str:
    """Collapse whitespace in a name; never change its letters or case.

    One word is a full name; apostrophes, dots, commas and hyphens are normal.

    :raises Invalid: when empty, too long or made of symbols or digits.
    """
    name = " ".join(unicodedata.normalize("NFC", raw or "").split())
    if not name:
        raise Invalid(f"Isi {label.lower()}.")
    if len(name) > longest:
        raise Invalid(f"{label} paling panjang {longest} huruf.")
    if not NAME_ALLOWED.fullmatch(name):
        raise Invalid(
            f"{label} hanya boleh berisi huruf, spasi, titik, koma, tanda hubung "
            "dan apostrof."
        )
    return name


def check_past_date(value: date | None, label: str) -> date:
    """Require a date that is not in the future.

    :raises Invalid: when missing or in the future.
    """
    if value is None:
        raise Invalid(f"Isi {label}.")
    if value > today():
        raise Invalid(f"{_sentence(label)} tidak boleh di masa depan.")
    if value.year < 1900:
        raise Invalid(f"{_sentence(label)} tidak masuk akal.")
    return value


def _sentence(label: str) -> str:
    """Start a label with a capital without lowering the rest (TMT, SK)."""
    return label[:1].upper() + label[1:]


def check_birth_date(value: date | None) -> date:
    """Require a birth date giving an age between 17 and 100 years.

    :raises Invalid: when it is outside that range.
    """
    value = check_past_date(value, "tanggal lahir")
    age = _years_between(value, today())
    if age < 17:
        raise Invalid("Umur Anda harus minimal 17 tahun.")
    if age > 100:
        raise Invalid("Tanggal lahir tidak masuk akal. Periksa tahunnya.")
    return value


def check_after_birth(value: date | None, birth_date: date | None, label: str) -> date:
    """Require a past date at least 17 years after the birth date.

    :raises Invalid: when it is in the future or too close to the birth date.
    """
    value = check_past_date(value, label)
    if birth_date is not None and _years_between(birth_date, value) < 17:
        raise Invalid(
            f"{_sentence(label)} terlalu dekat dengan tanggal lahir Anda. "
            "Periksa tahunnya."
        )
    return value


def _years_between(start: date, end: date) -> int:
    """Return whole years from ``start`` to ``end``."""
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


def parse_date(raw: str) -> date | None:
    """Read ``YYYY-MM-DD`` (date inputs) or ``DD/MM/YYYY`` (typed) as a date.

    :raises Invalid: when the text is not a real date.
    """
    text = (raw or "").strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if match:
        year, month, day = map(int, match.groups())
    else:
        match = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", text)
        if not match:
            raise Invalid("Tulis tanggal seperti 17-08-1980.")
        day, month, year = map(int, match.groups())
    try:
        return date(year, month, day)
    except ValueError as error:
        raise Invalid("Tanggal itu tidak ada di kalender.") from error
