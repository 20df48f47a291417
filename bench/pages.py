"""Print the weight of every page and fragment of the registration path.

Two parts:

1. Bytes: every page, step and fragment of the path as a logged-in official
   sees it, compressed as the app sends it, with the static files each page
   loads. Deterministic; taken through the Flask test client on a scratch
   SQLite database.
2. Time: the pages that need no login, measured in Debian's Chromium with
   ``../shared/tools/pageweight.py`` on the profiles none, 3g-slow and 2g,
   first visit (cold) and repeat visit (warm cache and service worker),
   against ``python -m pamong.devtools.serve`` started on a free port.

Run: ``.venv/bin/python bench/pages.py`` (``--bytes-only`` skips part 2).
"""

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PAGEWEIGHT = ROOT.parent / "shared" / "tools" / "pageweight.py"
ASSET = re.compile(r'(?:src|href)="(/static/[^"]+)"')
BUDGET_FIRST = 30 * 1024
BUDGET_WINDOW = 14 * 1024
BUDGET_REPEAT = 4 * 1024
BUDGET_FRAGMENT = 1536


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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
    official = Official(client)
    official.sign_up()
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
    return rows


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


def measure_time(profiles: list[str]) -> None:
    """Serve the app and run pageweight.py on the pages that need no login."""
    port, mail_port = free_port(), free_port()
    instance = tempfile.mkdtemp(prefix="pamong-bench-serve-")
    env = {
        **os.environ,
        "PAMONG_INSTANCE_PATH": instance,
        "PAMONG_PORT": str(port),
        "PAMONG_MAIL_PORT": str(mail_port),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "pamong.devtools.serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/daftar", 120)
        print(f"\n{'page':12} {'profile':8} {'visit':6} {'wire B':>7} {'usable ms':>9}")
        for path, selector in (
            ("/daftar", "input[name=email]"),
            ("/masuk", "input[name=email]"),
            ("/", "a.button"),
        ):
            for visit in _pageweight(
                f"http://127.0.0.1:{port}{path}", selector, profiles
            ):
                print(
                    f"{path:12} {visit['profile']['name']:8} {visit['visit']:6} "
                    f"{visit['wire_bytes']:7d} {visit['time_to_usable_ms']:9.0f}"
                )
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        f"\nbudgets: first visit <= {BUDGET_FIRST} B, repeat <= {BUDGET_REPEAT} B; "
        "2g usable <= 5000 ms first, <= 2000 ms repeat"
    )


def _wait_for(url: str, seconds: float) -> None:
    """Wait until the server answers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"server did not start: {url}")


def _pageweight(url: str, selector: str, profiles: list[str]) -> list[dict]:
    """Run pageweight.py and return its JSON lines."""
    command = [sys.executable, str(PAGEWEIGHT), url, "--selector", selector]
    for profile in profiles:
        command += ["--profile", profile]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=900, check=False
    )
    return [
        json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")
    ]


def main() -> None:
    """Print both tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bytes-only", action="store_true")
    parser.add_argument(
        "--profile", action="append", default=None, help="pageweight profile"
    )
    args = parser.parse_args()

    print_bytes(measure_bytes())
    if not args.bytes_only:
        measure_time(args.profile or ["none", "3g-slow", "2g"])


if __name__ == "__main__":
    main()
