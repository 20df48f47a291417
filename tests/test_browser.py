"""The registration path in headless Chromium on a phone-sized screen.

The app runs over real HTTP on loopback, mail arrives over real SMTP, and
every page must finish without a console error or an uncaught exception.
"""

import pytest
from playwright.sync_api import expect, sync_playwright

from tests import browser as ui
from tests.helpers import DESA, KABUPATEN, KECAMATAN, PROVINSI
from tests.pdf_samples import good

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "admin@pamong.test"
ADMIN_PASSWORD = "admin-rahasia-1"
BALI = "51"
SELONG = "52.03.07"
#: What the status page says once Simpan has sent a verified registration.
CHECKED_BY_ADMIN = "sedang diperiksa oleh admin daerah"

#: Icons an installable app needs, as (sizes, purpose).
ICONS = {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for this module; others start their own after it."""
    with sync_playwright() as playwright:
        chromium = ui.launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app):
    """Serve the app over HTTP on loopback; mailed links point at it."""
    server = ui.LiveServer(app)
    app.config["PUBLIC_URL"] = server.url
    server.start()
    yield server.url
    server.stop()


@pytest.fixture
def browsing(browser, live_server):
    """Contexts on the live server; fails the test if a page logged an error."""
    session = ui.Browsing(browser, live_server)
    yield session
    session.close()
    assert not session.errors, "browser reported errors:\n" + "\n".join(session.errors)


@pytest.fixture
def page(browsing):
    """A page in a fresh phone context: 360×740, touch, id-ID."""
    return browsing.new_page()


def test_official_registers_on_a_phone(page, browsing, mailbox, runner, tmp_path):
    """Sign-up to training menus through the real UI, as a phone user would."""
    page.goto("/daftar")
    ui.snapshot(page, "daftar")
    ui.send_sign_up(page)
    expect(page.locator("h1")).to_have_text("Periksa email Anda")
    expect(page.locator("main")).to_contain_text(ui.EMAIL)
    ui.snapshot(page, "periksa-email")

    mail = mailbox.wait_for(ui.EMAIL, "Verifikasi email")
    link = next(link for link in mail.links() if "/verifikasi/" in link)
    assert link.startswith(browsing.base_url + "/")
    page.goto(link)
    page.get_by_label("Nama lengkap").fill(ui.NAME)
    page.get_by_label("Kata sandi").fill(ui.PASSWORD)
    page.get_by_role("button", name="Verifikasi email").tap()
    expect(page).to_have_url(ui.path_is("/daftar/identitas"))
    expect(page.locator(".flash")).to_contain_text("Email terverifikasi")

    ui.fill_identity(page)
    ui.next_step(page, "/daftar/jabatan")
    ui.fill_position(page)
    ui.next_step(page, "/daftar/lokasi")

    assert ui.choose(page, "provinsi", "Nusa Tenggara Barat") == PROVINSI
    ui.expect_list_filled(page, "kabupaten", PROVINSI)
    assert ui.choose(page, "kabupaten", "Kabupaten Lombok Timur") == KABUPATEN
    ui.expect_list_filled(page, "kecamatan", KABUPATEN)
    assert ui.choose(page, "kecamatan", "Selong") == SELONG
    ui.expect_list_filled(page, "desa", SELONG)
    assert ui.option_values(page, "desa") == ["", "52.03.07.2012"]

    ui.choose(page, "provinsi", "Bali")
    ui.expect_list_filled(page, "kabupaten", BALI)
    ui.expect_list_waiting(page, "kecamatan")
    ui.expect_list_waiting(page, "desa")

    ui.choose(page, "provinsi", "Nusa Tenggara Barat")
    ui.expect_list_filled(page, "kabupaten", PROVINSI)
    ui.choose(page, "kabupaten", "Kabupaten Lombok Timur")
    ui.expect_list_filled(page, "kecamatan", KABUPATEN)
    assert ui.choose(page, "kecamatan", "Keruak") == KECAMATAN
    ui.expect_list_filled(page, "desa", KECAMATAN)
    desa = ui.option_values(page, "desa")[1:]
    assert len(desa) == 15 and ui.kelurahan(desa) == []
    assert ui.choose(page, "desa", "Tanjung Luar") == DESA

    ui.fill_sk(page, good(tmp_path))
    ui.snapshot(page, "step3")
    page.get_by_role("button", name="Simpan").tap()
    expect(page).to_have_url(ui.path_is("/status"))
    expect(page.locator("main")).to_contain_text(CHECKED_BY_ADMIN)
    expect(page.locator("main")).not_to_contain_text("Verifikasi email")

    result = runner.invoke(
        args=["create-admin", ADMIN_EMAIL, "--password", ADMIN_PASSWORD]
    )
    assert ADMIN_EMAIL in result.output
    admin = browsing.new_page(**ui.DESKTOP)
    ui.log_in(admin, ADMIN_EMAIL, ADMIN_PASSWORD)
    expect(admin).to_have_url(ui.path_is("/admin/"))
    row = admin.get_by_role("row").filter(has_text=ui.NAME)
    expect(row).to_contain_text("5203********0001")
    row.get_by_role("link", name=ui.NAME).click()
    expect(admin.locator("h1")).to_have_text(ui.NAME)
    expect(admin.locator(".facts")).to_contain_text("5203********0001")
    assert ui.NIK not in admin.content()
    admin.get_by_role("button", name="Setujui").click()
    expect(admin).to_have_url(ui.path_is("/admin/"))
    expect(admin.locator(".flash")).to_contain_text("disetujui")
    mailbox.wait_for(ui.EMAIL, "Pendaftaran disetujui")
    assert mailbox.count(ui.EMAIL, "Verifikasi email") == 1

    page.get_by_role("button", name="Keluar").tap()
    expect(page).to_have_url(ui.path_is("/masuk"))
    ui.log_in(page, ui.EMAIL, ui.PASSWORD)
    expect(page).to_have_url(ui.path_is("/pelatihan/"))
    menu = page.get_by_role("navigation", name="Menu pelatihan")
    expect(menu).to_contain_text("Pelatihan Mandiri")
    expect(menu).to_contain_text("Pelatihan Tematik")
    expect(menu).to_contain_text("Pengelolaan Keuangan Desa")


def test_page_has_no_horizontal_scroll_at_320px(page, tmp_path):
    """The sign-up page and a filled step 3 fit a 320 px wide screen."""
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/daftar")
    ui.snapshot(page, "daftar-320px")
    assert ui.no_horizontal_scroll(page)

    ui.reach_step3(page)
    ui.choose(page, "provinsi", "Nusa Tenggara Barat")
    ui.expect_list_filled(page, "kabupaten", PROVINSI)
    ui.choose(page, "kabupaten", "Kabupaten Lombok Timur")
    ui.expect_list_filled(page, "kecamatan", KABUPATEN)
    ui.choose(page, "kecamatan", "Keruak")
    ui.expect_list_filled(page, "desa", KECAMATAN)
    ui.choose(page, "desa", "Tanjung Luar")
    ui.fill_sk(page, good(tmp_path))
    ui.snapshot(page, "step3-320px")
    assert ui.no_horizontal_scroll(page)


def test_step3_without_javascript(browsing, tmp_path):
    """Without JavaScript the Tampilkan pilihan button walks the cascade."""
    page = browsing.new_page(java_script_enabled=False)
    ui.reach_step3(page)
    show = page.get_by_role("button", name="Tampilkan pilihan")
    expect(show).to_be_visible()

    ui.choose(page, "provinsi", "Nusa Tenggara Barat")
    show.click()
    ui.expect_list_filled(page, "kabupaten", PROVINSI)
    ui.expect_list_waiting(page, "kecamatan")
    ui.choose(page, "kabupaten", "Kabupaten Lombok Timur")
    show.click()
    ui.expect_list_filled(page, "kecamatan", KABUPATEN)
    ui.choose(page, "kecamatan", "Keruak")
    show.click()
    ui.expect_list_filled(page, "desa", KECAMATAN)
    assert ui.kelurahan(ui.option_values(page, "desa")) == []
    ui.choose(page, "desa", "Tanjung Luar")

    ui.fill_sk(page, good(tmp_path))
    page.get_by_role("button", name="Simpan").click()
    expect(page).to_have_url(ui.path_is("/status"))
    expect(page.locator("main")).to_contain_text(CHECKED_BY_ADMIN)


def test_service_worker_controls_page_and_manifest_is_valid(browsing, tmp_path):
    """The service worker takes control and the manifest makes the app installable."""
    page = browsing.new_profile_page(tmp_path / "profile")
    page.goto("/daftar")
    assert page.evaluate("navigator.serviceWorker.ready.then(r => !!r.active)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL").endswith(
        "/service-worker.js"
    )

    link = page.locator('link[rel="manifest"]').get_attribute("href")
    response = page.request.get(link)
    assert response.ok
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["name"] == "LMS Pamong Desa"
    assert manifest["short_name"]
    assert manifest["display"] == "standalone"
    assert manifest["start_url"].startswith("/")
    assert page.request.get(manifest["start_url"]).ok

    icons = {
        (icon["sizes"], icon.get("purpose", "any")): icon for icon in manifest["icons"]
    }
    assert set(icons) >= ICONS
    for (sizes, _purpose), icon in icons.items():
        image = page.request.get(icon["src"])
        assert image.ok and image.headers["content-type"] == icon["type"]
        width, height = ui.png_size(image.body())
        assert f"{width}x{height}" == sizes

    cdp = page.context.new_cdp_session(page)
    parsed = cdp.send("Page.getAppManifest")
    assert parsed["url"].endswith("/manifest.webmanifest")
    assert parsed["errors"] == []
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert errors == []


def test_validation_errors_keep_typed_values(page):
    """A 15-digit NIK is refused next to its field; the other answers stay."""
    ui.sign_up(page)
    ui.fill_identity(page, nik=ui.NIK[:15])
    page.get_by_role("button", name="Selanjutnya").tap()

    expect(page).to_have_url(ui.path_is("/daftar/identitas"))
    nik_field = page.locator(".field", has=page.locator("#nik"))
    expect(nik_field.locator("#nik-error")).to_contain_text("16 angka")
    expect(page.locator("#nik")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#nik")).to_have_attribute(
        "aria-describedby", "nik-help nik-error"
    )
    expect(page.locator("#nik")).to_have_value(ui.NIK[:15])
    expect(page.get_by_label("No HP")).to_have_value("0812 3456 7890")
    expect(page.get_by_label("Tempat lahir")).to_have_value("Selong")
    expect(page.get_by_label("Tanggal lahir")).to_have_value("1985-04-12")
    expect(page.get_by_label("Perempuan")).to_be_checked()
    expect(page.get_by_label("Pendidikan terakhir")).to_have_value("8")
    expect(page.locator('[aria-invalid]:not([aria-invalid="true"])')).to_have_count(0)
    expect(page.locator('[aria-describedby="None"]')).to_have_count(0)
