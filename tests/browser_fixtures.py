"""Browser fixtures shared by the browser test modules.

A module gets its own Chromium (Playwright's sync API allows one instance
per thread at a time), a live server for the ``app`` fixture, and phone
contexts that fail the test on any page error it did not expect.
"""

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from tests import browser as ui


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the module.

    Playwright's sync API runs one instance per thread, so a ``browser``
    fixture of wider scope elsewhere must have ended before this one starts.
    """
    try:
        playwright = sync_playwright().start()
    except PlaywrightError as error:
        pytest.fail(f"another Playwright instance is still running: {error}")
    chromium = ui.launch(playwright)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def live_server(app):
    """Serve the app over HTTP on loopback."""
    server = ui.LiveServer(app)
    server.start()
    yield server.url
    server.stop()


@pytest.fixture
def tolerated() -> list[str]:
    """Console errors a test causes on purpose; every other one fails it."""
    return []


@pytest.fixture
def browsing(browser, live_server, tolerated):
    """Contexts on the live server; fails the test on unexpected page errors."""
    session = ui.Browsing(browser, live_server)
    yield session
    session.close()
    unexpected = [
        error
        for error in session.errors
        if not any(expected in error for expected in tolerated)
    ]
    assert not unexpected, "browser reported errors:\n" + "\n".join(unexpected)


@pytest.fixture
def page(browsing):
    """A page in a fresh phone context: 360×740, touch, id-ID."""
    return browsing.new_page()
