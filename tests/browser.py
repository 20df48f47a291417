"""Helpers for the browser tests: a live server, Debian's Chromium, phone pages.

The app is served over real HTTP on loopback; Chromium is driven through
Playwright's sync API. Every page opened through :class:`Browsing` reports its
console errors and uncaught exceptions, so a test can insist there are none.
"""

import os
import re
import threading
import time
from pathlib import Path

from playwright.sync_api import Browser, Page, Playwright, expect
from werkzeug.serving import make_server

from tests.helpers import mailed_path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: A cheap Android phone.
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "id-ID",
}

#: An admin's office desktop.
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "id-ID"}

#: Milliseconds Playwright waits for an element or a navigation.
TIMEOUT_MS = 10_000

#: Milliseconds an SK upload and its PDF check may take.
UPLOAD_TIMEOUT_MS = 30_000

#: Folder for screenshots of key pages, when the developer asks for them.
SCREENSHOTS = os.environ.get("PAMONG_TEST_SCREENSHOTS")

EMAIL = "siti.aminah@example.id"
NAME = "Siti Aminah"
PASSWORD = "kopi-tubruk-2026"
NIK = "5203015204850001"


class LiveServer:
    """A Flask app served over HTTP on 127.0.0.1 from a background thread."""

    #: The server started last, whose app a test reads mailed links from.
    serving: "LiveServer | None" = None

    def __init__(self, app):
        """Bind a threaded server to a free loopback port."""
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, name="live-server", daemon=True
        )

    def start(self) -> None:
        """Start answering requests."""
        LiveServer.serving = self
        self.thread.start()

    def stop(self) -> None:
        """Stop answering, close the socket and wait for the thread."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


class SlowRequests:
    """WSGI middleware that holds back the requests ``wanted`` picks, like 2G."""

    def __init__(self, wsgi_app, delay: float, wanted):
        """Wrap ``wsgi_app``; wait ``delay`` seconds when ``wanted(environ)``."""
        self.wsgi_app = wsgi_app
        self.delay = delay
        self.wanted = wanted

    def __call__(self, environ, start_response):
        """Sleep on a wanted request, then pass it on."""
        if self.wanted(environ):
            time.sleep(self.delay)
        return self.wsgi_app(environ, start_response)


def launch(playwright: Playwright) -> Browser:
    """Start Debian's headless Chromium."""
    return playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )


class Browsing:
    """The contexts one test opens, and the errors their pages report."""

    def __init__(self, browser: Browser, base_url: str):
        """Open contexts on ``browser`` with ``base_url`` for relative URLs."""
        self.browser = browser
        self.base_url = base_url
        self.contexts = []
        self.errors: list[str] = []

    def new_page(self, **options) -> Page:
        """Open a page in a fresh context: a phone unless ``options`` say else."""
        settings = {**PHONE, **options}
        context = self.browser.new_context(base_url=self.base_url, **settings)
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        self.watch(page)
        return page

    def new_profile_page(self, folder: Path, **options) -> Page:
        """Open a page in a persistent profile, a context that is not incognito.

        Chromium refuses to judge installability in incognito contexts, which
        is what :meth:`new_page` opens.
        """
        settings = {**PHONE, **options}
        context = self.browser.browser_type.launch_persistent_context(
            folder,
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            base_url=self.base_url,
            **settings,
        )
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.pages[0] if context.pages else context.new_page()
        self.watch(page)
        return page

    def watch(self, page: Page) -> None:
        """Record console errors (CSP violations among them) and page errors."""

        def on_console(message) -> None:
            """Keep console messages of type error."""
            if message.type == "error":
                self.errors.append(f"console at {page.url}: {message.text}")

        def on_page_error(error) -> None:
            """Keep uncaught exceptions."""
            self.errors.append(f"pageerror at {page.url}: {error}")

        page.on("console", on_console)
        page.on("pageerror", on_page_error)

    def close(self) -> None:
        """Close every context opened."""
        for context in self.contexts:
            context.close()
        self.contexts.clear()


def snapshot(page: Page, name: str) -> None:
    """Save a full-page screenshot when ``PAMONG_TEST_SCREENSHOTS`` names a folder."""
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def path_is(path: str) -> re.Pattern[str]:
    """Match a page URL whose path (without query) is exactly ``path``."""
    return re.compile(rf"^https?://[^/]+{re.escape(path)}(\?.*)?$")


def sign_up(page: Page, email: str = EMAIL) -> None:
    """Sign up on the Daftar page and follow the mailed link to step 1."""
    send_sign_up(page, email)
    open_verification(page, email)
    expect(page).to_have_url(path_is("/daftar/identitas"))


def send_sign_up(page: Page, email: str = EMAIL) -> None:
    """Open the welcome page, tap Daftar Sekarang and fill in the Daftar page.

    Ends on "Periksa email Anda", where every address lands.
    """
    page.goto("/")
    page.get_by_role("link", name="Daftar Sekarang").tap()
    expect(page).to_have_url(path_is("/daftar"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Nama lengkap").fill(NAME)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_label("Saya sudah membaca dan menyetujui").check()
    page.get_by_role("button", name="Daftar Sekarang").tap()
    expect(page).to_have_url(path_is("/daftar/periksa-email"))


def verification_path(email: str = EMAIL) -> str:
    """Return the path of the newest verification link mailed to ``email``."""
    return mailed_path(LiveServer.serving.app, email)


def open_verification(page: Page, email: str = EMAIL) -> None:
    """Open the verification link mailed to ``email`` and press its button."""
    page.goto(verification_path(email))
    page.get_by_label("Nama lengkap").fill(NAME)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Verifikasi email").click()


def fill_identity(page: Page, nik: str = NIK) -> None:
    """Type step 1, identitas, without sending it."""
    page.get_by_label("No HP").fill("0812 3456 7890")
    page.get_by_label("Tempat lahir").fill("Selong")
    page.get_by_label("Tanggal lahir").fill("1985-04-12")
    page.get_by_label("Perempuan").check()
    page.get_by_label("NIK", exact=True).fill(nik)
    page.get_by_label("Pendidikan terakhir").select_option(label="D4/S1")


def next_step(page: Page, path: str) -> None:
    """Press Selanjutnya and wait for the page at ``path`` and its scripts."""
    page.get_by_role("button", name="Selanjutnya").tap()
    expect(page).to_have_url(path_is(path))
    page.wait_for_load_state("domcontentloaded")


def fill_position(page: Page) -> None:
    """Type step 2, jabatan: not a PNS, Kaur Keuangan, with a TMT."""
    page.get_by_label("Tidak", exact=True).check()
    page.get_by_label("Jabatan", exact=True).select_option(label="Kaur Keuangan")
    page.get_by_label("Jabatan Terhitung Mulai Tanggal (TMT)").fill("2021-01-04")


def reach_step3(page: Page, email: str = EMAIL) -> None:
    """Sign up and send steps 1 and 2 through the UI."""
    sign_up(page, email)
    fill_identity(page)
    next_step(page, "/daftar/jabatan")
    fill_position(page)
    next_step(page, "/daftar/lokasi")


def option_values(page: Page, level: str) -> list[str]:
    """Return the values of the options of one wilayah list, placeholder first."""
    return page.locator(f"#{level} option").evaluate_all(
        "options => options.map(option => option.value)"
    )


def kelurahan(codes: list[str]) -> list[str]:
    """Return the kelurahan among village codes (``VVVV`` starting with 1)."""
    return [code for code in codes if code.count(".") == 3 and code[-4] == "1"]


def choose(page: Page, level: str, label: str) -> str:
    """Choose the option labelled ``label`` in one wilayah list; return its code."""
    return page.locator(f"#{level}").select_option(label=label)[0]


def expect_list_filled(page: Page, level: str, parent_code: str) -> None:
    """Wait until the htmx answer filled ``level`` with children of ``parent_code``."""
    expect(
        page.locator(f'#{level} option[value^="{parent_code}."]').first
    ).to_be_attached()


def expect_list_waiting(page: Page, level: str) -> None:
    """Wait until ``level`` holds only its "choose the level above first" item."""
    options = page.locator(f"#{level} option")
    expect(options).to_have_count(1)
    expect(options).to_have_attribute("value", "")
    expect(options).to_have_text(re.compile(r"dulu"))


def fill_sk(page: Page, pdf: Path) -> None:
    """Type the SK number and date, choose the PDF and wait for its upload.

    With JavaScript the file goes up by itself as soon as it is chosen, and
    Simpan asks to wait until the server has it; without, Simpan sends it.
    """
    page.get_by_label("Nomor SK").fill("188.45/123/DPMD/2021")
    page.get_by_label("Tanggal SK").fill("2020-12-28")
    page.locator("#sk_file").set_input_files(pdf)
    status = page.locator("#sk-upload-status")
    if status.count():
        expect(status).to_contain_text("SK tersimpan", timeout=UPLOAD_TIMEOUT_MS)


def log_in(page: Page, email: str, password: str) -> None:
    """Log in on the Masuk page."""
    page.goto("/masuk")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()


def no_horizontal_scroll(page: Page) -> bool:
    """Tell whether the page fits the width the context was opened with.

    A mobile Chromium widens its layout viewport to a page that is too wide,
    as phones do, so the window's own width cannot tell; the set one can.
    """
    width = page.viewport_size["width"]
    return page.evaluate(
        "width => document.documentElement.scrollWidth <= width"
        " && window.innerWidth <= width",
        width,
    )


def png_size(data: bytes) -> tuple[int, int]:
    """Return the width and height written in a PNG's IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
