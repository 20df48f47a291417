"""Table-driven tests of the Indonesian data rules in the validators module.

These are plain function calls: no app, no database. Dates that depend on the
day the suite runs are computed from :func:`pamong.core.time.today`.
"""

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from pamong.core import time as pamong_time
from pamong.core.time import today
from pamong.registration.validators import (
    Invalid,
    check_after_birth,
    check_birth_date,
    check_nik,
    check_past_date,
    check_phone,
    clean_name,
    clean_nik,
    parse_date,
)

ROOT = Path(__file__).resolve().parents[1]

PROVINCES = frozenset({"11", "52", "91", "92", "93", "94", "95", "96"})

#: A woman born on 12 April 1985 in Kecamatan Keruak, Lombok Timur.
NIK_FEMALE = "5203015204850001"
#: A man born on 12 April 1985 in the same kecamatan.
NIK_MALE = "5203011204850001"

FULL_WIDTH = NIK_FEMALE.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
ARABIC_INDIC = NIK_FEMALE.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))


def years_before(day: date, years: int) -> date:
    """Return the same calendar day ``years`` earlier (28 Feb for 29 Feb)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


# NIK: blocking checks -------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(NIK_FEMALE, NIK_FEMALE, id="16-digits"),
        pytest.param("5203 0152 0485 0001", NIK_FEMALE, id="spaces-stripped"),
        pytest.param("5203-0152-0485-0001", NIK_FEMALE, id="dashes-stripped"),
        pytest.param(f"  {NIK_FEMALE}\t", NIK_FEMALE, id="outer-whitespace"),
        pytest.param("5203014101900001", "5203014101900001", id="women-dd-41"),
        pytest.param("5203017101900001", "5203017101900001", id="women-dd-71"),
        pytest.param("5203013101900001", "5203013101900001", id="men-dd-31"),
        pytest.param("5203012902000001", "5203012902000001", id="29-feb-yy00-2000"),
        pytest.param("5203016902000001", "5203016902000001", id="29-feb-yy00-woman"),
        pytest.param("5203012902840001", "5203012902840001", id="29-feb-yy84"),
        pytest.param("9201011204850001", "9201011204850001", id="papua-province-92"),
        pytest.param("1101011204859999", "1101011204859999", id="serial-9999"),
    ],
)
def test_nik_passes_blocking_checks(raw, expected):
    """A well-formed NIK is accepted and returned as 16 digits of text."""
    result = check_nik(raw, PROVINCES)
    assert result.nik == expected
    assert isinstance(result.nik, str)
    assert len(result.nik) == 16
    assert not result.warnings


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        pytest.param("", "Isi NIK", id="empty"),
        pytest.param("   ", "Isi NIK", id="blank"),
        pytest.param("520301520485000", "16 angka", id="15-digits"),
        pytest.param("52030152048500011", "16 angka", id="17-digits"),
        pytest.param("52030152048500O1", "angka", id="letter-O"),
        pytest.param("5203015204850OO1", "angka", id="two-letters"),
        pytest.param(FULL_WIDTH, "angka", id="full-width-digits"),
        pytest.param(ARABIC_INDIC, "angka", id="arabic-indic-digits"),
        pytest.param("9903015204850001", "kode provinsi", id="province-99"),
        pytest.param("0003015204850001", "kode provinsi", id="province-00"),
        pytest.param("5203010004850001", "tanggal lahir", id="dd-00"),
        pytest.param("5203013204850001", "tanggal lahir", id="dd-32"),
        pytest.param("5203014004850001", "tanggal lahir", id="dd-40"),
        pytest.param("5203017204850001", "tanggal lahir", id="dd-72"),
        pytest.param("5203019904850001", "tanggal lahir", id="dd-99"),
        pytest.param("5203011200850001", "tanggal lahir", id="month-00"),
        pytest.param("5203011213850001", "tanggal lahir", id="month-13"),
        pytest.param("5203013104850001", "kalender", id="31-april"),
        pytest.param("5203017104850001", "kalender", id="31-april-woman"),
        pytest.param("5203013002850001", "kalender", id="30-feb"),
        pytest.param("5203012902830001", "kalender", id="29-feb-yy83"),
        pytest.param("5203016902830001", "kalender", id="29-feb-yy83-woman"),
        pytest.param("5203011204850000", "0000", id="serial-0000"),
    ],
)
def test_nik_blocking_checks_refuse(raw, fragment):
    """A NIK breaking a blocking rule is refused with a message naming the rule."""
    with pytest.raises(Invalid) as refused:
        check_nik(raw, PROVINCES)
    assert fragment in str(refused.value)


@pytest.mark.parametrize(
    ("raw", "codes", "expected"),
    [
        pytest.param("0103015204850001", {"01"}, "0103015204850001", id="leading-zero"),
        pytest.param(
            "0010 0152 0485 0001", {"00"}, "0010015204850001", id="two-leading-zeros"
        ),
        pytest.param(
            "5203015204850001", PROVINCES, "5203015204850001", id="zeros-inside"
        ),
    ],
)
def test_nik_keeps_leading_zeros(raw, codes, expected):
    """A NIK is text: zeros at the front or inside are never lost."""
    assert clean_nik(raw) == expected
    result = check_nik(raw, codes)
    assert result.nik == expected
    assert isinstance(result.nik, str) and len(result.nik) == 16


# NIK: soft checks -------------------------------------------------------------


@pytest.mark.parametrize(
    ("nik", "birth_date", "gender", "date_mismatch", "gender_mismatch"),
    [
        pytest.param(NIK_FEMALE, date(1985, 4, 12), "P", False, False, id="woman-ok"),
        pytest.param(NIK_MALE, date(1985, 4, 12), "L", False, False, id="man-ok"),
        pytest.param(
            NIK_FEMALE, date(1985, 4, 13), "P", True, False, id="date-differs"
        ),
        pytest.param(
            NIK_FEMALE, date(1986, 4, 12), "P", True, False, id="year-differs"
        ),
        pytest.param(
            NIK_FEMALE, date(1985, 4, 12), "L", False, True, id="woman-code-gender-L"
        ),
        pytest.param(
            NIK_MALE, date(1985, 4, 12), "P", False, True, id="man-code-gender-P"
        ),
        pytest.param(NIK_MALE, date(1985, 5, 12), "P", True, True, id="both-differ"),
        pytest.param(NIK_FEMALE, None, None, False, False, id="nothing-entered"),
        pytest.param(
            "5203011505050001", date(1905, 5, 15), "L", False, False, id="yy05-1905"
        ),
        pytest.param(
            "5203011505050001", date(2005, 5, 15), "L", False, False, id="yy05-2005"
        ),
        pytest.param(
            "5203011505050001", date(1995, 5, 15), "L", True, False, id="yy05-1995"
        ),
        pytest.param(
            "5203016902000001", date(2000, 2, 29), "P", False, False, id="leap-2000"
        ),
    ],
)
def test_nik_soft_checks(nik, birth_date, gender, date_mismatch, gender_mismatch):
    """Soft checks flag a differing birth date or +40 gender code, never refuse."""
    result = check_nik(nik, PROVINCES, birth_date, gender)
    assert result.nik == nik
    assert result.date_mismatch is date_mismatch
    assert result.gender_mismatch is gender_mismatch
    assert len(result.warnings) == date_mismatch + gender_mismatch


def test_nik_soft_warnings_are_in_bahasa_indonesia():
    """Each soft warning tells the official, in Bahasa Indonesia, what differs."""
    result = check_nik(NIK_MALE, PROVINCES, date(1985, 5, 12), "P")
    warnings = [warning.lower() for warning in result.warnings]
    assert any("berbeda dengan tanggal lahir" in warning for warning in warnings)
    assert any("berbeda dengan jenis kelamin" in warning for warning in warnings)


# Phone numbers -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("08123456789", "+628123456789", id="08-11-digits"),
        pytest.param("0812-3456-7890", "+6281234567890", id="08-dashes"),
        pytest.param("0812 3456 7890", "+6281234567890", id="08-spaces"),
        pytest.param("628123456789", "+628123456789", id="628-no-plus"),
        pytest.param("+62 812-3456-7890", "+6281234567890", id="plus62-mixed"),
        pytest.param("+6281234567890", "+6281234567890", id="e164"),
        pytest.param(" 0812 3456 7890 ", "+6281234567890", id="outer-spaces"),
        pytest.param("0852-1234-5678", "+6285212345678", id="other-operator"),
    ],
)
def test_phone_is_stored_in_e164(raw, expected):
    """An Indonesian mobile number in any usual form becomes E.164 +62…."""
    assert check_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param(None, id="none"),
        pytest.param("nomor saya", id="letters"),
        pytest.param("0812-abcd-7890", id="letters-inside"),
        pytest.param("0812 FOTO 7890", id="keypad-word"),
        pytest.param("0812", id="too-short"),
        pytest.param("0812345", id="short-mobile"),
        pytest.param("+1 202 555 0100", id="usa"),
        pytest.param("+60 12-345 6789", id="malaysia"),
        pytest.param("12345", id="12345"),
        pytest.param("081234567890123456789", id="too-many-digits"),
        pytest.param("0812 3456 7890 " * 20, id="very-long"),
        pytest.param("9" * 10_000, id="ten-thousand-digits"),
    ],
)
def test_phone_refused(raw):
    """Anything that is not a valid Indonesian number is refused with a message."""
    with pytest.raises(Invalid) as refused:
        check_phone(raw)
    assert "HP" in str(refused.value)


# Names ---------------------------------------------------------------------

NAME_100 = " ".join(["Ayu"] * 24 + ["Putu"])
NAME_150 = "W" + "a" * 149
NAME_151 = "W" + "a" * 150


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("Sukarno", "Sukarno", id="mononym"),
        pytest.param("Ni Luh Putu Ayu", "Ni Luh Putu Ayu", id="balinese"),
        pytest.param("I Gusti Ngurah Rai", "I Gusti Ngurah Rai", id="one-letter-word"),
        pytest.param("D'Costa", "D'Costa", id="apostrophe"),
        pytest.param("Ma’ruf Amin", "Ma’ruf Amin", id="curly-apostrophe"),
        pytest.param("Muh. Ali", "Muh. Ali", id="dot"),
        pytest.param("Abdul-Rahman", "Abdul-Rahman", id="hyphen"),
        pytest.param("Siti Aminah, S.Pd.", "Siti Aminah, S.Pd.", id="comma-title"),
        pytest.param("siti  aminah", "siti aminah", id="lowercase-kept"),
        pytest.param("SITI AMINAH", "SITI AMINAH", id="uppercase-kept"),
        pytest.param("  Sukarno  ", "Sukarno", id="outer-spaces"),
        pytest.param("Siti\tAminah\n", "Siti Aminah", id="tabs-newlines"),
        pytest.param("Nguyễn Thị", "Nguyễn Thị", id="diacritics"),
        pytest.param(NAME_100, NAME_100, id="100-chars"),
        pytest.param(NAME_150, NAME_150, id="150-chars"),
    ],
)
def test_name_accepted_as_written(raw, expected):
    """Real Indonesian names pass; only whitespace is collapsed, case untouched."""
    assert len(NAME_100) == 100
    assert clean_name(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param(None, id="none"),
        pytest.param(NAME_151, id="151-chars"),
        pytest.param("a" * 10_000, id="ten-thousand-chars"),
        pytest.param("Siti 2", id="digit"),
        pytest.param("12345", id="only-digits"),
        pytest.param("...", id="only-dots"),
        pytest.param("'-.,", id="only-punctuation"),
        pytest.param("Siti_Aminah", id="underscore"),
        pytest.param("<script>", id="markup"),
        pytest.param("Siti \U0001f600", id="emoji"),
        pytest.param("Siti\x00Aminah", id="nul-byte"),
    ],
)
def test_name_refused(raw):
    """Empty, too long, digits or symbols only: refused with a message."""
    with pytest.raises(Invalid) as refused:
        clean_name(raw)
    assert str(refused.value)


def test_name_refusal_names_the_field():
    """The message uses the field's label, e.g. Tempat lahir."""
    with pytest.raises(Invalid, match="Tempat lahir"):
        clean_name("7" * 200, "Tempat lahir")


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("a" + "." * 40 + "1", id="dots-then-digit"),
        pytest.param("a" + " -" * 40 + "!", id="spaced-hyphens-then-bang"),
        pytest.param("Ni" + " '" * 60 + "#", id="spaced-apostrophes-then-hash"),
    ],
)
def test_name_check_is_fast_on_hostile_input(raw):
    """A run of separators ending in a symbol is refused within five seconds."""
    code = (
        "import sys\n"
        "from pamong.registration.validators import Invalid, clean_name\n"
        "try:\n"
        "    clean_name(sys.argv[1])\n"
        "except Invalid:\n"
        "    sys.exit(0)\n"
        "sys.exit(3)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        finished = subprocess.run(
            [sys.executable, "-c", code, raw],
            cwd=ROOT,
            env=env,
            capture_output=True,
            timeout=5,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("clean_name took more than 5 seconds (regex backtracking)")
    assert finished.returncode == 0, finished.stderr.decode()


# Dates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("2000-02-29", date(2000, 2, 29), id="iso-leap-day"),
        pytest.param("1980-08-17", date(1980, 8, 17), id="iso"),
        pytest.param("1980-8-7", date(1980, 8, 7), id="iso-one-digit"),
        pytest.param("17-08-1980", date(1980, 8, 17), id="dd-mm-yyyy-dashes"),
        pytest.param("17/08/1980", date(1980, 8, 17), id="dd-mm-yyyy-slashes"),
        pytest.param("17.08.1980", date(1980, 8, 17), id="dd-mm-yyyy-dots"),
        pytest.param(" 17/08/1980 ", date(1980, 8, 17), id="outer-spaces"),
        pytest.param("", None, id="empty"),
        pytest.param(None, None, id="none"),
    ],
)
def test_parse_date_reads_calendar_dates(raw, expected):
    """Date inputs and typed Indonesian dates both become a calendar date."""
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("2001-02-29", id="29-feb-non-leap"),
        pytest.param("1900-02-29", id="29-feb-1900"),
        pytest.param("31/04/2020", id="31-april"),
        pytest.param("2020-13-01", id="month-13"),
        pytest.param("00/01/2020", id="day-00"),
        pytest.param("0000-01-01", id="year-0"),
        pytest.param("17-08-80", id="two-digit-year"),
        pytest.param("1980/08/17", id="iso-with-slashes"),
        pytest.param("17 Agustus 1980", id="words"),
        pytest.param("kemarin", id="garbage"),
        pytest.param("2020-01-01T00:00:00Z", id="instant"),
        pytest.param("1" * 10_000, id="ten-thousand-digits"),
    ],
)
def test_parse_date_refuses_non_dates(raw):
    """Text that is not a real calendar date raises Invalid with a message."""
    with pytest.raises(Invalid) as refused:
        parse_date(raw)
    assert "anggal" in str(refused.value)


@pytest.mark.parametrize(
    ("years", "extra_days", "fragment"),
    [
        pytest.param(0, -1, "masa depan", id="tomorrow"),
        pytest.param(-5, 0, "masa depan", id="five-years-ahead"),
        pytest.param(0, 0, "17 tahun", id="born-today"),
        pytest.param(16, 0, "17 tahun", id="16-years"),
        pytest.param(17, -1, "17 tahun", id="17th-birthday-tomorrow"),
        pytest.param(101, 0, "tidak masuk akal", id="101-years"),
        pytest.param(120, 0, "tidak masuk akal", id="120-years"),
    ],
)
def test_birth_date_refused(years, extra_days, fragment):
    """Future dates, officials under 17 and ages over 100 are refused."""
    birth = years_before(today(), years) + timedelta(days=-extra_days)
    with pytest.raises(Invalid) as refused:
        check_birth_date(birth)
    assert fragment in str(refused.value)


@pytest.mark.parametrize(
    ("years", "extra_days"),
    [
        pytest.param(17, 0, id="17th-birthday-today"),
        pytest.param(17, 1, id="17-years-and-a-day"),
        pytest.param(40, 0, id="40-years"),
        pytest.param(100, 0, id="100-years"),
    ],
)
def test_birth_date_accepted(years, extra_days):
    """A birth date giving an age from 17 to 100 is accepted unchanged."""
    birth = years_before(today(), years) - timedelta(days=extra_days)
    assert check_birth_date(birth) == birth


def test_birth_date_required():
    """A missing birth date asks for one."""
    with pytest.raises(Invalid, match="Isi tanggal lahir"):
        check_birth_date(None)


BIRTH = date(1985, 4, 12)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        pytest.param(date(1995, 4, 12), "terlalu dekat", id="10-years-after-birth"),
        pytest.param(date(2002, 4, 11), "terlalu dekat", id="day-before-17"),
        pytest.param(BIRTH, "terlalu dekat", id="on-birth-date"),
        pytest.param(date(1970, 1, 1), "terlalu dekat", id="before-birth"),
        pytest.param(None, "Isi tanggal TMT", id="missing"),
    ],
)
def test_after_birth_refused(value, fragment):
    """A TMT close to (or before) the birth date or missing is refused."""
    with pytest.raises(Invalid) as refused:
        check_after_birth(value, BIRTH, "tanggal TMT jabatan")
    assert fragment in str(refused.value)


@pytest.mark.parametrize(
    "days_ahead",
    [pytest.param(1, id="tomorrow"), pytest.param(400, id="next-year")],
)
def test_after_birth_refuses_future(days_ahead):
    """A TMT after today (in WIT) is refused as lying in the future."""
    with pytest.raises(Invalid, match="masa depan"):
        check_after_birth(
            today() + timedelta(days=days_ahead), BIRTH, "tanggal TMT jabatan"
        )


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(date(2002, 4, 12), id="17th-birthday"),
        pytest.param(date(2021, 1, 4), id="ordinary"),
        pytest.param(None, id="today"),
    ],
)
def test_after_birth_accepted(value):
    """A TMT at least 17 years after birth and not in the future is accepted."""
    value = value or today()
    assert check_after_birth(value, BIRTH, "tanggal TMT jabatan") == value


def test_past_date_before_1900_refused():
    """A date before 1900 is not a sensible date for a village official."""
    with pytest.raises(Invalid, match="tidak masuk akal"):
        check_past_date(date(1899, 12, 31), "tanggal SK")


# today() in WIT ----------------------------------------------------------------


def test_today_is_the_date_in_utc_plus_9():
    """today() is a plain date equal to the calendar date at UTC+9."""
    before = (datetime.now(UTC) + timedelta(hours=9)).date()
    value = today()
    after = (datetime.now(UTC) + timedelta(hours=9)).date()
    assert type(value) is date
    assert value in {before, after}


class _FrozenDateTime(datetime):
    """A datetime whose now() returns a fixed instant set by the test."""

    instant = datetime(2024, 12, 31, 15, 0, tzinfo=UTC)

    @classmethod
    def now(cls, tz=None):
        """Return the fixed instant in the requested zone."""
        return cls.instant.astimezone(tz) if tz else cls.instant.replace(tzinfo=None)


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        pytest.param(
            datetime(2024, 12, 31, 14, 59, tzinfo=UTC), date(2024, 12, 31), id="14:59Z"
        ),
        pytest.param(
            datetime(2024, 12, 31, 15, 0, tzinfo=UTC), date(2025, 1, 1), id="15:00Z"
        ),
        pytest.param(
            datetime(2024, 2, 28, 20, 0, tzinfo=UTC), date(2024, 2, 29), id="leap-day"
        ),
    ],
)
def test_today_turns_at_midnight_in_papua(monkeypatch, instant, expected):
    """The date changes at 15:00 UTC, midnight in WIT."""
    monkeypatch.setattr(_FrozenDateTime, "instant", instant)
    monkeypatch.setattr(pamong_time, "datetime", _FrozenDateTime)
    assert today() == expected


def test_date_already_today_in_papua_is_not_future(monkeypatch):
    """At 16:00 UTC on 31 Dec, 1 Jan (already today in Jayapura) is accepted."""
    monkeypatch.setattr(
        _FrozenDateTime, "instant", datetime(2024, 12, 31, 16, 0, tzinfo=UTC)
    )
    monkeypatch.setattr(pamong_time, "datetime", _FrozenDateTime)
    assert check_past_date(date(2025, 1, 1), "tanggal SK") == date(2025, 1, 1)
    with pytest.raises(Invalid, match="masa depan"):
        check_past_date(date(2025, 1, 2), "tanggal SK")
