"""Reading hand-edited query values of the admin pages without ever failing.

A bookmarked or mistyped URL always shows a page: a value that cannot be
used is treated as absent, and numbers and dates are kept inside what the
database and the date arithmetic can hold.
"""

import re
from datetime import date

from pamong.core.logs import mask_nik

#: Dates the filters accept; one day is added to an end date.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9998, 12, 31)

#: Largest page number and id looked for (a 32-bit database integer).
LARGEST = 2**31 - 1

LONG_DIGITS = re.compile(r"\d{12,}")


def query_date(text: str | None) -> date | None:
    """Parse ``YYYY-MM-DD`` within the accepted years; anything else is no date."""
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day is None or FIRST_DAY <= day <= LAST_DAY else None


def page_number(args) -> int:
    """Read ``halaman``: a page from 1 up, 1 when missing or unusable."""
    page = args.get("halaman", 1, type=int) or 1
    return min(max(page, 1), LARGEST)


def whole_id(text: str | None) -> int | None:
    """Read a database id written in ASCII digits; ``None`` for anything else."""
    if not text or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= LARGEST else None


def search_text(text: str | None, limit: int) -> str:
    """Clean a free-text search: no NUL, no surrounding spaces, at most ``limit``."""
    return (text or "").replace("\x00", "").strip()[:limit]


def masked_digits(text: str) -> str:
    """Mask every long run of digits, as a NIK would be, for the audit log."""
    return LONG_DIGITS.sub(lambda found: mask_nik(found.group()), text)
