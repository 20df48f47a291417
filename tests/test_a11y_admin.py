"""Accessibility of the admin desk.

Every page of the admin desk is opened on a desktop and audited by axe-core
with the rules of :mod:`tests.test_a11y` (WCAG 2.0, 2.1 and 2.2, A and AA);
serious and critical findings fail the test. The queue is also audited with
filters applied and empty, the account page with a reject error shown and
with the NIK revealed. The queue must be usable with the keyboard alone, up to
approving a registration. A summary of every audit is written to
``PAMONG_A11Y_ADMIN_REPORT`` (``/tmp/a11y-admin-report.txt`` unless set) and
printed.
"""

import os
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from pamong.admin.models import ReviewDecision
from pamong.extensions import db
from tests import browser as ui
from tests.admin_helpers import (
    PASSWORD,
    admin_tables,  # noqa: F401
    login_admin,
    next_nik,
    register_pending,
    seed,
    sk_pdf,
)
from tests.helpers import KECAMATAN
from tests.test_a11y import RESULTS, TIES, audit, format_report, tab_to
from tests.test_deletions import asking

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("admin_tables")]

REPORT = Path(os.environ.get("PAMONG_A11Y_ADMIN_REPORT", "/tmp/a11y-admin-report.txt"))
ADMIN = "admin@pamong.test"
#: Console error of a form sent back with its errors, answered 422.
REFUSED = "status of 422 (UNPROCESSABLE ENTITY)"

#: Registrations in the queue of the admin desk audit: Siti Aminah, Kepala
#: Keruak, two seeded officials, and the verified official who asked for
#: deletion.
QUEUED = 5

#: Names of the pages this module audited, in order.
AUDITED: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def report():
    """Write and print this module's audits once it ends, taking them out of
    test_a11y's results so that its report keeps to the official's pages."""
    yield
    results = {name: RESULTS.pop(name) for name in AUDITED if name in RESULTS}
    if results:
        text = format_report(results)
        REPORT.write_text(text, encoding="utf-8")
        print("\n" + text)


def check(page: Page, name: str) -> list[str]:
    """Wait for the page to settle, audit it and its error ties; keep its name."""
    page.wait_for_load_state("load")
    AUDITED.append(name)
    found = audit(page, name)
    return found + [f"{name}: {problem}" for problem in page.evaluate(TIES)]


def admin_page(browsing, app, runner) -> Page:
    """Create the national admin with the CLI; log in on a desktop page."""
    login_admin(app, runner, email=ADMIN)
    admin = browsing.new_page(bypass_csp=True, **ui.DESKTOP)
    ui.log_in(admin, ADMIN, PASSWORD)
    expect(admin).to_have_url(ui.path_is("/admin/"))
    return admin


def add_earlier_decision(app, user_id: int) -> None:
    """Record an earlier request for corrections of step 3 on the account."""
    with app.app_context():
        db.session.add(
            ReviewDecision(
                user_id=user_id,
                decision="correction",
                steps="lokasi",
                note="Nomor SK tidak sama dengan berkas.",
                created_at=datetime(2026, 11, 2, 9, 30),
            )
        )
        db.session.commit()


def audit_queue(admin: Page) -> list[str]:
    """Audit the queue with results, with filters applied, and empty."""
    found = check(admin, "antrean")
    expect(admin.locator("table.queue tbody tr")).to_have_count(QUEUED)

    admin.get_by_label("Jabatan", exact=True).select_option(label="Kepala Desa")
    ui.choose(admin, "provinsi", "Nusa Tenggara Barat")
    ui.expect_list_filled(admin, "kabupaten", "52")
    ui.choose(admin, "kabupaten", "Kabupaten Lombok Timur")
    ui.expect_list_filled(admin, "kecamatan", "52.03")
    ui.choose(admin, "kecamatan", "Keruak")
    ui.expect_list_filled(admin, "desa", KECAMATAN)
    admin.get_by_role("button", name="Terapkan").click()
    expect(admin.locator("table.queue tbody tr")).to_have_count(1)
    expect(admin.locator("#hasil")).to_contain_text("Kepala Keruak")
    found += check(admin, "antrean-filter")

    admin.goto("/admin/")
    admin.get_by_label("Cari nama, email, atau NIK").fill("Nama Yang Tidak Ada")
    admin.get_by_role("button", name="Terapkan").click()
    expect(admin.locator("#hasil")).to_contain_text("Tidak ada pendaftaran yang cocok")
    found += check(admin, "antrean-kosong")
    return found


def audit_account(admin: Page, user_id: int) -> list[str]:
    """Audit an account page, its reject error, and the revealed NIK."""
    admin.goto(f"/admin/akun/{user_id}")
    expect(admin.get_by_text("Petunjuk otomatis")).to_be_visible()
    expect(admin.get_by_text("Diminta perbaikan")).to_be_visible()
    expect(admin.get_by_role("button", name="Setujui", exact=True)).to_be_visible()
    found = check(admin, "akun")

    admin.get_by_role("button", name="Tolak", exact=True).click()
    expect(admin.locator("[aria-invalid=true]").first).to_be_visible()
    expect(admin.locator(".error").first).to_be_visible()
    found += check(admin, "akun-galat-tolak")

    admin.goto(f"/admin/akun/{user_id}")
    admin.get_by_role("button", name="Tampilkan NIK").click()
    expect(admin.locator("#nik-box")).to_contain_text("tercatat di log audit")
    found += check(admin, "akun-nik")
    return found


def test_admin_desk_has_no_serious_axe_violations(
    browsing, app, runner, mailbox, tolerated
):
    """No page of the admin desk has a serious or critical WCAG 2.2 AA finding."""
    tolerated.append(REFUSED)
    siti = register_pending(
        app, mailbox, name="Siti Aminah", pdf=sk_pdf("Keputusan Siti Aminah")
    )
    add_earlier_decision(app, siti)
    seed(app, 1, name="Kepala Keruak", position="kepala_desa")
    seed(app, 2)
    asking(app, "minta.hapus@example.id", next_nik())
    admin = admin_page(browsing, app, runner)

    found = audit_queue(admin)
    found += audit_account(admin, siti)
    for name, path, heading in [
        ("masuk-ulang", "/admin/masuk-ulang?next=/admin/", "Masukkan lagi kata sandi"),
        ("log-audit", "/admin/audit", "Log audit"),
        ("pengelola", "/admin/pengelola", "Admin daerah"),
        ("target", "/admin/target", "Target desa"),
        ("capaian", "/admin/capaian", "Capaian"),
        ("penghapusan", "/admin/penghapusan/", "Permintaan hapus akun"),
    ]:
        admin.goto(path)
        expect(admin.locator("h1")).to_contain_text(heading)
        found += check(admin, name)
    expect(admin.locator("tbody tr")).to_have_count(1)
    expect(
        admin.get_by_role("checkbox", name="(minta.hapus@example.id)", exact=False)
    ).to_be_visible()
    admin.get_by_role("button", name="Hapus akun").click()
    expect(admin.locator("input[name=sure][aria-invalid=true]")).to_be_visible()
    found += check(admin, "penghapusan-galat")
    assert not found, "found:\n" + "\n".join(found)


def test_queue_with_keyboard_only(browsing, app, runner):
    """Filter the queue, open an account and approve it with the keyboard alone."""
    seed(app, 1, name="Kepala Keruak", position="kepala_desa")
    seed(app, 2, name="Kaur Lain")
    admin = admin_page(browsing, app, runner)
    keys = admin.keyboard

    tab_to(admin, r"^select#jabatan\[select-one\]")
    keys.type("Kepala Desa")
    expect(admin.locator("#jabatan")).to_have_value("kepala_desa")
    tab_to(admin, r"^button#\[submit\] Terapkan$")
    keys.press("Enter")
    expect(admin.locator("table.queue tbody tr")).to_have_count(1)

    tab_to(admin, r"^a#\[\] Kepala Keruak$")
    keys.press("Enter")
    expect(admin.locator("h1")).to_have_text("Kepala Keruak")
    tab_to(admin, r"^button#\[submit\] Setujui$", limit=60)
    keys.press("Space")
    expect(admin).to_have_url(ui.path_is("/admin/"))
    expect(admin.locator(".flash")).to_contain_text(
        "Pendaftaran Kepala Keruak disetujui"
    )
