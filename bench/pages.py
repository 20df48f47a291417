"""Print the weight of every page and fragment of the registration path.

Two parts:

1. Bytes: every page, step and fragment of the path as a logged-in official
   sees it, compressed as the app sends it, with the static files each page
   loads. Deterministic; taken through the Flask test client on a scratch
   SQLite database.
2. Bytes and time in Debian's Chromium: the sign-up, log-in and welcome
   pages anonymously, steps 1 to 3, status and training home as a logged-in
   official, first visit (cold) and repeat visit (warm cache and service
   worker), on the profiles none, 3g-slow and 2g, with the measuring code of
   ``../shared/tools/pageweight.py``, against ``python -m
   pamong.devtools.serve`` started on a free port (``bench/pages_logged_in.py``).

Run: ``.venv/bin/python bench/pages.py`` (``--bytes-only`` skips part 2).
"""

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ASSET = re.compile(r'(?:src|href)="(/static/[^"]+)"')
BUDGET_FIRST = 30 * 1024
BUDGET_FRAGMENT = 1536


def measure_bytes() -> list[tuple[str, int, int, int]]:
    """Walk the path with the test client; return (page, html, assets, total)."""
    from flask_migrate import upgrade

    from pamong import create_app
    from pamong.wilayah.services import import_wilayah
    from tests.helpers import Official

    folder = Path(tempfile.mkdtemp(prefix="pamong-bench-"))
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
            "UPLOAD_FOLDER": str(folder / "uploads"),
            "OUTBOX_WORKER": False,
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": "bench",
        }
    )
    with app.app_context():
        upgrade()
        import_wilayah()

    client = app.test_client()
    gzip_headers = {"Accept-Encoding": "gzip"}
    seen_assets: set[str] = set()
    rows = []

    def weigh(label: str, path: str, headers=None) -> None:
        """Record one page's compressed HTML and the new assets it loads."""
        response = client.get(path, headers={**gzip_headers, **(headers or {})})
        html = len(response.data)
        text = client.get(path, headers=headers or {}).get_data(as_text=True)
        assets = 0
        for url in ASSET.findall(text):
            if url in seen_assets:
                continue
            seen_assets.add(url)
            assets += len(client.get(url, headers=gzip_headers).data)
        rows.append((label, html, assets, html + assets))

    weigh("/daftar", "/daftar")
    weigh("/ (beranda)", "/")
    weigh("/masuk", "/masuk")
    weigh("/lupa-sandi", "/lupa-sandi")
    weigh("/offline", "/offline")
    weigh("/verifikasi/kirim-ulang", "/verifikasi/kirim-ulang")
    official = Official(client)
    official.sign_up(verify=False)
    weigh("/daftar/periksa-email", "/daftar/periksa-email")
    official.verify_email()
    weigh("/daftar/identitas (langkah 1)", "/daftar/identitas")
    official.step1()
    weigh("/daftar/jabatan (langkah 2)", "/daftar/jabatan")
    official.step2()
    weigh("/daftar/lokasi (langkah 3)", "/daftar/lokasi")
    htmx = {"HX-Request": "true"}
    weigh("fragmen kabupaten (NTB)", "/wilayah/kabupaten?provinsi=52", htmx)
    weigh(
        "fragmen kecamatan (Lombok Timur)", "/wilayah/kecamatan?kabupaten=52.03", htmx
    )
    weigh("fragmen desa (Keruak)", "/wilayah/desa?kecamatan=52.03.01", htmx)
    weigh("fragmen desa terbesar (95.06.03)", "/wilayah/desa?kecamatan=95.06.03", htmx)
    official.step3()
    weigh("/status", "/status")
    _approve(app, official.email)
    weigh("/pelatihan/ (beranda pelatihan)", "/pelatihan/")
    return rows


def _approve(app, email: str) -> None:
    """Mark the official's email verified and the account approved."""
    from datetime import UTC, datetime

    from pamong.accounts.models import APPROVED, User
    from pamong.extensions import db

    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one()
        user.email_verified_at = datetime.now(UTC)
        user.state = APPROVED
        db.session.commit()


def print_bytes(rows) -> None:
    """Print the byte table with the budgets."""
    print("Bytes on the wire (gzip), new static files counted once, in path order")
    print(f"{'page':38} {'html':>7} {'assets':>7} {'total':>7}")
    for label, html, assets, total in rows:
        print(f"{label:38} {html:7d} {assets:7d} {total:7d}")
    sign_up = next(row for row in rows if row[0] == "/daftar")
    fragments = [row for row in rows if row[0].startswith("fragmen")]
    print(
        f"\nsign-up first visit (html+all assets): {sign_up[3]} B "
        f"(budget {BUDGET_FIRST}); largest fragment: "
        f"{max(row[1] for row in fragments)} B (budget {BUDGET_FRAGMENT})"
    )


def main() -> None:
    """Print both tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bytes-only", action="store_true")
    parser.add_argument(
        "--profile", action="append", default=None, help="pageweight profile"
    )
    args = parser.parse_args()

    print_bytes(measure_bytes())
    if args.bytes_only:
        return
    command = [sys.executable, str(Path(__file__).with_name("pages_logged_in.py"))]
    for profile in args.profile or []:
        command += ["--profile", profile]
    subprocess.run(command, check=True, timeout=3600)


if __name__ == "__main__":
    main()
