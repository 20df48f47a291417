"""Does "Lupa kata sandi" answer a known address as fast as an unknown one?

Usage::

    .venv/bin/python bench/forgot_password.py [--runs 200] [--database-url URL]

Migrates a scratch SQLite database (or uses ``--database-url``, whose schema
it must be allowed to fill), creates one account, starts an SMTP server on
loopback so the outbox sender really sends, then posts the form through the
Flask test client alternately for the known address and for fresh unknown
ones. Prints the median and p90 in milliseconds of each.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pamong import create_app  # noqa: E402
from tests.mailbox import Mailbox  # noqa: E402

KNOWN = "siti.aminah@example.id"


def main() -> None:
    """Time both kinds of request and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="pamong-forgot-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    box = Mailbox()
    port = box.start()
    app = create_app(
        {
            "SECRET_KEY": "bench-secret",
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_FOLDER": str(folder / "uploads"),
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
            "OUTBOX_POLL_SECONDS": 1,
            "LOG_LEVEL": "WARNING",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        from pamong.accounts.services import create_account

        upgrade()
        create_account(KNOWN, "Siti Aminah", "kopi-tubruk-2026")

    client = app.test_client()
    timings = {"dikenal": [], "tidak dikenal": []}
    for run in range(args.runs + 10):
        for label, email in (("dikenal", KNOWN), ("tidak dikenal", f"x{run}@b.id")):
            started = time.perf_counter()
            response = client.post("/lupa-sandi", data={"email": email})
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, response.status_code
            if run >= 10:
                timings[label].append(elapsed)
    app.extensions["outbox_worker"].stop()
    box.stop()

    for label, values in timings.items():
        values.sort()
        p90 = values[int(len(values) * 0.9)]
        print(
            f"{label:14} median {statistics.median(values):6.2f} ms"
            f"  p90 {p90:6.2f} ms  (n={len(values)})"
        )
    print(f"mails received: {len(box.messages)}")


if __name__ == "__main__":
    main()
