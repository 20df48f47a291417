"""Weigh the pages in Chromium, anonymous and logged in, first and repeat visit.

The sign-up, log-in and welcome pages are measured anonymously; steps 1, 2
and 3, the status page and the training home as an official at the matching
point of the path. All on the network profiles of
``../shared/tools/pageweight.py`` (none, 3g-slow and 2g by default), with its
own measuring code: Chromium headless, CDP network emulation
(``Network.emulateNetworkConditions``) on the page and its service worker,
bytes from CDP ``Network.loadingFinished`` events.

For each page and profile:

1. For a logged-in page, a fresh browser profile logs in through the Masuk
   form, unthrottled. Its HTTP cache, service worker and storage are then
   wiped; the session cookie stays, made to outlive the browser restarts.
2. First visit: the browser is started on that profile and opens the page
   throttled, with an empty cache and no service worker.
3. Repeat visit: the browser is started again on the same profile (HTTP
   cache and service worker as the first visit left them) and opens it again.

The officials are made in the bench's own database (a scratch instance
folder) through the Flask test client, walking the real forms.

Run alone: ``.venv/bin/python bench/pages_logged_in.py`` (``make bench``
runs it from ``bench/pages.py``).
"""

import argparse
import importlib.util
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PAGEWEIGHT = ROOT.parent / "shared" / "tools" / "pageweight.py"
PASSWORD = "kopi-tubruk-2026"  # noqa: S105 - the bench officials' password
PROFILES = ["none", "3g-slow", "2g"]
#: One user agent for pages and workers alike. Playwright may give pages
#: another than the worker's, and the app's strong session protection (keyed
#: on the user agent) would then log the official out when the worker fetches
#: a page.
USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/140.0.0.0 Mobile Safari/537.36"
)
#: Opened before a repeat visit to start the service worker (not measured).
WARM_UP = "/static/css/app.css"

#: DESIGN budgets, on the 2g profile for the times.
BUDGET_SIGN_UP_FIRST = 30 * 1024
BUDGET_REPEAT = 4 * 1024
BUDGET_USABLE_FIRST_MS = 5000
BUDGET_USABLE_REPEAT_MS = 2000

#: (label, path, selector that marks the page usable, official's state or
#: None for a visitor who is not logged in).
PAGES = [
    ("daftar", "/daftar", "input[name=email]", None),
    ("masuk", "/masuk", "input[name=email]", None),
    ("beranda", "/", "a.button", None),
    ("langkah 1", "/daftar/identitas", "main form button[type=submit]", "signed_up"),
    ("langkah 2", "/daftar/jabatan", "main form button[type=submit]", "step1"),
    ("langkah 3", "/daftar/lokasi", "main form button[type=submit]", "step2"),
    ("status", "/status", "main h1", "submitted"),
    ("pelatihan", "/pelatihan/", "main h1", "approved"),
]

log = logging.getLogger(__name__)


class StaleSessionNotes(logging.Filter):
    """Count, and keep out of the output, pageweight's late worker resumes.

    pageweight resumes a worker through the page's auto-attach session; when
    the page has navigated on, that session is gone and Playwright logs the
    failed send with a long traceback. The worker is resumed by then anyway.
    """

    count = 0

    def filter(self, record: logging.LogRecord) -> bool:
        """Drop the record if it is one of those failed sends."""
        text = record.getMessage() + str(record.exc_info and record.exc_info[1])
        if "No session with given id" in text:
            StaleSessionNotes.count += 1
            return False
        return True


def load_pageweight():
    """Import pageweight.py from the shared tools folder."""
    spec = importlib.util.spec_from_file_location("pageweight", PAGEWEIGHT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def watch_running_worker(tool, warm_up: str) -> None:
    """Make pageweight see and throttle the worker that serves a repeat visit.

    pageweight attaches to a service worker through the page, and Chromium
    offers a page only the workers whose scope covers the page's current URL:
    from about:blank, the worker that answers the navigation is attached only
    after it has fetched the page, unthrottled and unseen. So, before a
    repeat visit, the tab first opens ``warm_up`` (a static file, which starts
    the worker), and the throttler waits until that worker is attached and
    throttled before the measured navigation begins. The worker's start-up
    time is thus not in the repeat-visit figures.
    """
    run_visit = tool.run_visit

    def warm_run_visit(context, url, args, profile, visit, errors):
        """Start the worker from a static file, then measure as pageweight does."""
        if visit == "repeat":
            page = context.pages[0] if context.pages else context.new_page()
            page.goto(warm_up, wait_until="load")
            page.wait_for_load_state("networkidle")
        return run_visit(context, url, args, profile, visit, errors)

    class Throttler(tool.Throttler):
        """pageweight's throttler, which waits for a running worker to attach."""

        def __init__(self, context, page, *args, **kwargs):
            """Set up as pageweight does, then give a running worker time to attach."""
            super().__init__(context, page, *args, **kwargs)
            if page.url.startswith(warm_up):
                deadline = time.monotonic() + 5
                while not self.sw_sessions and time.monotonic() < deadline:
                    page.wait_for_timeout(50)
                if not self.sw_sessions:
                    raise RuntimeError("no service worker attached after warm-up")
                page.wait_for_timeout(200)

    tool.run_visit = warm_run_visit
    tool.Throttler = Throttler
    tool.CHROMIUM_ARGS = [*tool.CHROMIUM_ARGS, "--user-agent=" + USER_AGENT]


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(instance: str) -> tuple[subprocess.Popen, str]:
    """Serve the app from ``instance`` on a free port; return it and its URL."""
    port, mail_port = free_port(), free_port()
    env = {
        **os.environ,
        "PAMONG_INSTANCE_PATH": instance,
        "PAMONG_PORT": str(port),
        "PAMONG_MAIL_PORT": str(mail_port),
        "PAMONG_RATELIMIT_ENABLED": "0",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "pamong.devtools.serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/masuk", timeout=2):  # noqa: S310
                return server, base
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"server did not start on {base}")


def make_officials(instance: str) -> dict[str, str]:
    """Walk the path once per state in the bench database; return state: email."""
    from pamong import create_app
    from pamong.accounts.models import APPROVED, User
    from pamong.extensions import db
    from tests.helpers import Official

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(instance) / 'pamong.sqlite3'}",
            "UPLOAD_FOLDER": str(Path(instance) / "uploads"),
            "OUTBOX_WORKER": False,
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": "bench",
            "TESTING": True,
            "LOG_LEVEL": "WARNING",
        }
    )
    walks = {
        "signed_up": [],
        "step1": ["step1"],
        "step2": ["step1", "step2"],
        "submitted": ["step1", "step2", "step3"],
        "approved": ["step1", "step2", "step3"],
    }
    emails = {}
    for number, (state, steps) in enumerate(walks.items(), start=1):
        official = Official(
            app.test_client(),
            email=f"bench.{state}@example.id",
            name="Siti Aminah",
            password=PASSWORD,
        )
        official.identity["nik"] = f"520301520485{number:04d}"
        answers = [official.sign_up()] + [getattr(official, s)() for s in steps]
        codes = [answer.status_code for answer in answers]
        if any(code != 302 for code in codes):
            raise SystemExit(f"could not walk the path for {state}: {codes}")
        emails[state] = official.email
    with app.app_context():
        user = db.session.execute(
            db.select(User).filter_by(email=emails["approved"])
        ).scalar_one()
        user.email_verified_at = datetime.now(UTC)
        user.state = APPROVED
        db.session.commit()
        db.engine.dispose()
    return emails


def log_in(pw, tool, base: str, email: str, folder: str) -> None:
    """Log in through the form on a fresh profile, then wipe all but cookies.

    The session cookie is given an expiry so that it survives the browser
    restarts between visits, as it does on a phone whose browser keeps its
    session. (The remember-me cookie is not used: a session restored from it
    ends at the next page, see the bench's report.)
    """
    context = pw.chromium.launch_persistent_context(
        folder,
        executable_path=tool.DEFAULT_CHROMIUM,
        headless=True,
        args=tool.CHROMIUM_ARGS
        + ["--host-resolver-rules=" + tool.RESOLVER_RULES.format(host="127.0.0.1")],
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(base + "/masuk")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url(lambda url: urlsplit(url).path != "/masuk")
        page.wait_for_load_state("networkidle")
        cdp = context.new_cdp_session(page)
        cdp.send(
            "Storage.clearDataForOrigin",
            {
                "origin": base,
                "storageTypes": "service_workers,cache_storage,indexeddb,local_storage",
            },
        )
        cdp.send("Network.clearBrowserCache")
        sessions = [c for c in context.cookies(base) if c["name"] == "session"]
        if not sessions:
            raise SystemExit(f"no session cookie after logging in as {email}")
        context.add_cookies(
            [{**cookie, "expires": time.time() + 86400} for cookie in sessions]
        )
    finally:
        context.close()


def measure(
    base: str, emails: dict[str, str], profiles: list[str], pages=PAGES, extra=()
) -> list[dict]:
    """Measure every page on every profile, first and repeat visit."""
    from playwright.sync_api import sync_playwright

    tool = load_pageweight()
    watch_running_worker(tool, base + WARM_UP)
    rows = []
    with sync_playwright() as pw:
        for label, path, selector, state in pages:
            for name in profiles:
                folder = tempfile.mkdtemp(prefix=f"pamong-bench-{name}-")
                try:
                    if state:
                        log_in(pw, tool, base, emails[state], folder)
                    args = tool.build_parser().parse_args(
                        [
                            base + path,
                            "--selector",
                            selector,
                            "--timeout",
                            "180",
                            *extra,
                        ]
                    )
                    for visit in ("first", "repeat"):
                        result = tool.measure_visit(
                            pw, args, tool.PROFILES[name], folder, visit
                        )
                        rows.append({"label": label, "path": path, **result})
                finally:
                    shutil.rmtree(folder, ignore_errors=True)
    return rows


def print_table(rows: list[dict]) -> None:
    """Print the measurements and the budgets they are held to."""
    print("\nChromium, anonymous (daftar, masuk, beranda) then as an official")
    print("(wire = CDP encodedDataLength, headers included, page and service")
    print("worker; sw = requests the worker answered; usable = selector visible;")
    print("ms from navigation start)")
    print(
        f"{'page':10} {'profile':8} {'visit':6} {'wire B':>7} {'sw':>3} "
        f"{'DCL ms':>7} {'usable':>7} {'load ms':>7}  check"
    )
    for row in rows:
        print(
            f"{row['label']:10} {row['profile']['name']:8} {row['visit']:6} "
            f"{row['wire_bytes']:7d} {row['sw_served']['requests']:3d} "
            f"{_ms(row.get('dom_content_loaded_ms')):>7} "
            f"{_ms(row.get('time_to_usable_ms')):>7} {_ms(row.get('load_ms')):>7}  "
            f"{_check(row)}"
        )
    print(
        f"\nbudgets: sign-up first visit <= {BUDGET_SIGN_UP_FIRST} B; repeat visit "
        f"<= {BUDGET_REPEAT} B; on 2g usable <= "
        f"{BUDGET_USABLE_FIRST_MS} ms first, <= {BUDGET_USABLE_REPEAT_MS} ms repeat"
    )


def _ms(value) -> str:
    """Format a millisecond figure, or a dash."""
    return "-" if value is None else f"{value:.0f}"


def _check(row: dict) -> str:
    """Say whether the row is within the DESIGN budgets, or what went wrong."""
    problems = list(row["errors"])
    if urlsplit(row.get("final_url") or "").path != row["path"]:
        problems.append(f"ended on {row.get('final_url')}")
    if row["visit"] == "repeat" and row["wire_bytes"] > BUDGET_REPEAT:
        problems.append("over 4 KB")
    if row["path"] == "/daftar" and row["wire_bytes"] > BUDGET_SIGN_UP_FIRST:
        problems.append("over 30 KB")
    if row["profile"]["name"] == "2g":
        limit = (
            BUDGET_USABLE_REPEAT_MS
            if row["visit"] == "repeat"
            else BUDGET_USABLE_FIRST_MS
        )
        if (row.get("time_to_usable_ms") or 10**9) > limit:
            problems.append(f"usable over {limit} ms")
    return "; ".join(problems) or "ok"


def run(profiles: list[str]) -> None:
    """Serve a scratch instance, make the officials, measure, print."""
    instance = tempfile.mkdtemp(prefix="pamong-bench-logged-in-")
    server, base = start_server(instance)
    try:
        print_table(measure(base, make_officials(instance), profiles))
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(instance, ignore_errors=True)


def main() -> None:
    """Measure the logged-in pages on the chosen profiles."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="append", default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("pamong").setLevel(logging.WARNING)
    logging.getLogger("asyncio").addFilter(StaleSessionNotes())
    run(args.profile or PROFILES)
    if StaleSessionNotes.count:
        print(
            f"({StaleSessionNotes.count} late resumes of a worker through a closed "
            "page session, logged by Playwright, left out)"
        )


if __name__ == "__main__":
    main()
