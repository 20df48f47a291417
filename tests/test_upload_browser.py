"""The resumable SK upload of step 3 in headless Chromium on a phone screen.

The app runs over real HTTP on loopback. Each PATCH is held back a little on
the server, as a slow line would, so that the test can cut the network or
reload the page while the upload is under way. The file sent must arrive
byte for byte, and no page may log an error other than the failed requests
the test itself causes by going offline.
"""

import json
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from pamong.documents.models import Document
from pamong.documents.services import storage_path
from pamong.extensions import db
from tests import browser as ui
from tests.helpers import Official
from tests.test_tus import sha256, sized_pdf

pytestmark = pytest.mark.browser

#: Seconds each PATCH waits on the server before it is handled.
PATCH_DELAY = 0.6
CHUNK = 256 * 1024
#: The console error of a request failed by a deliberate loss of network.
OFFLINE_ERROR = "net::ERR_INTERNET_DISCONNECTED"
#: The console error of a PATCH refused for a stale offset, which tus answers
#: by asking the offset again.
STALE_OFFSET_ERROR = "status of 409 (CONFLICT)"


@pytest.fixture
def live_server(app):
    """Serve the app, with slow PATCHes, over HTTP on loopback."""
    app.wsgi_app = ui.SlowRequests(
        app.wsgi_app, PATCH_DELAY, lambda environ: environ["REQUEST_METHOD"] == "PATCH"
    )
    server = ui.LiveServer(app)
    server.start()
    yield server.url
    server.stop()


@pytest.fixture
def page(app, browsing):
    """A phone page of an official who has sent steps 1 and 2, at step 3."""
    official = Official(app.test_client())
    official.sign_up()
    official.step1()
    official.step2()

    page = browsing.new_page()
    ui.log_in(page, official.email, official.password)
    expect(page).to_have_url(ui.path_is("/daftar/lokasi"))
    page.locator("#sk-upload-status").wait_for(state="attached")
    return page


@pytest.fixture
def pdf(tmp_path) -> Path:
    """A valid PDF of about 1 MB: four pieces of 256 KB."""
    path = tmp_path / "SK Kaur Keuangan.pdf"
    path.write_bytes(sized_pdf(1_000_000, seed=3))
    return path


class Requests:
    """Counts the tus requests a page sends, by method."""

    def __init__(self, page):
        """Start listening on ``page``."""
        self.seen: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        page.on("request", self.record)

    def record(self, request) -> None:
        """Keep the method and path of requests to /unggah/."""
        if "/unggah/" in request.url:
            with self.lock:
                self.seen.append((request.method, request.url))

    def count(self, method: str) -> int:
        """How many requests used ``method``."""
        with self.lock:
            return sum(1 for seen, _url in self.seen if seen == method)


def server_offset(app) -> int:
    """Return the offset the server has recorded for the single upload."""
    sidecars = list((Path(app.config["UPLOAD_FOLDER"]) / "tus").glob("*/*/info.json"))
    if not sidecars:
        return 0
    assert len(sidecars) == 1
    return json.loads(sidecars[0].read_text())["offset"]


def wait_for_offset(app, least: int, seconds: float = 10) -> int:
    """Wait until the server holds at least ``least`` bytes; return the offset."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        offset = server_offset(app)
        if offset >= least:
            return offset
        time.sleep(0.05)
    raise AssertionError(f"server never reached {least} bytes")


def stored_file(app) -> tuple[str, str]:
    """Return the SHA-256 recorded for the one stored SK and that of its file."""
    with app.app_context():
        documents = db.session.scalars(select(Document)).all()
        assert len(documents) == 1
        document = documents[0]
        return document.sha256, sha256(storage_path(document.storage_name).read_bytes())


def test_upload_goes_on_after_the_network_drops(app, page, pdf, tolerated):
    """Cut off mid-upload, the upload resumes when the network returns."""
    tolerated.append(OFFLINE_ERROR)
    requests = Requests(page)
    status = page.locator("#sk-upload-status")
    expect(status).to_have_attribute("role", "status")

    page.locator("#sk_file").set_input_files(pdf)
    expect(status).to_contain_text("Mengunggah SK")
    wait_for_offset(app, CHUNK)
    page.context.set_offline(True)
    expect(status).to_contain_text("Sinyal terputus")
    ui.snapshot(page, "step3-upload-offline")
    assert server_offset(app) < pdf.stat().st_size

    # Sooner than the 30 s fallback timer: the "online" event resumes it.
    page.context.set_offline(False)
    expect(status).to_contain_text("SK tersimpan: SK Kaur Keuangan.pdf", timeout=15_000)

    ui.snapshot(page, "step3-upload-done")
    expected = sha256(pdf.read_bytes())
    assert stored_file(app) == (expected, expected)
    assert requests.count("POST") == 1
    assert requests.count("HEAD") >= 1
    expect(page.locator("#sk_file")).to_have_value("")


def test_upload_goes_on_after_a_reload(app, page, pdf, tolerated):
    """Reloaded mid-upload, the page continues from IndexedDB by itself.

    The piece that was on its way when the page went away may reach the
    server after the reloaded page asked for the offset; the next piece then
    meets a 409, and the client asks again. That one error is expected.
    """
    tolerated.append(STALE_OFFSET_ERROR)
    requests = Requests(page)
    page.locator("#sk_file").set_input_files(pdf)
    wait_for_offset(app, CHUNK)

    page.reload()
    status = page.locator("#sk-upload-status")
    expect(status).to_contain_text("SK tersimpan: SK Kaur Keuangan.pdf", timeout=30_000)

    expected = sha256(pdf.read_bytes())
    assert stored_file(app) == (expected, expected)
    assert requests.count("POST") == 1
    page.reload()
    expect(page.locator("#sk-current")).to_contain_text("SK Kaur Keuangan.pdf")
    expect(page.locator("#sk-upload-status")).to_have_text("")


def fill_location(page) -> None:
    """Choose the desa and type the SK number and date."""
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


def is_step3_post(request) -> bool:
    """Match the form submission of step 3."""
    return request.method == "POST" and "/daftar/lokasi" in request.url


def test_simpan_sends_only_the_fields_after_the_upload(app, page, pdf):
    """After a tus upload, Simpan posts the form without the file."""
    page.locator("#sk_file").set_input_files(pdf)
    status = page.locator("#sk-upload-status")
    expect(status).to_contain_text("SK tersimpan", timeout=30_000)
    fill_location(page)

    with page.expect_request(is_step3_post) as sent:
        page.get_by_role("button", name="Simpan").tap()

    assert len(sent.value.post_data_buffer or b"") < 4096
    expect(page).to_have_url(ui.path_is("/status"))


def test_simpan_during_the_upload_sends_the_form_once_stored(app, page, pdf):
    """Simpan pressed mid-upload waits for the SK, then sends only the fields."""
    fill_location(page)
    page.locator("#sk_file").set_input_files(pdf)
    status = page.locator("#sk-upload-status")
    expect(status).to_contain_text("Mengunggah SK")

    with page.expect_request(is_step3_post, timeout=30_000) as sent:
        page.get_by_role("button", name="Simpan").tap()
        expect(status).to_contain_text("Formulir dikirim otomatis")
        assert server_offset(app) < pdf.stat().st_size

    assert len(sent.value.post_data_buffer or b"") < 4096
    expect(page).to_have_url(ui.path_is("/status"))
    expected = sha256(pdf.read_bytes())
    assert stored_file(app) == (expected, expected)


@pytest.mark.parametrize(
    ("name", "size", "message"),
    [
        ("foto.jpg", 2000, "bukan PDF"),
        ("kosong.pdf", 0, "Berkas kosong"),
        ("besar.pdf", 10 * 1024 * 1024 + 1, "lebih dari 10 MB"),
    ],
)
def test_wrong_file_is_explained_before_sending(page, tmp_path, name, size, message):
    """A photo, an empty or a too big file is refused on the phone, saying why."""
    requests = Requests(page)
    path = tmp_path / name
    with path.open("wb") as handle:
        handle.truncate(size)

    page.locator("#sk_file").set_input_files(path)

    status = page.locator("#sk-upload-status")
    expect(status).to_contain_text(message)
    ui.snapshot(page, f"step3-upload-refused-{path.stem}")
    expect(status).to_have_class("error")
    expect(page.locator("#sk_file")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#sk_file")).to_have_value("")
    assert requests.count("POST") == 0


def test_refused_pdf_shows_the_server_verdict(page, tmp_path):
    """A file named .pdf that is not one is sent, then the verdict is shown."""
    path = tmp_path / "surat.pdf"
    path.write_bytes(b"Surat Keputusan Kepala Desa\n" * 400)

    page.locator("#sk_file").set_input_files(path)

    status = page.locator("#sk-upload-status")
    expect(status).to_contain_text("Berkas ini bukan PDF", timeout=30_000)
    expect(status).to_have_class("error")
    expect(page.locator("#sk_file")).to_have_value("")


#: Puts a small file in the page's IndexedDB as if chosen ``hours`` ago.
KEEP_RECORD = """
async ([key, hours]) => {
  const file = new File(["%PDF-1.4 lama"], "lama.pdf", {type: "application/pdf"});
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open("pamong-unggah", 1);
    request.onupgradeneeded = () => request.result.createObjectStore("berkas");
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  await new Promise((resolve, reject) => {
    const transaction = db.transaction("berkas", "readwrite");
    transaction.objectStore("berkas").put(
      {file, url: null, done: false, touched: Date.now() - hours * 3600000}, key);
    transaction.oncomplete = resolve;
    transaction.onerror = () => reject(transaction.error);
  });
  db.close();
}
"""

#: Counts the files the page keeps in IndexedDB.
COUNT_RECORDS = """
() => new Promise((resolve, reject) => {
  const request = indexedDB.open("pamong-unggah", 1);
  request.onsuccess = () => {
    const count = request.result.transaction("berkas").objectStore("berkas").count();
    count.onsuccess = () => resolve(count.result);
  };
  request.onerror = () => reject(request.error);
})
"""


def test_file_kept_too_long_is_dropped_not_sent(app, page):
    """A file kept past the server's expiry is forgotten, never sent later."""
    requests = Requests(page)
    user_id = page.locator("script[data-user]").get_attribute("data-user")
    key = f"pengguna-{user_id}/langkah-3"
    page.evaluate(KEEP_RECORD, [key, 25])

    page.reload()

    page.wait_for_function(f"async () => (await ({COUNT_RECORDS.strip()})()) === 0")
    expect(page.locator("#sk-upload-status")).to_have_text("")
    assert requests.count("POST") == 0


def test_file_kept_from_an_hour_ago_is_sent(app, page):
    """A file kept within the expiry is sent on the next visit, unasked."""
    requests = Requests(page)
    user_id = page.locator("script[data-user]").get_attribute("data-user")
    page.evaluate(KEEP_RECORD, [f"pengguna-{user_id}/langkah-3", 1])

    page.reload()

    status = page.locator("#sk-upload-status")
    expect(status).to_contain_text("rusak", timeout=30_000)
    assert requests.count("POST") == 1


def test_upload_survives_an_ended_session(app, page, pdf, tolerated):
    """Logged out mid-upload, the file stays kept and goes on after login."""
    tolerated.append("status of 400 (BAD REQUEST)")
    requests = Requests(page)
    page.locator("#sk_file").set_input_files(pdf)
    wait_for_offset(app, CHUNK)

    page.context.clear_cookies()

    status = page.locator("#sk-upload-status")
    expect(status).to_contain_text("Halaman ini sudah kedaluwarsa")
    assert page.evaluate(COUNT_RECORDS) == 1
    ui.log_in(page, Official.email, Official.password)
    expect(page).to_have_url(ui.path_is("/daftar/lokasi"))
    expect(status).to_contain_text("SK tersimpan: SK Kaur Keuangan.pdf", timeout=30_000)

    expected = sha256(pdf.read_bytes())
    assert stored_file(app) == (expected, expected)
    assert requests.count("POST") == 1
