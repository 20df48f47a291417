"""Step 3 on a line so slow that the official acts before the scripts arrive.

The live server holds back the htmx script. An official who chooses a
provinsi while it is still on its way must still get the kabupaten list once
it has arrived, without choosing again.
"""

import pytest
from playwright.sync_api import expect

from tests import browser as ui
from tests.helpers import Official

pytestmark = pytest.mark.browser

#: Seconds the server waits before it sends the htmx script.
SCRIPT_DELAY = 1.5


@pytest.fixture
def live_server(app):
    """Serve the app, with slow vendored scripts, over HTTP on loopback."""
    app.wsgi_app = ui.SlowRequests(
        app.wsgi_app,
        SCRIPT_DELAY,
        lambda environ: environ["PATH_INFO"].startswith("/static/vendor/"),
    )
    server = ui.LiveServer(app)
    server.start()
    yield server.url
    server.stop()


def test_provinsi_chosen_before_htmx_arrived_still_fills_kabupaten(app, browsing):
    """The choice made while htmx was loading asks for the next list later."""
    official = Official(app.test_client())
    official.sign_up()
    official.step1()
    official.step2()
    page = browsing.new_page()
    page.goto("/masuk")
    page.get_by_label("Email").fill(official.email)
    page.get_by_label("Kata sandi").fill(official.password)

    page.get_by_role("button", name="Masuk").tap(no_wait_after=True)
    page.wait_for_url(ui.path_is("/daftar/lokasi"), wait_until="commit")
    page.locator("#provinsi").wait_for(state="attached")
    code = ui.choose(page, "provinsi", "Nusa Tenggara Barat")
    assert page.evaluate("typeof window.htmx") == "undefined"

    ui.expect_list_filled(page, "kabupaten", code)
    expect(page.locator("#kabupaten")).to_have_value("")
    ui.expect_list_waiting(page, "kecamatan")
