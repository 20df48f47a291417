"""Password rules: at least 8 characters and not a commonly used password."""

import gzip
from functools import cache
from pathlib import Path

MIN_LENGTH = 8
MAX_LENGTH = 200
LIST = Path(__file__).parent / "data" / "common-passwords.txt.gz"


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
