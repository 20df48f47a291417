"""Accessibility of the official's pages, checked by axe-core in Chromium.

Every page an official meets is opened on a phone-sized screen and audited
against WCAG 2.2 AA; serious and critical findings fail the test. Step 3 is
also audited in the states it passes through: errors shown, signal lost,
lists filled with the help open, and the SK on its way. The same pages must
fit a 320 px wide screen, and the whole registration path, from the welcome
page to the status page, must be doable with the keyboard alone. A summary of
every audit is written to ``PAMONG_A11Y_REPORT`` (``/tmp/a11y-report.txt``
unless set).
"""

import os
import re
import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests import browser as ui
from tests.helpers import Official
from tests.pdf_samples import good
from tests.test_browser import live_server  # noqa: F401

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
REPORT = Path(os.environ.get("PAMONG_A11Y_REPORT", "/tmp/a11y-report.txt"))
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
#: Rules reported but never failing: AAA contrast and axe's best practices.
ADVISORY = ["wcag2aaa", "best-practice"]
BLOCKING = {"serious", "critical"}
TRAINEE_EMAIL = "kepala.desa@example.id"
TRAINEE_NIK = "5203015204850002"

#: Console errors a page is expected to log: the 404 page answers 404.
EXPECTED = re.compile(r"status of 404 \(NOT FOUND\)")
#: Console error of a verification link that is not valid, answered 400.
BROKEN_LINK = "status of 400 (BAD REQUEST)"
#: What the status page says once Simpan has sent a verified registration.
CHECKED_BY_ADMIN = "sedang diperiksa oleh admin daerah"
#: Console errors of an htmx request sent while the phone is offline.
OFFLINE_ERRORS = [
    "net::ERR_INTERNET_DISCONNECTED",
    "htmx:sendError",
    "htmx:afterRequest",
]
#: Seconds a held upload request waits at most, should a test never release it.
HOLD_LIMIT = 60

#: The last audit of each page, by page name, for the report file.
RESULTS: dict[str, dict] = {}


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for this module only, stopped when it ends."""
    with sync_playwright() as playwright:
        chromium = ui.launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def browsing(browser, live_server, tolerated):  # noqa: F811
    """Contexts that may inject axe; fails the test on an unexpected error."""
    session = ui.Browsing(browser, live_server)
    yield session
    session.close()
    errors = [
        error
        for error in session.errors
        if not EXPECTED.search(error) and not any(t in error for t in tolerated)
    ]
    assert not errors, "browser reported errors:\n" + "\n".join(errors)


@pytest.fixture
def page(browsing):
    """A phone page whose CSP lets the test inject axe."""
    return browsing.new_page(bypass_csp=True)


@pytest.fixture(scope="module", autouse=True)
def report():
    """Write the summary of every audit once the module's tests are done."""
    yield RESULTS
    if RESULTS:
        REPORT.write_text(format_report(RESULTS), encoding="utf-8")


def format_report(results: dict[str, dict]) -> str:
    """Return one block per page: counts by impact and the rules found."""
    lines = [
        f"axe-core audit, tags {', '.join(TAGS)}; "
        f"advisory (not failing): {', '.join(ADVISORY)}",
        "",
    ]
    for name, result in results.items():
        counts = Counter(v["impact"] for v in result["violations"])
        summary = ", ".join(f"{impact} {n}" for impact, n in sorted(counts.items()))
        lines.append(
            f"{name} ({result['url']}): {summary or 'no violations'}; "
            f"{result['passes']} rules passed, "
            f"to review by hand: {', '.join(result['incomplete']) or 'none'}"
        )
        for violation in result["violations"]:
            targets = "; ".join(
                " ".join(node["target"]) for node in violation["nodes"][:3]
            )
            lines.append(
                f"  - {violation['impact']}: {violation['id']} "
                f"({len(violation['nodes'])}×) {targets}"
            )
        for violation in result["advisory"]:
            lines.append(
                f"  - advisory {violation['impact']}: {violation['id']} "
                f"({len(violation['nodes'])}×)"
            )
    return "\n".join(lines) + "\n"


def run_axe(page: Page, tags: list[str] = TAGS) -> dict:
    """Inject axe-core into the page and run the rules with ``tags``."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """tags => axe.run(document, {runOnly: {type: "tag", values: tags}})
            .then(result => ({
                violations: result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => ({
                        target: n.target, summary: n.failureSummary,
                    })),
                })),
                passes: result.passes.length,
                incomplete: result.incomplete.map(v => `${v.id} (${
                    v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")
                })`),
            }))""",
        tags,
    )


def audit(page: Page, name: str) -> list[str]:
    """Audit the current page; return its serious and critical findings."""
    result = run_axe(page)
    result["url"] = page.url
    result["advisory"] = run_axe(page, ADVISORY)["violations"]
    RESULTS[name] = result
    return [
        f"{name}: {v['impact']} {v['id']} — {v['help']}\n"
        + "\n".join(f"    {' '.join(n['target'])}: {n['summary']}" for n in v["nodes"])
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def overflow(page: Page, name: str) -> list[str]:
    """Return a finding when the current page is wider than the viewport."""
    if ui.no_horizontal_scroll(page):
        return []
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return [f"{name}: {widths[0]} px wide in a {widths[1]} px viewport"]


#: Controls and links an official taps, and what makes a link part of a text.
MEASURE = """() => {
    const shown = el => el.getClientRects().length > 0
        && getComputedStyle(el).visibility !== "hidden";
    const inText = el => el.tagName === "A" && el.parentElement.tagName === "P"
        && el.parentElement.textContent.trim() !== el.textContent.trim();
    const small = [...document.querySelectorAll(
        "a[href], button, input:not([type=hidden]), select, textarea, summary"
    )].filter(el => shown(el) && !inText(el)).map(el => {
        const box = (el.closest("label") || el).getBoundingClientRect();
        return [el, box];
    }).filter(([, box]) => box.height < 44 || box.width < 44)
      .map(([el, box]) => `${el.outerHTML.slice(0, 60)} is `
        + `${Math.round(box.width)}×${Math.round(box.height)} px`);
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const tiny = new Set();
    while (walker.nextNode()) {
        const parent = walker.currentNode.parentElement;
        if (walker.currentNode.textContent.trim() && shown(parent)
            && parseFloat(getComputedStyle(parent).fontSize) < 16) {
            tiny.add(`${parent.tagName.toLowerCase()}.${parent.className}: `
                + getComputedStyle(parent).fontSize);
        }
    }
    return [...small, ...tiny];
}"""

#: Fields marked invalid without a visible error tied to them, and summary
#: links that lead nowhere.
TIES = """() => {
    const found = [];
    for (const field of document.querySelectorAll("[aria-invalid=true]")) {
        const ids = (field.getAttribute("aria-describedby") || "").split(/\\s+/);
        const error = ids.map(id => document.getElementById(id))
            .find(el => el && el.classList.contains("error"));
        if (!error) found.push(`#${field.id} has no error in aria-describedby`);
    }
    for (const link of document.querySelectorAll("#error-summary a")) {
        const target = document.getElementById(link.hash.slice(1));
        if (!target || !target.matches("input, select, textarea")) {
            found.push(`summary link ${link.hash} leads to no field`);
        }
    }
    return found;
}"""


def audit_all(page: Page, name: str) -> list[str]:
    """Run axe, then check target sizes, text sizes and error ties."""
    found = audit(page, name)
    found += [f"{name}: {problem}" for problem in page.evaluate(TIES)]
    found += [f"{name}: {problem}" for problem in page.evaluate(MEASURE)]
    return found


def approved_official(app) -> Official:
    """Register an official through the test client and approve them."""
    from pamong.accounts.models import APPROVED, User
    from pamong.extensions import db

    official = Official(app.test_client(), email=TRAINEE_EMAIL, name="Budi Santoso")
    official.identity["nik"] = TRAINEE_NIK
    official.register()
    with app.app_context():
        user = db.session.execute(
            db.select(User).filter_by(email=TRAINEE_EMAIL)
        ).scalar_one()
        user.email_verified_at = datetime.now(UTC)
        user.state = APPROVED
        db.session.commit()
    return official


def walk(page: Page, browsing, app, tmp_path, check) -> list[str]:
    """Visit every page an official meets and collect ``check``'s findings."""
    found: list[str] = []

    def visit(name: str, where: Page = page) -> None:
        """Wait for the page to settle, then check it."""
        where.wait_for_load_state("load")
        found.extend(check(where, name))

    for name, path in [
        ("beranda", "/"),
        ("daftar", "/daftar"),
        ("masuk", "/masuk"),
        ("lupa-sandi", "/lupa-sandi"),
        ("kirim-ulang", "/verifikasi/kirim-ulang"),
        ("verifikasi-tidak-berlaku", "/verifikasi/bukan-tautan-yang-benar"),
        ("offline", "/offline"),
        ("404", "/halaman-yang-tidak-ada"),
    ]:
        page.goto(path)
        visit(name)

    page.goto("/masuk")
    page.get_by_label("Email").fill("belum.terdaftar@example.id")
    page.get_by_label("Kata sandi").fill("salah-sandi-1")
    page.get_by_role("button", name="Masuk").click()
    expect(page.locator(".summary, .error").first).to_be_visible()
    visit("masuk-galat")

    page.goto("/daftar")
    page.get_by_label("Email").fill("bukan-email")
    page.get_by_role("button", name="Daftar Sekarang").click()
    expect(page.locator("#error-summary")).to_be_visible()
    visit("daftar-galat")

    page.goto("/verifikasi/kirim-ulang")
    page.get_by_role("button", name="Kirim tautan").click()
    expect(page.locator("#error-summary")).to_be_visible()
    visit("kirim-ulang-galat")

    ui.send_sign_up(page)
    visit("periksa-email")
    page.get_by_role("button", name="Kirim ulang email").click()
    expect(page).to_have_url(ui.path_is("/daftar/periksa-email"))
    expect(page.locator(".flash")).to_be_visible()
    visit("periksa-email-dikirim-ulang")
    page.goto(ui.verification_path())
    expect(page.get_by_role("button", name="Verifikasi email")).to_be_visible()
    visit("verifikasi")
    page.get_by_label("Nama lengkap").fill(ui.NAME)
    page.get_by_label("Kata sandi", exact=True).fill(ui.PASSWORD + "x")
    page.get_by_role("button", name="Verifikasi email").click()
    expect(page.locator("#error-summary")).to_be_focused()
    visit("verifikasi-kata-sandi-berbeda")
    page.get_by_label("Kata sandi", exact=True).fill(ui.PASSWORD)
    page.get_by_role("button", name="Verifikasi email").click()
    expect(page).to_have_url(ui.path_is("/daftar/identitas"))
    visit("langkah-1")
    ui.next_step(page, "/daftar/identitas")
    expect(page.locator("#error-summary")).to_be_visible()
    visit("langkah-1-galat")

    ui.fill_identity(page)
    page.get_by_label("Laki-laki").check()
    ui.next_step(page, "/daftar/identitas")
    expect(page.locator("div.warning")).to_be_visible()
    expect(page.locator("#warning-summary")).to_be_focused()
    expect(page.locator("#warning-summary a")).to_have_attribute("href", "#confirm_nik")
    visit("langkah-1-peringatan-nik")

    page.get_by_label("Perempuan").check()
    ui.next_step(page, "/daftar/jabatan")
    visit("langkah-2")

    ui.fill_position(page)
    ui.next_step(page, "/daftar/lokasi")
    page.wait_for_load_state("load")
    ui.choose(page, "provinsi", "Nusa Tenggara Barat")
    ui.expect_list_filled(page, "kabupaten", "52")
    ui.choose(page, "kabupaten", "Kabupaten Lombok Timur")
    ui.expect_list_filled(page, "kecamatan", "52.03")
    ui.choose(page, "kecamatan", "Keruak")
    ui.expect_list_filled(page, "desa", "52.03.01")
    ui.choose(page, "desa", "Tanjung Luar")
    visit("langkah-3")

    ui.fill_sk(page, good(tmp_path))
    page.get_by_role("button", name="Simpan").click()
    expect(page).to_have_url(ui.path_is("/status"))
    expect(page.locator("main")).to_contain_text(CHECKED_BY_ADMIN)
    visit("status-diperiksa")

    official = approved_official(app)
    trainee = browsing.new_page(bypass_csp=True, viewport=page.viewport_size)
    ui.log_in(trainee, official.email, official.password)
    expect(trainee).to_have_url(ui.path_is("/pelatihan/"))
    visit("pelatihan", trainee)
    return found


def test_pages_have_no_serious_axe_violations(page, browsing, app, tmp_path, tolerated):
    """No page an official meets has a serious or critical WCAG 2.2 AA finding."""
    tolerated.append(BROKEN_LINK)
    found = walk(page, browsing, app, tmp_path, audit_all)
    assert not found, "found:\n" + "\n".join(found)


def test_pages_fit_320px(page, browsing, app, tmp_path, tolerated):
    """Every page an official meets fits a 320 px wide screen."""
    tolerated.append(BROKEN_LINK)
    page.set_viewport_size({"width": 320, "height": 640})
    found = walk(page, browsing, app, tmp_path, overflow)
    assert not found, "horizontal scroll:\n" + "\n".join(found)


class HeldPatches:
    """WSGI middleware that holds every upload piece (PATCH) until released."""

    def __init__(self, wsgi_app):
        """Wrap ``wsgi_app``; PATCH requests wait for :meth:`release`."""
        self.wsgi_app = wsgi_app
        self.released = threading.Event()

    def __call__(self, environ, start_response):
        """Wait while held on PATCH, then pass the request on."""
        if environ["REQUEST_METHOD"] == "PATCH":
            self.released.wait(HOLD_LIMIT)
        return self.wsgi_app(environ, start_response)

    def release(self) -> None:
        """Let every held and later PATCH through."""
        self.released.set()


def open_at_step3(app, browsing) -> Page:
    """Send sign-up and steps 1 and 2 by the test client; log in at step 3."""
    official = Official(app.test_client())
    official.sign_up()
    official.step1()
    official.step2()
    page = browsing.new_page(bypass_csp=True)
    ui.log_in(page, official.email, official.password)
    expect(page).to_have_url(ui.path_is("/daftar/lokasi"))
    page.locator("#sk-upload-status").wait_for(state="attached")
    return page


def test_step3_states_have_no_serious_axe_violations(
    app, browsing, tmp_path, tolerated
):
    """Step 3 has no serious finding with errors, offline, filled or uploading."""
    tolerated.extend(OFFLINE_ERRORS)
    held = HeldPatches(app.wsgi_app)
    app.wsgi_app = held
    try:
        page = open_at_step3(app, browsing)
        found = audit_step3_states(page, tmp_path, held)
    finally:
        held.release()
    assert not found, "found:\n" + "\n".join(found)


def audit_step3_states(page: Page, tmp_path: Path, held: HeldPatches) -> list[str]:
    """Walk step 3 through its states, auditing each; return the findings."""
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#sk_number-error")).to_be_visible()
    found = audit_all(page, "langkah-3-galat")

    page.context.set_offline(True)
    ui.choose(page, "provinsi", "Nusa Tenggara Barat")
    expect(page.locator("#offline-banner")).to_be_visible()
    found += audit_all(page, "langkah-3-luring")
    page.context.set_offline(False)
    page.get_by_role("button", name="Coba lagi").click()
    ui.expect_list_filled(page, "kabupaten", "52")
    expect(page.locator("#offline-banner")).to_be_hidden()

    ui.choose(page, "kabupaten", "Kabupaten Lombok Timur")
    ui.expect_list_filled(page, "kecamatan", "52.03")
    ui.choose(page, "kecamatan", "Keruak")
    ui.expect_list_filled(page, "desa", "52.03.01")
    ui.choose(page, "desa", "Tanjung Luar")
    for summary in page.locator("main summary").all():
        summary.click()
    expect(page.locator("main details:not([open])")).to_have_count(0)
    ui.snapshot(page, "step3-help-open")
    found += audit_all(page, "langkah-3-wilayah-terisi")

    status = page.locator("#sk-upload-status")
    page.locator("#sk_file").set_input_files(good(tmp_path))
    expect(status).to_contain_text("Mengunggah SK")
    expect(page.locator("#sk-upload-progress")).to_be_visible()
    found += audit_all(page, "langkah-3-mengunggah")

    held.release()
    expect(status).to_contain_text("SK tersimpan", timeout=ui.UPLOAD_TIMEOUT_MS)
    found += audit_all(page, "langkah-3-sk-tersimpan")
    return found


def focused(page: Page) -> str:
    """Describe the focused element as ``tag#id[type] text``."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const text = el.matches("a, button, summary")
                ? el.textContent.trim() : "";
            return `${el.tagName.toLowerCase()}#${el.id}[${el.type || ""}] ${text}`;
        }"""
    )


def tab_to(page: Page, pattern: str, limit: int = 40) -> None:
    """Press Tab until the focused element matches ``pattern``; check its ring."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        seen.append(now)
        if re.search(pattern, now):
            ring = page.evaluate(
                """() => {
                    const style = getComputedStyle(document.activeElement);
                    return style.outlineStyle !== "none"
                        && parseFloat(style.outlineWidth) >= 2;
                }"""
            )
            assert ring, f"{now} has no visible focus ring"
            return
    raise AssertionError(f"Tab never reached {pattern}; went {' → '.join(seen)}")


def type_date(page: Page, iso: str) -> None:
    """Type a date into the focused date field, in either day or month order.

    Chromium orders the field's parts by its own locale, which the page cannot
    read, so the day-first order is tried and the month-first one follows.
    """
    year, month, day = iso.split("-")
    page.keyboard.type(day + month + year)
    if page.evaluate("document.activeElement.value") != iso:
        for _ in range(2):
            page.keyboard.press("Shift+Tab")
        page.keyboard.type(month + day + year)
    assert page.evaluate("document.activeElement.value") == iso


def is_in_view(page: Page, selector: str) -> bool:
    """Tell whether the element at ``selector`` lies inside the viewport."""
    return page.evaluate(
        """selector => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.top >= 0 && box.left >= 0 && box.bottom <= innerHeight
                && box.right <= innerWidth;
        }""",
        selector,
    )


def test_skip_link_is_first_and_leads_to_the_content(browsing):
    """The first Tab shows "Langsung ke isi"; Enter on it skips the header."""
    page = browsing.new_page(**ui.DESKTOP)
    page.goto("/daftar")
    assert not is_in_view(page, "a.skip")

    tab_to(page, r"^a#\[\] Langsung ke isi$", limit=1)
    assert is_in_view(page, "a.skip")
    ui.snapshot(page, "skip-link-focused")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    assert focused(page).startswith("input#email[email]")
    assert not is_in_view(page, "a.skip")


def type_option(page: Page, level: str, typed: str, label: str) -> str:
    """Tab to a wilayah list, type the start of ``label``; return its code."""
    tab_to(page, rf"^select#{level}\[select-one\]")
    page.keyboard.type(typed)
    chosen = page.locator(f"#{level} option:checked")
    expect(chosen).to_have_text(label)
    return chosen.get_attribute("value")


def test_whole_path_with_keyboard_only(browsing, tmp_path):
    """Daftar, steps 1 to 3 and Simpan work with Tab, typing, Space and Enter.

    Between Daftar and step 1 the mailed link is opened, as from a mail app,
    and its Verifikasi email button is pressed with the keyboard. The wilayah
    lists are chosen by typing on the focused list, which fires the change
    htmx listens to; the file chooser opens with Space.
    """
    page = browsing.new_page(**ui.DESKTOP)
    # Playwright asks the browser to catch file choosers only once a listener
    # exists, and does not wait for the answer: listening from the start keeps
    # the chooser opened by Space from slipping past uncaught.
    page.on("filechooser", lambda chooser: None)
    keys = page.keyboard
    page.goto("/")
    tab_to(page, r"^a#.* Daftar Sekarang$")
    keys.press("Enter")
    expect(page).to_have_url(ui.path_is("/daftar"))

    tab_to(page, r"#email\[")
    keys.type(ui.EMAIL)
    tab_to(page, r"#name\[")
    keys.type(ui.NAME)
    tab_to(page, r"#password\[")
    keys.type(ui.PASSWORD)
    tab_to(page, r"#privacy\[checkbox\]")
    keys.press("Space")
    tab_to(page, r"^button#\[submit\] Daftar Sekarang$")
    keys.press("Enter")
    expect(page).to_have_url(ui.path_is("/daftar/periksa-email"))

    page.goto(ui.verification_path())
    tab_to(page, r"#name\[")
    keys.type(ui.NAME)
    tab_to(page, r"#password\[")
    keys.type(ui.PASSWORD)
    tab_to(page, r"^button#\[submit\] Verifikasi email$")
    keys.press("Enter")
    expect(page).to_have_url(ui.path_is("/daftar/identitas"))

    tab_to(page, r"^a#\[\] Langsung ke isi$", limit=1)
    keys.press("Enter")
    tab_to(page, r"^button#\[submit\] Selanjutnya$")
    keys.press("Enter")
    expect(page.locator("#error-summary")).to_be_focused()
    tab_to(page, r"^a#.* No HP:")
    assert page.evaluate("document.activeElement.hash") == "#phone"
    keys.press("Enter")
    expect(page.locator("#phone")).to_be_focused()
    keys.type("0812 3456 7890")
    tab_to(page, r"#birth_place\[")
    keys.type("Selong")
    tab_to(page, r"#birth_date\[date\]")
    type_date(page, "1985-04-12")
    tab_to(page, r"\[radio\]")
    for _ in range(3):
        if page.locator("#gender-1").is_checked() or focused(page).startswith(
            "input#gender-1"
        ):
            break
        keys.press("ArrowDown")
    keys.press("Space")
    expect(page.get_by_label("Perempuan")).to_be_checked()
    tab_to(page, r"#nik\[")
    keys.type(ui.NIK)
    tab_to(page, r"^summary#\[\] Di mana melihat NIK\?$")
    keys.press("Enter")
    expect(page.locator("details", has_text="Di mana melihat NIK")).to_have_attribute(
        "open", ""
    )
    tab_to(page, r"#education\[select")
    keys.type("D4")
    expect(page.get_by_label("Pendidikan terakhir")).to_have_value("8")
    tab_to(page, r"^button#\[submit\] Selanjutnya$")
    keys.press("Enter")
    expect(page).to_have_url(ui.path_is("/daftar/jabatan"))

    tab_to(page, r"#is_pns-0\[radio\]")
    keys.press("ArrowDown")
    expect(page.get_by_label("Tidak", exact=True)).to_be_checked()
    tab_to(page, r"#position\[select")
    keys.type("Kaur Keu")
    expect(page.get_by_label("Jabatan", exact=True)).to_have_value("kaur_keuangan")
    tab_to(page, r"#tmt\[date\]")
    type_date(page, "2021-01-04")
    tab_to(page, r"^button#\[submit\] Selanjutnya$")
    keys.press("Enter")
    expect(page).to_have_url(ui.path_is("/daftar/lokasi"))

    provinsi = type_option(page, "provinsi", "Nusa Tenggara B", "Nusa Tenggara Barat")
    ui.expect_list_filled(page, "kabupaten", provinsi)
    kabupaten = type_option(
        page, "kabupaten", "Kabupaten Lombok Ti", "Kabupaten Lombok Timur"
    )
    ui.expect_list_filled(page, "kecamatan", kabupaten)
    kecamatan = type_option(page, "kecamatan", "Keruak", "Keruak")
    ui.expect_list_filled(page, "desa", kecamatan)
    desa = type_option(page, "desa", "Tanjung L", "Tanjung Luar")
    assert desa.startswith("52.03.01.")
    tab_to(page, r"^summary#\[\] Apa itu SK Jabatan\?$")
    keys.press("Space")
    expect(page.get_by_text("Surat Keputusan pengangkatan")).to_be_visible()
    tab_to(page, r"#sk_number\[")
    keys.type("188.45/123/DPMD/2021")
    tab_to(page, r"#sk_date\[date\]")
    type_date(page, "2020-12-28")
    page.locator("#sk-upload-status").wait_for(state="attached")
    tab_to(page, r"#sk_file\[file\]")
    with page.expect_file_chooser() as chooser:
        keys.press("Space")
    chooser.value.set_files(good(tmp_path))
    expect(page.locator("#sk-upload-status")).to_contain_text(
        "SK tersimpan", timeout=ui.UPLOAD_TIMEOUT_MS
    )
    tab_to(page, r"^summary#\[\] Apa yang terjadi setelah Simpan\?$")
    keys.press("Enter")
    expect(page.get_by_text("beberapa hari kerja")).to_be_visible()
    tab_to(page, r"^button#\[submit\] Simpan$")
    keys.press("Space")
    expect(page).to_have_url(ui.path_is("/status"))
    expect(page.locator("main")).to_contain_text(CHECKED_BY_ADMIN)
