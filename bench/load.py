"""Pamong Desa under load, served by gunicorn with ``gunicorn.conf.py``.

Usage::

    .venv/bin/python bench/load.py \\
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/pamong_load]

(Re)creates that PostgreSQL database, applies the migrations and imports the
wilayah data with the ``flask`` CLI, starts an SMTP sink on loopback and
gunicorn on a free loopback port, with the rate limits kept in Redis. Then
``--clients`` phones at once walk ``--registrations`` complete registrations
(sign-up, which answers "Periksa email Anda" without logging in; the wait
for the "Verifikasi email" mail in the SMTP sink; the link in it and its
"Verifikasi email" button, which logs the official in to step 1; steps 1
and 2, step 3 with the wilayah cascade and a small PDF, Simpan, the status
page), and afterwards send ``--fragments`` wilayah fragment requests.

Prints the requests, throughput and latency per request type, with the wait
from the "Periksa email" page until the mail is in the sink as its own row
("mail arrives"), and the memory of the gunicorn workers. Then checks in the
database and the sink that every registration and document exists exactly
once, every account is verified and waits for the admin (state "pending"),
each registration got exactly one verification mail and nobody any other
mail. Exits non-zero when anything is missing, doubled or answered with a 5xx.

Rate limits stay as configured: each registration comes from its own address,
given in ``X-Forwarded-For`` to an app that trusts one proxy
(``PAMONG_PROXY_COUNT=1``), as it would behind nginx.
"""

import argparse
import email.policy
import io
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from email import message_from_bytes
from pathlib import Path
from urllib.parse import urlsplit

import redis
import requests
from aiosmtpd.controller import Controller
from pypdf import PdfWriter
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]

DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/pamong_load"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"
SEED = 20261204
VERIFY_SUBJECT = "Verifikasi email"
MAIL_TIMEOUT = 60
VERIFY_LINK = re.compile(r"https?://\S+/verifikasi/[^\s/]+")

CSRF = re.compile(
    r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)

FIRST_NAMES = ["Siti", "Ahmad", "Baiq", "Lalu", "Made", "Nyoman", "Dewi", "Rudi"]
LAST_NAMES = ["Aminah", "Hidayat", "Rahmawati", "Saputra", "Wulandari", "Maulana"]
POSITIONS = ["sekretaris_desa", "kaur_keuangan", "kasi_pelayanan", "kepala_dusun"]


@dataclass
class Sample:
    """One request as the client saw it."""

    kind: str
    status: int
    seconds: float
    ok: bool


@dataclass
class Recorder:
    """Every request of a phase, kept from many threads."""

    samples: list[Sample] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        """Keep one request."""
        with self.lock:
            self.samples.append(sample)

    def fail(self, note: str) -> None:
        """Keep why a registration or request went wrong."""
        with self.lock:
            self.failures.append(note)


class SinkHandler:
    """Counts the messages the app sends, and keeps their verification links."""

    def __init__(self):
        self.received: Counter = Counter()
        self.links: dict[str, list[str]] = defaultdict(list)
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)

    async def handle_DATA(self, server, session, envelope):
        """Count the message, keep its links, tell the waiting phones, accept it."""
        message = message_from_bytes(envelope.content, policy=email.policy.default)
        subject = str(message["subject"] or "")
        body = message.get_body(preferencelist=("plain",))
        links = VERIFY_LINK.findall(body.get_content()) if body else []
        with self.arrived:
            for recipient in envelope.rcpt_tos:
                self.received[(recipient.lower(), subject)] += 1
                if subject == VERIFY_SUBJECT:
                    self.links[recipient.lower()] += links or [""]
            self.arrived.notify_all()
        return "250 OK"

    def link_for(self, recipient: str, seconds: float) -> str | None:
        """Wait up to ``seconds`` for a verification mail; return its link."""
        recipient = recipient.lower()
        with self.arrived:
            if self.arrived.wait_for(lambda: self.links.get(recipient), seconds):
                return self.links[recipient][0]
        return None


def free_port() -> int:
    """Return a TCP port on loopback that is free right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def recreate_database(database_url: str) -> None:
    """Drop and create the bench database through the server's ``postgres`` db."""
    url = make_url(database_url)
    if not url.drivername.startswith("postgresql"):
        sys.exit("--database-url must name a PostgreSQL database")
    if url.database in (None, "", "postgres", "test", "template0", "template1"):
        sys.exit(f"refusing to recreate the database {url.database!r}")

    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(
            text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
        )
        connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    engine.dispose()


def app_environment(args, folder: Path, port: int, smtp_port: int) -> dict:
    """Return the environment gunicorn and the ``flask`` CLI run with."""
    return {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "RATELIMIT_STORAGE_URI": args.redis,
        "PAMONG_PROXY_COUNT": "1",
        "PAMONG_INSTANCE_PATH": str(folder),
        "PAMONG_SECRET_KEY": secrets.token_urlsafe(32),
        "PAMONG_MAIL_SERVER": "127.0.0.1",
        "PAMONG_MAIL_PORT": str(smtp_port),
        "PAMONG_OUTBOX_POLL_SECONDS": "1",
        "PAMONG_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PAMONG_LOG_LEVEL": "WARNING",
        "PAMONG_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(args.workers),
    }


def prepare_database(env: dict) -> None:
    """Apply the migrations and import the wilayah data with the ``flask`` CLI."""
    for command in (["db", "upgrade"], ["wilayah", "import"]):
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


def sample_villages(database_url: str, count: int) -> list[str]:
    """Pick ``count`` desa codes at random (fixed seed) from the imported data."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        codes = connection.scalars(
            text("SELECT code FROM villages WHERE kind IN (2, 3) ORDER BY code")
        ).all()
    engine.dispose()
    return random.Random(SEED).sample(codes, count)


def start_gunicorn(env: dict, log_path: Path) -> subprocess.Popen:
    """Start gunicorn with the project's settings, its output to ``log_path``."""
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def wait_until_up(base: str, process: subprocess.Popen, log_path: Path, workers: int):
    """Wait until every worker has loaded the app and the login page answers."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn stopped:\n{log_path.read_text()}")
        if log_path.read_text().count("Worker ready") >= workers:
            try:
                requests.get(f"{base}/masuk", timeout=5)
            except requests.RequestException:
                pass
            else:
                return
        time.sleep(0.2)
    sys.exit(f"gunicorn did not answer:\n{log_path.read_text()}")


def stop_gunicorn(process: subprocess.Popen) -> None:
    """Stop gunicorn gracefully, or kill it after a while."""
    process.terminate()
    try:
        process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class MemoryWatch(threading.Thread):
    """Samples the resident memory of gunicorn's workers twice a second."""

    def __init__(self, master: int):
        super().__init__(daemon=True)
        self.master = master
        self.peak: dict[int, int] = {}
        self.last: dict[int, int] = {}
        self.stopping = threading.Event()

    def run(self):
        """Sample until stopped."""
        while not self.stopping.wait(0.5):
            self.sample()

    def sample(self) -> None:
        """Read the RSS of every child of the master, in kB."""
        current = {pid: rss_kb(pid) for pid in children(self.master)}
        current = {pid: rss for pid, rss in current.items() if rss}
        if current:
            self.last = current
        for pid, rss in current.items():
            self.peak[pid] = max(self.peak.get(pid, 0), rss)


def children(parent: int) -> list[int]:
    """Return the processes whose parent is ``parent``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            found.append(int(entry.name))
    return found


def rss_kb(pid: int) -> int:
    """Return a process's resident set size in kB, or 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def small_pdf(title: str) -> bytes:
    """Return a one-page PDF with its own title, so every upload differs."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def csrf_token(html: str) -> str:
    """Read the CSRF token out of a page."""
    match = CSRF.search(html)
    if not match:
        raise LookupError("no CSRF token in page")
    return next(group for group in match.groups() if group)


class Phone:
    """One official's phone: a cookie jar, an address and timed requests."""

    def __init__(self, base: str, address: str, recorder: Recorder):
        self.base = base
        self.recorder = recorder
        self.session = requests.Session()
        self.session.headers.update(
            {
                "X-Forwarded-For": address,
                "User-Agent": "Mozilla/5.0 (Linux; Android 11) PamongLoad/1.0",
            }
        )

    def request(self, kind: str, method: str, path: str, expect: int, **kwargs):
        """Send one request, time it, and record whether it got ``expect``."""
        started = time.perf_counter()
        try:
            response = self.session.request(
                method, self.base + path, allow_redirects=False, timeout=60, **kwargs
            )
        except requests.RequestException as error:
            self.recorder.add(Sample(kind, 0, time.perf_counter() - started, False))
            raise RuntimeError(f"{kind}: {type(error).__name__}") from error

        elapsed = time.perf_counter() - started
        ok = response.status_code == expect
        self.recorder.add(Sample(kind, response.status_code, elapsed, ok))
        if not ok:
            raise RuntimeError(f"{kind}: {response.status_code}, expected {expect}")
        return response

    def send_form(
        self, kind: str, path: str, fields: dict, lands: str | None = None, **kwargs
    ) -> str:
        """Post a form and follow its redirect; return the page it leads to.

        With ``lands``, the redirect must lead to that path.
        """
        response = self.request(
            f"POST {kind}", "POST", path, 302, data=fields, **kwargs
        )
        target = urlsplit(response.headers["Location"]).path
        if lands is not None and target != lands:
            raise RuntimeError(f"POST {kind}: led to {target}, expected {lands}")
        return self.request(f"GET {target}", "GET", target, 200).text

    def open_mail_link(
        self, sink: SinkHandler, recipient: str, name: str, password: str
    ) -> str:
        """Wait for the verification mail, open its link, type the password again.

        The wait is recorded as "mail arrives"; returns the step 1 page.
        """
        started = time.perf_counter()
        link = sink.link_for(recipient, MAIL_TIMEOUT)
        elapsed = time.perf_counter() - started
        self.recorder.add(
            Sample("mail arrives", 250 if link else 0, elapsed, bool(link))
        )
        if link is None:
            raise RuntimeError(f"mail arrives: none within {MAIL_TIMEOUT} s")
        if not link:
            raise RuntimeError("mail arrives: no /verifikasi/ link in it")
        parts = urlsplit(link)
        if f"{parts.scheme}://{parts.netloc}" != self.base:
            raise RuntimeError(f"mail arrives: link {link!r} is not on {self.base}")
        page = self.request("GET /verifikasi/*", "GET", parts.path, 200).text
        return self.send_form(
            "/verifikasi/*",
            parts.path,
            {"csrf_token": csrf_token(page), "name": name, "password": password},
            lands="/daftar/identitas",
        )


@dataclass
class Registration:
    """What official number ``index`` types, and where they work."""

    index: int
    village: str
    tag: str

    @property
    def email(self) -> str:
        """A unique address for this run."""
        return f"perangkat{self.index:04d}.{self.tag}@example.id"

    def identity(self) -> dict:
        """Step 1, with a NIK that agrees with the birth date and gender."""
        born = date(1965, 1, 1) + timedelta(days=(self.index * 97) % 12000)
        gender = "P" if self.index % 2 else "L"
        day = born.day + (40 if gender == "P" else 0)
        region = self.village[:8].replace(".", "")
        return {
            "phone": f"0812{10_000_000 + self.index:08d}",
            "birth_place": "Selong",
            "birth_date": born.isoformat(),
            "gender": gender,
            "nik": f"{region}{day:02d}{born:%m%y}{self.index + 1:04d}",
            "education": "5",
        }

    def name(self) -> str:
        """A plausible full name."""
        first = FIRST_NAMES[self.index % len(FIRST_NAMES)]
        last = LAST_NAMES[(self.index // len(FIRST_NAMES)) % len(LAST_NAMES)]
        return f"{first} {last}"


def register(
    base: str, registration: Registration, recorder: Recorder, sink: SinkHandler
) -> None:
    """Walk one registration from the Daftar page, by mail, to the status page."""
    address = f"10.{registration.index // 250 + 1}.{registration.index % 250}.7"
    phone = Phone(base, address, recorder)
    key = secrets.token_urlsafe(16)
    password = secrets.token_urlsafe(12)
    try:
        page = phone.request("GET /daftar", "GET", "/daftar", 200).text
        page = phone.send_form(
            "/daftar",
            "/daftar",
            {
                "csrf_token": csrf_token(page),
                "email": registration.email,
                "name": registration.name(),
                "password": password,
                "privacy": "y",
            },
            lands="/daftar/periksa-email",
        )
        page = phone.open_mail_link(
            sink, registration.email, registration.name(), password
        )
        page = phone.send_form(
            "/daftar/identitas",
            "/daftar/identitas",
            {
                "csrf_token": csrf_token(page),
                "submission_key": key,
                **registration.identity(),
            },
        )
        page = phone.send_form(
            "/daftar/jabatan",
            "/daftar/jabatan",
            {
                "csrf_token": csrf_token(page),
                "submission_key": key,
                "is_pns": "tidak",
                "position": POSITIONS[registration.index % len(POSITIONS)],
                "tmt": "2021-01-04",
            },
        )
        chain = cascade(phone, registration.village)
        phone.send_form(
            "/daftar/lokasi",
            "/daftar/lokasi",
            {
                "csrf_token": csrf_token(page),
                "submission_key": key,
                **chain,
                "sk_number": f"141/{registration.index}/DPMD/2025",
                "sk_date": "2024-12-28",
            },
            files={
                "sk_file": (
                    "sk.pdf",
                    small_pdf(f"SK {registration.index}"),
                    "application/pdf",
                )
            },
        )
    except (RuntimeError, LookupError, KeyError) as error:
        recorder.fail(f"registration {registration.index}: {error}")


def cascade(phone: Phone, village: str) -> dict:
    """Ask for the lists below provinsi as htmx does on each change."""
    chain = {
        "provinsi": village[:2],
        "kabupaten": village[:5],
        "kecamatan": village[:8],
        "desa": village,
    }
    for parent, child in (
        ("provinsi", "kabupaten"),
        ("kabupaten", "kecamatan"),
        ("kecamatan", "desa"),
    ):
        phone.request(
            f"GET /wilayah/{child}",
            "GET",
            f"/wilayah/{child}",
            200,
            params={parent: chain[parent]},
            headers={
                "HX-Request": "true",
                "HX-Target": child,
                "HX-Trigger": parent,
                "HX-Current-URL": phone.base + "/daftar/lokasi",
            },
        )
    return chain


def fragment_burst(base: str, villages: list[str], count: int, clients: int):
    """Send ``count`` wilayah fragment requests from ``clients`` phones."""
    recorder = Recorder()
    levels = [("provinsi", "kabupaten", 2), ("kabupaten", "kecamatan", 5)]
    levels.append(("kecamatan", "desa", 8))
    rng = random.Random(SEED)
    jobs = [(rng.choice(levels), rng.choice(villages)) for _ in range(count)]

    def client(number: int) -> None:
        """Send every ``clients``-th request of the burst."""
        phone = Phone(base, f"10.200.{number}.9", recorder)
        for (parent, child, width), village in jobs[number::clients]:
            try:
                phone.request(
                    "GET /wilayah/* (burst)",
                    "GET",
                    f"/wilayah/{child}",
                    200,
                    params={parent: village[:width]},
                    headers={"HX-Request": "true"},
                )
            except RuntimeError as error:
                recorder.fail(str(error))

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    return recorder, time.perf_counter() - started


def registrations(
    base: str, villages: list[str], clients: int, tag: str, sink: SinkHandler
):
    """Run every registration with ``clients`` at once; return what happened."""
    recorder = Recorder()
    jobs = [Registration(index, village, tag) for index, village in enumerate(villages)]
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda job: register(base, job, recorder, sink), jobs))
    return recorder, time.perf_counter() - started


def wait_for_mail(sink: SinkHandler, expected: int, seconds: float = 120) -> None:
    """Wait for ``expected`` verification mails in the sink, then a little longer.

    The extra seconds let a mail sent twice, or one of another kind, show too.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with sink.lock:
            got = sum(n for (_to, s), n in sink.received.items() if s == VERIFY_SUBJECT)
        if got >= expected:
            time.sleep(3)
            return
        time.sleep(0.5)


def percentile(values: list[float], share: float) -> float:
    """Return the ``share`` percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def print_table(title: str, recorder: Recorder, seconds: float) -> None:
    """Print requests, throughput, latency and errors per request type."""
    by_kind = defaultdict(list)
    for sample in recorder.samples:
        by_kind[sample.kind].append(sample)

    total = len(recorder.samples)
    print(
        f"\n{title}: {total} requests in {seconds:.1f} s, {total / seconds:.1f} req/s"
    )
    print(
        f"{'request':<30} {'n':>5} {'req/s':>7} {'median':>8} {'p95':>8} "
        f"{'p99':>8} {'errors':>6} {'5xx':>4}"
    )
    for kind in sorted(by_kind, key=lambda k: (k.split()[1], k)):
        samples = by_kind[kind]
        times = [s.seconds * 1000 for s in samples]
        errors = sum(not s.ok for s in samples)
        server_errors = sum(s.status >= 500 for s in samples)
        print(
            f"{kind:<30} {len(samples):>5} {len(samples) / seconds:>7.1f} "
            f"{statistics.median(times):>6.0f}ms {percentile(times, 0.95):>6.0f}ms "
            f"{percentile(times, 0.99):>6.0f}ms {errors:>6} {server_errors:>4}"
        )


def print_memory(watch: MemoryWatch) -> None:
    """Print the resident memory of each worker: peak and at the end."""
    peaks = sorted(watch.peak.values())
    last = sorted(watch.last.values())
    if not peaks:
        print("\nmemory: no gunicorn workers seen")
        return
    print(
        f"\nmemory (RSS) of {len(last)} gunicorn workers: "
        f"peak per worker {peaks[0] / 1024:.0f}-{peaks[-1] / 1024:.0f} MB, "
        f"at the end {sum(last) / 1024:.0f} MB together, "
        f"master {rss_kb(watch.master) / 1024:.0f} MB"
    )


def verify(database_url: str, sink: SinkHandler, emails: set[str]) -> list[str]:
    """Check that every registration happened exactly once; return the problems."""
    problems = []
    engine = create_engine(database_url)
    with engine.connect() as connection:

        def one(sql: str) -> int:
            """Run a counting query."""
            return connection.scalar(text(sql))

        checks = {
            "official accounts": "SELECT count(*) FROM users WHERE role = 'official'",
            "distinct emails": "SELECT count(DISTINCT lower(email)) FROM users",
            "emails verified": (
                "SELECT count(*) FROM users WHERE email_verified_at IS NOT NULL"
            ),
            "pending, waiting for the admin": (
                "SELECT count(*) FROM users WHERE state = 'pending'"
            ),
            "profiles": "SELECT count(*) FROM profiles",
            "distinct profile owners": "SELECT count(DISTINCT user_id) FROM profiles",
            "distinct NIKs": "SELECT count(DISTINCT nik) FROM profiles",
            "profiles with desa and SK": (
                "SELECT count(*) FROM profiles WHERE village_code IS NOT NULL "
                "AND sk_document_id IS NOT NULL AND location_done_at IS NOT NULL"
            ),
            "documents": "SELECT count(*) FROM documents",
            "distinct document owners": (
                "SELECT count(DISTINCT owner_id) FROM documents"
            ),
            "verification mails queued": (
                f"SELECT count(*) FROM outbox WHERE subject = '{VERIFY_SUBJECT}'"
            ),
            "distinct mail recipients": (
                "SELECT count(DISTINCT lower(recipient)) FROM outbox "
                f"WHERE subject = '{VERIFY_SUBJECT}'"
            ),
            "verification mails sent": (
                f"SELECT count(*) FROM outbox WHERE subject = '{VERIFY_SUBJECT}' "
                "AND sent_at IS NOT NULL"
            ),
        }
        none = {
            "other mails queued": (
                f"SELECT count(*) FROM outbox WHERE subject <> '{VERIFY_SUBJECT}'"
            ),
        }
        counts = {name: one(sql) for name, sql in checks.items()}
        zeros = {name: one(sql) for name, sql in none.items()}
        stored = set(connection.scalars(text("SELECT lower(email) FROM users")).all())
    engine.dispose()

    expected = len(emails)
    print(f"\n{'check':<32} {'found':>6} {'expected':>8}")
    for name, found in counts.items():
        print(f"{name:<32} {found:>6} {expected:>8}")
        if found != expected:
            problems.append(f"{name}: {found}, expected {expected}")
    for name, found in zeros.items():
        print(f"{name:<32} {found:>6} {0:>8}")
        if found:
            problems.append(f"{name}: {found}, expected 0")
    if stored != emails:
        problems.append(
            f"accounts differ from the registrations: {len(stored ^ emails)}"
        )

    with sink.lock:
        mails = {to: n for (to, s), n in sink.received.items() if s == VERIFY_SUBJECT}
        other = sum(n for (_to, s), n in sink.received.items() if s != VERIFY_SUBJECT)
    doubled = sum(1 for n in mails.values() if n > 1)
    print(f"{'mails in the SMTP sink':<32} {sum(mails.values()):>6} {expected:>8}")
    print(f"{'recipients mailed twice or more':<32} {doubled:>6} {0:>8}")
    print(f"{'other mails':<32} {other:>6} {0:>8}")
    if set(mails) != emails or doubled or other:
        problems.append(
            f"sink: {sum(mails.values())} verification mails to {len(mails)} "
            f"recipients, {doubled} doubled, {other} other"
        )
    return problems


def log_problems(log_path: Path) -> list[str]:
    """Return the lines of gunicorn's log that tell of a crash or a timeout."""
    markers = ("Traceback", "[ERROR]", "WORKER TIMEOUT", " ERROR ")
    return [
        line
        for line in log_path.read_text(errors="replace").splitlines()
        if any(marker in line for marker in markers)
    ]


def main() -> int:
    """Set everything up, run the load, print the figures and check the data."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--redis", default=DEFAULT_REDIS, help="rate-limit store")
    parser.add_argument("--registrations", type=int, default=200)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--fragments", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    args = parser.parse_args()
    if urlsplit(args.redis).hostname not in ("127.0.0.1", "localhost"):
        parser.error("--redis must be on loopback")

    started = time.perf_counter()
    recreate_database(args.database_url)
    redis.Redis.from_url(args.redis).flushdb()
    sink = SinkHandler()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()

    with tempfile.TemporaryDirectory(prefix="pamong-load-") as folder:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = app_environment(args, Path(folder), port, smtp_port)
        prepare_database(env)
        villages = sample_villages(args.database_url, args.registrations)
        print(f"database ready in {time.perf_counter() - started:.0f} s")

        log_path = Path(folder) / "gunicorn.log"
        process = start_gunicorn(env, log_path)
        try:
            wait_until_up(base, process, log_path, args.workers)
            watch = MemoryWatch(process.pid)
            watch.start()
            print(
                f"gunicorn: {args.workers} workers, gunicorn.conf.py, {base}; "
                f"{args.clients} clients; rate limits on, in Redis "
                f"({args.redis}), one X-Forwarded-For address per registration "
                "(PAMONG_PROXY_COUNT=1)"
            )

            tag = secrets.token_hex(3)
            signups, signup_seconds = registrations(
                base, villages, args.clients, tag, sink
            )
            print_table("registrations", signups, signup_seconds)
            print(
                f"{args.registrations} registrations in {signup_seconds:.1f} s, "
                f"{args.registrations / signup_seconds:.1f} per second"
            )
            burst, burst_seconds = fragment_burst(
                base, villages, args.fragments, args.clients
            )
            print_table("wilayah burst", burst, burst_seconds)

            wait_for_mail(sink, args.registrations)
            watch.sample()
            watch.stopping.set()
            print_memory(watch)
            emails = {
                Registration(index, village, tag).email
                for index, village in enumerate(villages)
            }
            problems = verify(args.database_url, sink, emails)
        finally:
            stop_gunicorn(process)
            controller.stop()

        failures = signups.failures + burst.failures
        server_errors = sum(s.status >= 500 for s in signups.samples + burst.samples)
        crashes = log_problems(log_path)

    problems += failures[:20]
    if server_errors:
        problems.append(f"{server_errors} answers with a 5xx status")
    problems += [f"gunicorn log: {line}" for line in crashes[:20]]
    if problems:
        print("\nFAILED:")
        for problem in problems:
            print(f"  {problem}")
        return 1
    elapsed = time.perf_counter() - started
    print(f"\nOK: everything happened exactly once ({elapsed:.0f} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
