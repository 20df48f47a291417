"""Steps sent without signal, in headless Chromium on a phone-sized screen.

What is typed stays on the phone until the server has it: a step sent
offline is kept, shown with a "Kirim sekarang" button, and sent once when the
signal returns, even from another page opened later. Drafts come back after
a reload. No page may log an error other than those a test causes on purpose.
"""

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from pamong.registration import services
from tests import browser as ui
from tests.helpers import Official
from tests.test_offline import count, profile, state

pytestmark = pytest.mark.browser

QUEUED = "Belum terkirim karena sinyal terputus. Isian tersimpan di HP ini."
RESTORED = "Isian yang belum terkirim dipulihkan."

#: Everything this phone keeps for the site, as {key: value}.
KEPT = """() => Object.fromEntries(
  Object.keys(localStorage).filter(k => k.startsWith("pamong-langkah:"))
    .map(k => [k, localStorage.getItem(k)]))"""

#: Waits until a service worker controls the page.
CONTROLLED = """() => navigator.serviceWorker.controller ? true : new Promise(
  resolve => navigator.serviceWorker.addEventListener(
    "controllerchange", () => resolve(true)))"""


def kept(page) -> dict:
    """Return what the page's site keeps in localStorage."""
    return page.evaluate(KEPT)


def queued(page) -> list[str]:
    """Return the keys of sendings kept on the phone."""
    return [key for key in kept(page) if ":antre:" in key]


def expect_queued(page) -> None:
    """Wait for the banner that says the step is kept on the phone."""
    banner = page.locator("#antrean")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(QUEUED)
    expect(banner.get_by_role("button", name="Kirim sekarang")).to_be_visible()


def test_step1_sent_offline_goes_once_from_a_page_opened_later(app, browsing):
    """Sent offline, closed, opened again online: step 1 arrives exactly once."""
    page = browsing.new_page()
    context = page.context
    ui.sign_up(page)
    context.set_offline(True)
    ui.fill_identity(page)
    page.get_by_role("button", name="Selanjutnya").tap()

    expect_queued(page)
    ui.snapshot(page, "step1-queued")
    expect(page).to_have_url(ui.path_is("/daftar/identitas"))
    assert count(app, "step_identity") == 0
    assert len(queued(page)) == 1
    page.close()

    later = context.new_page()
    browsing.watch(later)
    context.set_offline(False)
    later.goto("/daftar/identitas")

    expect(later).to_have_url(ui.path_is("/daftar/jabatan"))
    expect(later.locator("h1")).to_contain_text("Jabatan")
    assert count(app, "step_identity") == 1
    assert count(app, "submission_key") == 1
    saved = profile(app)
    assert saved.nik == ui.NIK
    assert saved.phone == "+6281234567890"
    assert saved.birth_place == "Selong"
    assert queued(later) == []
    assert not any("/daftar/identitas" in key for key in kept(later))


def test_step1_goes_by_itself_when_the_signal_returns(app, page):
    """On the same page, the kept step is sent as soon as the phone is online."""
    ui.sign_up(page)
    page.context.set_offline(True)
    ui.fill_identity(page)
    page.get_by_role("button", name="Selanjutnya").tap()
    expect_queued(page)

    page.context.set_offline(False)

    expect(page).to_have_url(ui.path_is("/daftar/jabatan"))
    assert count(app, "step_identity") == 1
    assert queued(page) == []


def test_lost_answer_is_not_saved_twice(app, browsing, tolerated):
    """The server saved the step but its answer was lost: sent again, saved once."""
    tolerated.append("net::ERR_")
    page = browsing.new_page(service_workers="block")
    ui.sign_up(page)
    ui.fill_identity(page)

    def lose_answer(route):
        """Let the server handle the POST, then drop its answer."""
        if route.request.method != "POST":
            route.continue_()
            return
        route.fetch(max_redirects=0)
        route.abort("connectionreset")

    page.route("**/daftar/identitas", lose_answer)
    page.get_by_role("button", name="Selanjutnya").tap()
    expect_queued(page)
    assert count(app, "step_identity") == 1
    page.unroute("**/daftar/identitas")

    page.locator("#antrean").get_by_role("button", name="Kirim sekarang").tap()

    expect(page).to_have_url(ui.path_is("/daftar/jabatan"))
    assert count(app, "step_identity") == 1
    assert count(app, "submission_key") == 1
    assert queued(page) == []


def test_refused_sending_is_shown_and_kept(app, page):
    """A kept step the server refuses shows its errors and is not dropped."""
    ui.sign_up(page)
    page.context.set_offline(True)
    ui.fill_identity(page, nik=ui.NIK[:15])
    page.get_by_role("button", name="Selanjutnya").tap()
    expect_queued(page)

    page.context.set_offline(False)

    expect(page.locator("#nik-error")).to_contain_text("16 angka")
    expect(page.locator("#antrean")).to_contain_text("Isian belum diterima")
    ui.snapshot(page, "step1-refused")
    expect(page.locator("#nik")).to_have_value(ui.NIK[:15])
    expect(page.get_by_label("Tempat lahir")).to_have_value("Selong")
    expect(page).to_have_url(ui.path_is("/daftar/identitas"))
    assert len(queued(page)) == 1
    assert count(app, "step_identity") == 0

    page.reload()
    expect(page.locator("#antrean")).to_contain_text("Isian belum diterima")
    expect(page.locator("#nik")).to_have_value(ui.NIK[:15])
    assert count(app, "step_identity") == 0

    page.locator("#nik").fill(ui.NIK)
    ui.next_step(page, "/daftar/jabatan")
    assert count(app, "step_identity") == 1
    assert profile(app).nik == ui.NIK
    assert queued(page) == []


def test_server_error_keeps_the_sending(app, page, tolerated, monkeypatch):
    """A 500 is explained and the step stays kept until Kirim sekarang works."""
    tolerated.append("status of 500")
    ui.sign_up(page)

    def broken(*_args, **_kwargs):
        """Fail the way an unexpected server fault would."""
        raise RuntimeError("database away")

    monkeypatch.setattr(services, "save_identity", broken)
    ui.fill_identity(page)
    page.get_by_role("button", name="Selanjutnya").tap()

    banner = page.locator("#antrean")
    expect(banner).to_contain_text("Terjadi kesalahan di server")
    expect(page.get_by_label("NIK", exact=True)).to_have_value(ui.NIK)
    assert len(queued(page)) == 1
    monkeypatch.undo()

    banner.get_by_role("button", name="Kirim sekarang").tap()

    expect(page).to_have_url(ui.path_is("/daftar/jabatan"))
    assert count(app, "step_identity") == 1
    assert queued(page) == []


def test_step2_draft_comes_back_after_reload(app, page):
    """Typed and not sent, step 2 is filled in again after a reload."""
    ui.sign_up(page)
    ui.fill_identity(page)
    ui.next_step(page, "/daftar/jabatan")
    ui.fill_position(page)

    page.reload()

    expect(page.locator("main .flash")).to_have_text(RESTORED)
    ui.snapshot(page, "step2-restored")
    expect(page.get_by_label("Tidak", exact=True)).to_be_checked()
    expect(page.get_by_label("Jabatan", exact=True)).to_have_value("kaur_keuangan")
    expect(page.get_by_label("Jabatan Terhitung Mulai Tanggal (TMT)")).to_have_value(
        "2021-01-04"
    )
    assert count(app, "step_position") == 0

    ui.next_step(page, "/daftar/lokasi")
    assert count(app, "step_position") == 1
    assert not any("/daftar/jabatan" in key for key in kept(page))

    page.get_by_label("Nomor SK").fill("188.45/123/DPMD/2021")
    assert any("isian:/daftar/lokasi" in key for key in kept(page))
    page.get_by_role("button", name="Keluar").tap()
    expect(page).to_have_url(ui.path_is("/masuk"))
    assert kept(page) == {}


def test_draft_never_holds_a_password_or_token(page):
    """Drafts keep the typed answers only."""
    ui.sign_up(page)
    ui.fill_identity(page)
    values = "".join(kept(page).values())
    assert ui.NIK in values
    assert ui.PASSWORD not in values
    assert "csrf_token" not in values


def test_step3_fields_sent_when_the_signal_returns(app, browsing):
    """Step 3's fields go once the signal is back; the SK was uploaded before."""
    official = Official(app.test_client())
    official.sign_up()
    official.step1()
    official.step2()
    official.step3(sk_number="")
    page = browsing.new_page()
    ui.log_in(page, official.email, official.password)
    expect(page).to_have_url(ui.path_is("/daftar/lokasi"))
    for level, label in (
        ("provinsi", "Nusa Tenggara Barat"),
        ("kabupaten", "Kabupaten Lombok Timur"),
        ("kecamatan", "Keruak"),
        ("desa", "Tanjung Luar"),
    ):
        expect(page.locator(f"#{level} option", has_text=label)).to_be_attached()
        ui.choose(page, level, label)
    page.get_by_label("Nomor SK").fill("188.45/123/DPMD/2021")
    page.get_by_label("Tanggal SK").fill("2020-12-28")

    page.context.set_offline(True)
    page.get_by_role("button", name="Simpan").tap()
    expect_queued(page)
    assert state(app) == "registered"

    page.context.set_offline(False)

    expect(page).to_have_url(ui.path_is("/status"))
    assert state(app) == "pending"
    assert count(app, "submitted") == 1
    assert profile(app).village_code == "52.03.01.2001"


def test_step3_regions_come_back_after_reload(page, app):
    """A half-chosen location is chosen again after a reload, list by list."""
    official = Official(app.test_client())
    official.sign_up()
    official.step1()
    official.step2()
    ui.log_in(page, official.email, official.password)
    expect(page).to_have_url(ui.path_is("/daftar/lokasi"))
    for level, label in (
        ("provinsi", "Nusa Tenggara Barat"),
        ("kabupaten", "Kabupaten Lombok Timur"),
        ("kecamatan", "Keruak"),
    ):
        expect(page.locator(f"#{level} option", has_text=label)).to_be_attached()
        ui.choose(page, level, label)
    ui.expect_list_filled(page, "desa", "52.03.01")
    page.get_by_label("Nomor SK").fill("188.45/123/DPMD/2021")

    page.reload()

    expect(page.locator("main .flash")).to_have_text(RESTORED)
    expect(page.locator("#provinsi")).to_have_value("52")
    expect(page.locator("#kabupaten")).to_have_value("52.03")
    expect(page.locator("#kecamatan")).to_have_value("52.03.01")
    ui.expect_list_filled(page, "desa", "52.03.01")
    expect(page.get_by_label("Nomor SK")).to_have_value("188.45/123/DPMD/2021")


def test_offline_page_is_kept_without_cookies(page, tolerated):
    """The worker keeps an offline page with no token or account in it."""
    tolerated.append("net::ERR_INTERNET_DISCONNECTED")
    ui.sign_up(page)
    page.evaluate(
        """async () => {
          for (const r of await navigator.serviceWorker.getRegistrations()) {
            await r.unregister();
          }
          for (const name of await caches.keys()) { await caches.delete(name); }
        }"""
    )
    page.reload()
    assert page.evaluate(CONTROLLED)
    offline = page.evaluate(
        "async () => { const hit = await caches.match('/offline');"
        " return hit ? hit.text() : null; }"
    )
    assert offline and "Tidak ada sinyal" in offline
    assert "csrf_token" not in offline
    assert "data-user" not in offline
    assert "Keluar" not in offline

    page.context.set_offline(True)
    page.goto("/daftar/jabatan")
    expect(page.locator("h1")).to_have_text("Tidak ada sinyal")

    page.context.set_extra_http_headers({"HX-Request": "true"})
    with pytest.raises(PlaywrightError):
        page.goto("/daftar/identitas")


def test_keluar_asks_before_deleting_a_kept_step(page):
    """Keluar with a step still kept asks first; saying no keeps everything."""
    ui.sign_up(page)
    page.context.set_offline(True)
    ui.fill_identity(page)
    page.get_by_role("button", name="Selanjutnya").tap()
    expect_queued(page)
    asked = []

    def answer(dialog):
        """Note the question and say no."""
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", answer)
    page.get_by_role("button", name="Keluar").tap()

    expect(page.locator("#antrean")).to_be_visible()
    assert asked and "akan dihapus" in asked[0]
    expect(page).to_have_url(ui.path_is("/daftar/identitas"))
    assert len(queued(page)) == 1


def test_steps_without_javascript_are_plain_forms(app, browsing):
    """Without JavaScript the steps are sent as ordinary forms."""
    page = browsing.new_page(java_script_enabled=False)
    ui.sign_up(page)
    ui.fill_identity(page)
    ui.next_step(page, "/daftar/jabatan")
    ui.fill_position(page)
    ui.next_step(page, "/daftar/lokasi")
    assert count(app, "step_identity") == 1
    assert count(app, "step_position") == 1
    assert count(app, "submission_key") == 0
