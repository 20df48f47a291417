"""The review desk in headless Chromium: an admin at a desktop, an official on a phone.

The app runs over real HTTP on loopback and mail arrives over real SMTP; the
official follows the links in it. Every page must finish without a console
error or an uncaught exception.
"""

import pytest
from playwright.sync_api import expect

from tests import browser as ui
from tests.admin_helpers import (
    PASSWORD,
    admin_tables,  # noqa: F401
    register_pending,
    seed,
)
from tests.helpers import DESA, KABUPATEN, KECAMATAN, PROVINSI

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("admin_tables")]

ADMIN = "timur@pamong.test"
OFFICIAL_PASSWORD = "kopi-tubruk-2026"
SELONG_DESA = "52.03.07.2012"
BARAT_DESA = "52.01.01.2002"
REJECTED = "Pendaftaran perlu diperbaiki"


@pytest.fixture
def live_server(app):
    """Serve the app on loopback; mailed links point at it."""
    server = ui.LiveServer(app)
    app.config["PUBLIC_URL"] = server.url
    server.start()
    yield server.url
    server.stop()


def kabupaten_admin(browsing, runner, device=ui.DESKTOP):
    """Create the Lombok Timur admin and log them in, on a desktop by default."""
    result = runner.invoke(
        args=[
            "create-admin",
            ADMIN,
            "--password",
            PASSWORD,
            "--level",
            "kabupaten",
            "--region",
            KABUPATEN,
        ]
    )
    assert ADMIN in result.output
    admin = browsing.new_page(**device)
    ui.log_in(admin, ADMIN, PASSWORD)
    expect(admin).to_have_url(ui.path_is("/admin/"))
    return admin


def row(page, name: str):
    """Return the queue's rows that name ``name``."""
    return page.get_by_role("row").filter(has_text=name)


def follow_mail_and_log_in(page, mailbox, email: str, subject: str):
    """Open the Masuk link of the mail, log in, and return the mail."""
    mail = mailbox.wait_for(email, subject)
    links = [link.rstrip(".,") for link in mail.links()]
    link = next(link for link in links if link.endswith("/masuk"))
    page.goto(link)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Kata sandi").fill(OFFICIAL_PASSWORD)
    page.get_by_role("button", name="Masuk").tap()
    return mail


def test_admin_filters_views_the_sk_and_rejects(
    browsing, page, mailbox, runner, app, tmp_path
):
    """Search by NIK, filter by state, position and region, read the SK, reject;
    the official follows the mail and reads the reason."""
    nik = "5203015204850777"
    siti = register_pending(
        app, mailbox, email="siti@example.id", name="Siti Aminah", nik=nik
    )
    seed(app, 1, name="Perangkat Selong", village=SELONG_DESA)
    seed(app, 1, name="Kepala Keruak", position="kepala_desa")
    seed(app, 1, name="Sudah Disetujui", state="approved")
    seed(app, 1, name="Bukan Wilayah", village=BARAT_DESA)
    admin = kabupaten_admin(browsing, runner)

    for name in ("Siti Aminah", "Perangkat Selong", "Kepala Keruak"):
        expect(row(admin, name)).to_have_count(1)
    expect(row(admin, "Bukan Wilayah")).to_have_count(0)
    expect(row(admin, "Sudah Disetujui")).to_have_count(0)

    admin.get_by_label("Cari nama, email, atau NIK").fill(nik)
    admin.get_by_role("button", name="Terapkan").click()
    expect(row(admin, "Perangkat Selong")).to_have_count(0)
    expect(row(admin, "Siti Aminah")).to_have_count(1)
    assert nik not in admin.url
    admin.get_by_label("Cari nama, email, atau NIK").fill("")

    assert ui.option_values(admin, "provinsi")[1:] == [PROVINSI]
    assert ui.option_values(admin, "kabupaten")[1:] == [KABUPATEN]
    expect(admin.locator("#kabupaten")).to_have_value(KABUPATEN)
    assert ui.choose(admin, "kecamatan", "Keruak") == KECAMATAN
    ui.expect_list_filled(admin, "desa", KECAMATAN)
    admin.get_by_label("Jabatan", exact=True).select_option(label="Kaur Keuangan")
    admin.get_by_label("Status", exact=True).select_option(label="Menunggu pemeriksaan")
    admin.get_by_role("button", name="Terapkan").click()
    expect(admin).to_have_url(
        f"{browsing.base_url}/admin/?jabatan=kaur_keuangan&provinsi={PROVINSI}"
        f"&kabupaten={KABUPATEN}&kecamatan={KECAMATAN}"
    )
    expect(row(admin, "Siti Aminah")).to_have_count(1)
    expect(row(admin, "Perangkat Selong")).to_have_count(0)
    expect(row(admin, "Kepala Keruak")).to_have_count(0)
    admin.reload()
    expect(row(admin, "Siti Aminah")).to_have_count(1)
    expect(row(admin, "Kepala Keruak")).to_have_count(0)
    ui.snapshot(admin, "admin-queue-filtered")

    with admin.expect_response(lambda response: "/dokumen/" in response.url) as sk:
        row(admin, "Siti Aminah").get_by_role("link", name="Siti Aminah").click()
    expect(admin).to_have_url(ui.path_is(f"/admin/akun/{siti}"))
    expect(admin.locator("h1")).to_have_text("Siti Aminah")
    pdf = sk.value
    assert pdf.ok
    assert pdf.frame.parent_frame == admin.main_frame
    # Chromium's PDF viewer passes on only the framing rules of the policy;
    # the whole policy is read from the answer itself below.
    shown = pdf.all_headers()
    assert shown["content-type"] == "application/pdf"
    assert shown["content-disposition"].startswith("inline;")
    assert "frame-ancestors 'self'" in shown["content-security-policy"]
    assert shown["x-frame-options"] == "SAMEORIGIN"

    sent = admin.request.get(pdf.url)
    assert sent.body().startswith(b"%PDF-")
    assert sent.headers["content-type"] == "application/pdf"
    assert sent.headers["content-disposition"].startswith("inline;")
    assert sent.headers["content-security-policy"] == (
        "default-src 'none'; frame-ancestors 'self'"
    )
    assert sent.headers["x-content-type-options"] == "nosniff"
    assert sent.headers["x-frame-options"] == "SAMEORIGIN"
    assert "no-store" in sent.headers["cache-control"]
    expect(admin.get_by_title("SK Jabatan")).to_be_visible()
    ui.snapshot(admin, "admin-account")

    admin.get_by_label("Alasan penolakan").select_option(label="SK tidak terbaca")
    admin.get_by_label("Catatan untuk pendaftar (dikirim lewat email)").fill(
        "Halaman tanda tangan buram; unggah hasil pindai yang jelas."
    )
    admin.get_by_role("button", name="Tolak", exact=True).click()
    expect(admin).to_have_url(ui.path_is("/admin/"))
    expect(admin.locator(".flash")).to_contain_text("ditolak")
    expect(row(admin, "Siti Aminah")).to_have_count(0)

    reason = "SK tidak terbaca. Halaman tanda tangan buram; unggah hasil pindai"
    mail = follow_mail_and_log_in(page, mailbox, "siti@example.id", REJECTED)
    assert reason in mail.body
    expect(page).to_have_url(ui.path_is("/status"))
    expect(page.locator("blockquote")).to_contain_text(reason)
    ui.snapshot(page, "status-rejected")


def test_correction_of_step_3_then_approval(browsing, page, mailbox, runner, app):
    """The admin names step 3; the official corrects only it on a phone and sends
    it back; the admin approves; the official reaches the training menu."""
    budi = register_pending(app, mailbox, email="budi@example.id", name="Budi Santoso")
    admin = kabupaten_admin(browsing, runner)
    row(admin, "Budi Santoso").get_by_role("link", name="Budi Santoso").click()
    expect(admin).to_have_url(ui.path_is(f"/admin/akun/{budi}"))
    admin.get_by_label("Langkah 3: Lokasi tugas dan SK").check()
    admin.get_by_label("Apa yang perlu diperbaiki (dikirim lewat email)").fill(
        "Nomor SK di isian tidak sama dengan berkas."
    )
    admin.get_by_role("button", name="Kirim permintaan perbaikan").click()
    expect(admin.locator(".flash")).to_contain_text("Permintaan perbaikan dikirim")

    mail = follow_mail_and_log_in(page, mailbox, "budi@example.id", REJECTED)
    assert "Langkah 3: Lokasi tugas dan SK" in mail.body
    assert "Langkah 1" not in mail.body and "Langkah 2" not in mail.body
    expect(page).to_have_url(ui.path_is("/status"))
    to_fix = page.get_by_role("list", name="Langkah yang perlu diperbaiki")
    expect(to_fix.get_by_role("link")).to_have_count(1)
    expect(to_fix.get_by_role("link")).to_have_text("Langkah 3: Lokasi tugas dan SK")
    expect(page.get_by_role("link", name="Langkah 1: Identitas")).to_have_count(0)
    ui.snapshot(page, "status-correction")

    page.goto("/daftar/jabatan")
    expect(page).to_have_url(ui.path_is("/status"))
    expect(page.locator(".flash")).to_contain_text(
        "Langkah 2: Jabatan tidak perlu diubah"
    )

    to_fix.get_by_role("link", name="Langkah 3: Lokasi tugas dan SK").tap()
    expect(page).to_have_url(ui.path_is("/daftar/lokasi"))
    expect(page.locator("#desa")).to_have_value(DESA)
    expect(page.get_by_label("Nomor SK")).to_have_value("188.45/123/DPMD/2021")
    page.get_by_label("Nomor SK").fill("188.45/124/DPMD/2021")
    page.get_by_role("button", name="Simpan").tap()
    expect(page).to_have_url(ui.path_is("/status"))
    expect(page.locator("main")).to_contain_text("sedang diperiksa")
    expect(page.locator(".flash")).to_have_text(
        "Perbaikan terkirim dan menunggu pemeriksaan admin."
    )
    page.reload()
    expect(page.locator(".flash")).to_have_count(0)

    admin.goto("/admin/")
    row(admin, "Budi Santoso").get_by_role("link", name="Budi Santoso").click()
    expect(admin.locator(".facts")).to_contain_text("188.45/124/DPMD/2021")
    admin.get_by_role("button", name="Setujui").click()
    expect(admin.locator(".flash")).to_contain_text("disetujui")

    mailbox.wait_for("budi@example.id", "Pendaftaran disetujui")
    page.goto("/")
    expect(page).to_have_url(ui.path_is("/pelatihan/"))
    menu = page.get_by_role("navigation", name="Menu pelatihan")
    expect(menu).to_contain_text("Pelatihan Mandiri")
    expect(menu).to_contain_text("Pelatihan Tematik")


def test_a_stale_login_asks_for_the_password_before_the_nik(
    browsing, mailbox, runner, app
):
    """Tampilkan NIK after the limit leads to the password page and back."""
    nik = "5203015204850888"
    user_id = register_pending(app, mailbox, email="nik@example.id", nik=nik)
    admin = kabupaten_admin(browsing, runner)
    admin.goto(f"/admin/akun/{user_id}")
    app.config["ADMIN_RECENT_LOGIN_MINUTES"] = 0
    admin.get_by_role("button", name="Tampilkan NIK").click()
    expect(admin).to_have_url(ui.path_is("/admin/masuk-ulang"))
    expect(admin.locator(".flash")).to_contain_text("Belum ada yang diubah")
    assert nik not in admin.content()

    app.config["ADMIN_RECENT_LOGIN_MINUTES"] = 30
    admin.get_by_label("Kata sandi").fill(PASSWORD)
    admin.get_by_role("button", name="Lanjutkan").click()
    expect(admin).to_have_url(ui.path_is(f"/admin/akun/{user_id}"))
    admin.get_by_role("button", name="Tampilkan NIK").click()
    expect(admin.locator("#nik-box")).to_contain_text(nik)


def test_the_queue_fits_a_phone(browsing, runner, app):
    """On a 360 px phone only the queue table scrolls sideways, not the page."""
    seed(app, 3, name="Perangkat Desa Dengan Nama Yang Cukup Panjang")
    admin = kabupaten_admin(browsing, runner, ui.PHONE)
    expect(row(admin, "Perangkat Desa Dengan Nama")).to_have_count(3)
    scroller = admin.get_by_role("region", name="Daftar pendaftaran")
    expect(scroller).to_be_visible()
    assert ui.no_horizontal_scroll(admin)
    assert scroller.evaluate("box => box.scrollWidth > box.clientWidth")
    ui.snapshot(admin, "admin-queue-phone")


def test_every_desk_page_fits_a_phone(browsing, runner, app):
    """A national admin's pages on a 360 px phone: only tables scroll sideways."""
    seed(app, 2, name="Perangkat Desa Dengan Nama Yang Cukup Panjang")
    email = "nasional@pamong.test"
    runner.invoke(args=["create-admin", email, "--password", PASSWORD])
    runner.invoke(
        args=[
            "create-admin",
            "ntb@pamong.test",
            "--level",
            "provinsi",
            "--region",
            "52",
        ]
    )
    admin = browsing.new_page(**ui.PHONE)
    ui.log_in(admin, email, PASSWORD)
    expect(admin).to_have_url(ui.path_is("/admin/"))

    too_wide = []
    for path in (
        "/admin/",
        "/admin/pengelola",
        "/admin/audit",
        "/admin/target",
        "/admin/capaian",
        "/admin/penghapusan/",
    ):
        admin.goto(path)
        if not ui.no_horizontal_scroll(admin):
            width = admin.evaluate("document.documentElement.scrollWidth")
            too_wide.append(f"{path}: {width} px")
    assert too_wide == []
