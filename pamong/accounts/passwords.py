"""Password rules (at least 8 characters, not a common one) and hashing.

Hashes are Werkzeug's scrypt, which needs 32 MB of memory while it runs. A
wave of sign-ups or logins on one worker's sixteen threads would hold half a
gigabyte at once, and the memory stays with the process; so at most
``HASHES_AT_ONCE`` hashes run at the same time in a process and the others
wait their turn, a fraction of a second each.
"""

import gzip
import threading
from functools import cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 8
MAX_LENGTH = 200
LIST = Path(__file__).parent / "data" / "common-passwords.txt.gz"

#: scrypt computations one process runs at the same time.
HASHES_AT_ONCE = 2
_hashing = threading.BoundedSemaphore(HASHES_AT_ONCE)


def hash_password(password: str) -> str:
    """Return the scrypt hash of ``password``, waiting for a free slot."""
    with _hashing:
        return generate_password_hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    """Tell whether ``password`` matches ``password_hash``, waiting for a slot."""
    with _hashing:
        return check_password_hash(password_hash, password)


@cache
def common_passwords() -> frozenset[str]:
    """Load the shipped list of common passwords once per process."""
    with gzip.open(LIST, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def password_problem(password: str, email: str = "", name: str = "") -> str | None:
    """Return why a password is refused, in Bahasa Indonesia, or ``None``."""
    if len(password or "") < MIN_LENGTH:
        return f"Kata sandi minimal {MIN_LENGTH} karakter."
    if len(password) > MAX_LENGTH:
        return "Kata sandi terlalu panjang."

    folded = password.strip().lower()
    if folded in common_passwords():
        return "Kata sandi ini terlalu umum dan mudah ditebak. Pilih yang lain."
    local_part = (email or "").split("@")[0].lower()
    if folded in {local_part, (email or "").lower(), (name or "").lower()}:
        return "Kata sandi tidak boleh sama dengan email atau nama Anda."
    return None
