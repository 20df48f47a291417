"""The "Maksud Anda …?" hint under email fields, in headless Chromium.

A mistyped domain gets a suggestion once the official leaves the field. The
suggestion is part of the field's accessible description only while it is
shown, one tap on it puts it in the field, and it never stops the form from
being sent as typed.
"""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from pamong.accounts.models import User
from pamong.extensions import db
from tests import browser as ui

pytestmark = pytest.mark.browser

MISTYPED = [
    ("siti.aminah@gmial.com", "siti.aminah@gmail.com"),
    ("siti.aminah@desa.go.con", "siti.aminah@desa.go.com"),
    ("siti.aminah@yahoo.co.od", "siti.aminah@yahoo.co.id"),
]

#: An address with a mistyped domain, sent as it is.
TYPED = "siti.aminah@yahoo.co.od"


def type_email(page: Page, email: str) -> None:
    """Type ``email`` on the Daftar page and move on to the next field."""
    page.get_by_label("Email").fill(email)
    page.get_by_label("Nama lengkap").focus()


@pytest.mark.parametrize(("typed", "meant"), MISTYPED)
def test_one_tap_puts_the_suggestion_in_the_field(page, typed, meant):
    """The hint names the likely address, describes the field, and one tap fixes it."""
    page.goto("/daftar")
    email = page.get_by_label("Email")
    hint = page.locator("#email-hint")
    type_email(page, typed)

    expect(hint).to_have_text(f"Maksud Anda {meant}?")
    expect(email).to_have_attribute("aria-describedby", "email-help email-hint")
    expect(email).to_have_accessible_description(
        re.compile(rf"Maksud Anda\s+{re.escape(meant)}\s*\?$")
    )

    page.get_by_role("button", name=meant).tap()
    expect(email).to_have_value(meant)
    expect(email).to_be_focused()
    expect(hint).to_be_empty()
    expect(email).to_have_attribute("aria-describedby", "email-help")


def test_hint_goes_once_the_address_is_right(page):
    """A corrected or right address shows no hint and is described by its help only."""
    page.goto("/daftar")
    email = page.get_by_label("Email")
    hint = page.locator("#email-hint")
    type_email(page, "siti.aminah@gmial.com")
    expect(hint).not_to_be_empty()

    type_email(page, "siti.aminah@gmail.com")
    expect(hint).to_be_empty()
    expect(email).to_have_attribute("aria-describedby", "email-help")
    help_text = page.locator("#email-help").inner_text()
    expect(email).to_have_accessible_description(help_text.strip())


def test_hint_never_blocks_sending(app, page):
    """Ignoring the hint, Daftar Sekarang still creates the account as typed.

    The link goes to the address as typed, and opening it leads to step 1.
    """
    page.goto("/daftar")
    type_email(page, TYPED)
    expect(page.locator("#email-hint")).to_contain_text("yahoo.co.id")
    page.get_by_label("Nama lengkap").fill(ui.NAME)
    page.get_by_label("Kata sandi").fill(ui.PASSWORD)
    page.get_by_label("Saya sudah membaca dan menyetujui").check()
    page.get_by_role("button", name="Daftar Sekarang").tap()

    expect(page).to_have_url(ui.path_is("/daftar/periksa-email"))
    expect(page.locator("main strong")).to_have_text(TYPED)
    with app.app_context():
        emails = db.session.scalars(select(User.email)).all()
    assert emails == [TYPED]

    ui.open_verification(page, TYPED)
    expect(page).to_have_url(ui.path_is("/daftar/identitas"))
