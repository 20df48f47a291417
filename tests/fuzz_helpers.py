"""Strategies, settings and checks of answers for the property-based tests.

Every strategy draws what a phone, a broken client or an attacker may send:
control characters, NUL bytes, right-to-left marks, emoji, combining marks,
very long strings, and values of the right shape at the edges of their rules.
"""

import re
from datetime import date, timedelta
from urllib.parse import quote

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from werkzeug.datastructures import MultiDict

from pamong.core.time import today
from tests.pages import Page

#: A 500 page says this; no answer may.
SERVER_ERROR = "Terjadi kesalahan di server"

#: Words of WTForms' and Werkzeug's English messages.
ENGLISH = re.compile(
    r"This field|Not a valid|[Ii]nvalid |is required|[Ff]ield must|cannot be longer"
    r"|valid choice|Traceback|[Ee]rror:"
)

#: Words found in every message the portal shows next to a field.
INDONESIAN = re.compile(
    r"\b(Isi|isi|Pilih|pilih|tidak|harus|hanya|paling|minimal|terlalu|sudah|bukan|"
    r"salah|Tulis|Periksa|Unggah|Centang|dari|boleh|ada|yang|Umur|masuk akal|"
    r"kalender|berisi|sesuai|Buat|kata sandi|Alamat|Nomor|Berkas|Tanggal|Nama|"
    r"Target|Permintaan|Ukuran|Sesi|Formulir|Akun|sampai)\b"
)


def fuzz(examples: int) -> settings:
    """Return deterministic settings for a property test of ``examples`` cases."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


# Strategies ------------------------------------------------------------------

#: Hand-picked values that have broken web forms before.
NASTY = [
    "",
    " ",
    "\t\n\r\n",
    "\x00",
    "Siti\x00Aminah",
    "\x01\x08\x1b\x7f",
    "<script>alert(1)</script>",
    "\"'><img src=x onerror=alert(1)>",
    "&amp; &lt; &#0; &#x110000;",
    "{{ 7*7 }}{% raw %}",
    "\u202eanimA itiS\u202c",
    "\u200f\u0645\u0631\u062d\u0628\u0627",
    "\u05e9\u05dc\u05d5\u05dd",
    "\U0001f600\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "Sit\u0301\u0301\u0301i",
    "Z\u0334\u0321\u0322a\u0335l\u0338g\u0336o\u0337",
    "\u200b",
    "\ufeff",
    "\uffff\U0010ffff",
    "\u0661\u0662\u0663\u0664",
    "\uff11\uff12\uff13\uff14",
    "x" * 5000,
    "9" * 400,
    "-1",
    "1e308",
    "NaN",
    "null",
    "[]",
    "%00%ff",
    "%s%n%x",
    "../../etc/passwd",
    "'; DROP TABLE users; --",
    '=HYPERLINK("http://127.0.0.1")',
    "+62",
    "@SUM(1)",
]

#: Markup that must come back as text, never as tags.
MARKUP = [
    "<script>alert(1)</script>",
    "\"'><img src=x onerror=alert(1)>",
    "</textarea><b>tebal</b>",
    "<option selected>x</option>",
]

#: The part of each :data:`MARKUP` that would be a tag if not escaped.
TAGS = ["<script>alert(1)", "<img src=x", "<b>tebal</b>", "<option selected>x"]

#: Text of any code point a browser can send (not lone surrogates).
ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=40)

#: Text beyond ASCII only: scripts, marks, emoji, private use.
WIDE_TEXT = st.text(st.characters(codec="utf-8", min_codepoint=0x80), max_size=20)


def nasty_text() -> st.SearchStrategy[str]:
    """Draw a hand-picked nasty value, random text, or a long repetition."""
    return st.one_of(
        st.sampled_from(NASTY),
        st.sampled_from(MARKUP),
        ANY_TEXT,
        WIDE_TEXT,
        st.builds(lambda text, times: text * times, ANY_TEXT, st.integers(50, 300)),
    )


def maybe(strategy) -> st.SearchStrategy:
    """Draw from ``strategy`` or ``None`` (the field is left out)."""
    return st.one_of(st.none(), strategy)


def iso(value: date) -> str:
    """Write a date as the ``YYYY-MM-DD`` a date input sends."""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def edge_dates() -> st.SearchStrategy[str]:
    """Draw dates at the edges of the rules, and things that are not dates."""
    now = today()
    fixed = [
        iso(now),
        iso(now + timedelta(days=1)),
        iso(now - timedelta(days=1)),
        "1900-01-01",
        "1899-12-31",
        "2000-02-29",
        "2004-02-29",
        "1999-02-29",
        "1900-02-29",
        "2100-02-29",
        "29/02/2000",
        "29-02-1999",
        "9999-12-31",
        "31/12/9999",
        "0001-01-01",
        "0000-00-00",
        "2020-13-01",
        "2020-00-10",
        "2020-01-32",
        "12/04/1985",
        "12.04.1985",
        "1985-4-2",
        " 1985-04-12 ",
        "\u0661\u0669\u0668\u0665-\u0660\u0664-\u0661\u0662",
        "1985-04-12T00:00",
        "12 April 1985",
        "99999-01-01",
        "1985/04/12",
    ]
    real = st.dates(date(1, 1, 1), date(9999, 12, 31)).map(iso)
    return st.one_of(st.sampled_from(fixed), real, nasty_text())


@st.composite
def valid_niks(draw, birth: date | None = None, gender: str | None = None) -> str:
    """Draw a NIK that passes every check, for ``birth`` and ``gender`` if given."""
    province = draw(st.sampled_from(["11", "31", "51", "52", "73", "94"]))
    region = draw(st.from_regex(r"[0-9]{4}", fullmatch=True))
    born = birth or draw(st.dates(date(1930, 1, 1), date(2005, 12, 31)))
    female = (gender or draw(st.sampled_from("LP"))) == "P"
    day = born.day + (40 if female else 0)
    serial = draw(st.integers(1, 9999))
    return (
        f"{province}{region}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
    )


def typed_nik(nik: str) -> st.SearchStrategy[str]:
    """Draw ways an official types a NIK: grouped, dotted, padded with spaces."""
    groups = f"{nik[:6]} {nik[6:12]} {nik[12:]}"
    return st.sampled_from(
        [
            nik,
            f" {nik} ",
            groups,
            f"{nik[:2]}.{nik[2:4]}.{nik[4:6]}.{nik[6:12]}.{nik[12:]}",
            "-".join(nik[index : index + 4] for index in range(0, 16, 4)),
            "\u00a0".join(nik[index : index + 4] for index in range(0, 16, 4)),
            f"\t{nik}\n",
        ]
    )


#: Digits that are not ASCII: full-width and Arabic-Indic.
FULLWIDTH = str.maketrans("0123456789", "".join(chr(0xFF10 + n) for n in range(10)))
ARABIC_INDIC = str.maketrans("0123456789", "".join(chr(0x660 + n) for n in range(10)))


def nik_like(nik: str) -> st.SearchStrategy[str]:
    """Draw NIK-like values that must be refused: numbers, letters, wrong length."""
    return st.one_of(
        st.sampled_from(
            [
                f"{int(nik):.15e}",
                f"{int(nik):.15E}".replace("E+", "E"),
                str(float(nik)),
                f"{nik}.0",
                nik[:-1],
                nik + "0",
                nik[:15] + "O",
                "l" + nik[1:],
                nik.translate(FULLWIDTH),
                nik.translate(ARABIC_INDIC),
                nik[:12] + "0000",
                "00" + nik[2:],
                nik[:6] + "00" + nik[8:],
                nik[:8] + "13" + nik[10:],
                "0x" + nik,
                "-" + nik,
                "+" + nik,
            ]
        ),
        st.from_regex(r"[0-9 .\-]{0,30}", fullmatch=True),
        st.from_regex(r"[0-9]{10,20}", fullmatch=True),
        nasty_text(),
    )


def valid_names() -> st.SearchStrategy[str]:
    """Draw names the portal must accept: one word, apostrophes, dots, accents."""
    fixed = [
        "Sukarno",
        "Ni Luh Putu Ayu",
        "Ma'ruf Amin",
        "Ma\u2019ruf",
        "I Gst. Ngurah Rai",
        "Drs. H. Abd. Rahman, S.Pd.",
        "Nur'aini",
        "Siti Aminah-Putri",
        "Andi \u00c9lodie",
        "O'Neil",
        "La Ode Muh. Ali",
        "  Siti   Aminah  ",
        "\u0633\u064a\u062a\u064a",
        "Sit\u0131",
        "Ren\u0065\u0301",
    ]
    word = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz"), min_size=1).map(
        str.capitalize
    )
    joined = st.lists(word, min_size=1, max_size=4).flatmap(
        lambda words: st.sampled_from([" ", ". ", "'", "-"]).map(
            lambda glue: glue.join(words)
        )
    )
    return st.one_of(st.sampled_from(fixed), joined).filter(lambda n: len(n) <= 150)


def valid_phones() -> st.SearchStrategy[str]:
    """Draw Indonesian mobile numbers in the ways people write them."""
    return st.sampled_from(
        [
            "081234567890",
            "0812-3456-7890",
            "0812 3456 7890",
            "+62 812 3456 7890",
            "6281234567890",
            "+6285712345678",
            "0857 1234 5678",
        ]
    )


def plus_emails() -> st.SearchStrategy[str]:
    """Draw addresses with a ``+tag`` and letters in mixed case."""
    part = st.from_regex(r"[a-zA-Z][a-zA-Z0-9]{0,10}", fullmatch=True)
    domain = st.sampled_from(["Example.ID", "GMAIL.com", "desa.go.id", "Mail.Co.Id"])
    return st.builds(
        lambda user, tag, host: f"{user}+{tag}@{host}", part, part, domain
    ).filter(lambda email: email != email.lower())


def query_values() -> st.SearchStrategy[list[tuple[str, str]]]:
    """Draw a query string's pairs: known keys, junk keys, repeats."""
    return st.lists(st.tuples(st.text(max_size=12), nasty_text()), max_size=6)


def query_string(pairs: list[tuple[str, str]]) -> str:
    """Percent-encode pairs into a query string, keeping repeats."""
    return "&".join(
        f"{quote(key, safe='')}={quote(value, safe='')}" for key, value in pairs
    )


def raw_form(pairs: list[tuple[str, str]], junk: bytes = b"") -> bytes:
    """Encode pairs as a urlencoded body, then append raw bytes (bad UTF-8)."""
    body = query_string(pairs).encode("ascii")
    return body + (b"&" + junk if junk else b"")


#: Bytes that are not UTF-8: lone surrogates as CESU, overlongs, stray bytes.
BAD_UTF8 = [
    b"name=%ED%A0%80",
    b"name=%ED%BF%BF%ED%A0%80",
    b"email=%C0%AF",
    b"nik=%FF%FE%FD",
    b"nik=5203015204850001%80",
    b"%ED%A0%80=1",
    b"name=\xed\xa0\x80",
    b"birth_place=%E2%82",
]


def form(data: dict, token: str) -> MultiDict:
    """Return a form of ``data`` (``None`` leaves a key out) with the token."""
    pairs = [("csrf_token", token)]
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, list):
            pairs.extend((key, item) for item in value)
        else:
            pairs.append((key, value))
    return MultiDict(pairs)


def has_nul(data) -> bool:
    """Tell whether any value sent, repeated keys included, holds a NUL byte."""
    groups = data.listvalues() if hasattr(data, "listvalues") else data.values()
    values = []
    for value in groups:
        values.extend(value if isinstance(value, list) else [value])
    return any("\x00" in value for value in values if isinstance(value, str))


# Reading answers -------------------------------------------------------------


def assert_handled(response, allowed=(200, 302, 400, 404, 409, 422)) -> None:
    """Check that an answer is one of ``allowed`` and no server error page."""
    if currently_in_test_context():
        event(f"status {response.status_code}")
    assert response.status_code != 500, response.get_data(as_text=True)[:2000]
    assert response.status_code in allowed, response.status_code
    body = response.get_data()
    assert SERVER_ERROR.encode() not in body
    assert b"Traceback" not in body


def assert_indonesian(message: str) -> None:
    """Check that a message next to a field is in Bahasa Indonesia."""
    assert message, "empty error message"
    assert not ENGLISH.search(message), message
    assert INDONESIAN.search(message), message


def assert_refused(page: Page, fields: tuple[str, ...] = ()) -> None:
    """Check that a refused form names at least one field, in Indonesian."""
    assert page.errors, "refused without a message at a field"
    for name in fields:
        assert name in page.errors, (name, page.errors)
    for message in page.errors.values():
        assert_indonesian(message)


def first(pairs: list[tuple[str, str]], key: str) -> str | None:
    """Return the first value of ``key`` among pairs, as a server reads it."""
    return next((value for name, value in pairs if name == key), None)


def assert_echoed(page: Page, sent: dict, fields: tuple[str, ...]) -> None:
    """Check that each typed value in ``fields`` is shown again, as typed."""
    for name in fields:
        value = sent.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        if value is None:
            continue
        if name in page.textareas:
            shown = page.textareas[name]
        else:
            shown = page.values.get(name)
        assert shown == value, (name, value, shown)


def assert_escaped(body: str, value: str | None) -> None:
    """Check that markup typed by the user never reaches the page as markup."""
    for markup, tag in zip(MARKUP, TAGS, strict=True):
        if markup in (value or ""):
            assert tag not in body, tag
