"""Password hashes: scrypt, and never more at once than memory allows."""

import threading
import time

from pamong.accounts import passwords


def test_hashes_verify_and_use_scrypt():
    """A hash made here checks the same password and no other."""
    hashed = passwords.hash_password("kopi-tubruk-2026")

    assert hashed.startswith("scrypt:")
    assert passwords.password_matches(hashed, "kopi-tubruk-2026")
    assert not passwords.password_matches(hashed, "kopi-tubruk-2027")


def test_no_more_hashes_at_once_than_allowed(monkeypatch):
    """Eight threads hashing together run at most HASHES_AT_ONCE at a time."""
    running, most = 0, 0
    lock = threading.Lock()

    def slow_hash(password):
        """Count how many hashes run now, as a 32 MB scrypt would."""
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return "scrypt:fake"

    monkeypatch.setattr(passwords, "generate_password_hash", slow_hash)
    threads = [
        threading.Thread(target=passwords.hash_password, args=("sandi-rahasia",))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert most == passwords.HASHES_AT_ONCE
