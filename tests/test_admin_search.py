"""The queue's search: a NIK never enters a URL; other filters can be bookmarked."""

import re

import pytest

from tests.admin_helpers import admin_tables, login_admin, seed  # noqa: F401
from tests.conftest import csrf_from

pytestmark = pytest.mark.usefixtures("admin_tables")

NIK = "5203015204850123"

#: Every attribute of a page that holds an address.
ADDRESS = re.compile(rb'(?:href|action|src|hx-get|hx-post|value)="(/[^"]*)"')


def addresses(body: bytes) -> list[bytes]:
    """Return every address a page links to, sends to or fetches."""
    return ADDRESS.findall(body)


def assert_no_nik_in_urls(response, nik: str = NIK) -> None:
    """Fail if the NIK is in the request URL, a redirect, a header or a link."""
    for step in [*response.history, response]:
        assert nik not in step.request.url
        assert nik not in step.request.full_path
        for name, value in step.headers.items():
            assert nik not in value, name
    for address in addresses(response.data):
        assert nik.encode() not in address


def search(admin, headers=None, **fields):
    """Send the queue's filter form with the page's token."""
    token = csrf_from(admin.client.get("/admin/").data)
    return admin.client.post(
        "/admin/cari", data={"csrf_token": token, **fields}, headers=headers or {}
    )


def test_a_nik_is_searched_without_entering_a_url(app, runner):
    """The NIK search answers its results itself, in every state."""
    (found,) = seed(app, 1, nik=NIK, state="approved", name="Baiq Nurul")
    seed(app, 2)
    admin = login_admin(app, runner)

    response = search(admin, q="5203 0152 0485 0123", status="pending")
    assert response.status_code == 200
    assert "Baiq Nurul" in response.data.decode()
    assert f'href="/admin/akun/{found}"'.encode() in response.data
    assert b"Disetujui: 1" in response.data
    assert b"Unduh CSV" not in response.data
    assert_no_nik_in_urls(response)
    assert "no-store" in response.headers["Cache-Control"]


def test_htmx_nik_search_pushes_no_url(app, runner):
    """htmx gets the results alone and is told to leave the address bar be."""
    seed(app, 1, nik=NIK, name="Baiq Nurul")
    admin = login_admin(app, runner)
    response = search(admin, headers={"HX-Request": "true"}, q=NIK)
    assert b"<html" not in response.data
    assert "Baiq Nurul" in response.data.decode()
    assert response.headers["HX-Push-Url"] == "false"
    assert_no_nik_in_urls(response)


def test_other_searches_lead_to_a_bookmarkable_address(app, runner):
    """A name and filters answer with the queue's address holding them."""
    seed(app, 1, name="Sri Wahyuni", position="kepala_desa")
    seed(app, 1, name="Sri Rahayu")
    admin = login_admin(app, runner)

    response = search(admin, q="sri", jabatan="kepala_desa", status="pending")
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/?jabatan=kepala_desa&q=sri"
    page = admin.client.get(response.headers["Location"]).data.decode()
    assert "Sri Wahyuni" in page and "Sri Rahayu" not in page

    fragment = search(admin, headers={"HX-Request": "true"}, q="rahayu")
    assert fragment.headers["HX-Push-Url"] == "/admin/?q=rahayu"
    assert "Sri Rahayu" in fragment.data.decode()


def test_a_nik_in_a_url_is_taken_out(app, runner):
    """An old bookmark with a NIK leads to the same filters without it."""
    seed(app, 1, nik=NIK)
    admin = login_admin(app, runner)
    response = admin.client.get(
        f"/admin/?jabatan=kaur_keuangan&q={NIK}", follow_redirects=True
    )
    assert response.history[0].status_code == 303
    assert response.history[0].headers["Location"] == "/admin/?jabatan=kaur_keuangan"
    assert "Ketik NIK di kotak pencarian" in response.data.decode()
    assert NIK not in response.request.url
    for address in addresses(response.data):
        assert NIK.encode() not in address


def test_search_needs_the_token_and_stays_in_scope(app, runner):
    """Without the form's token nothing is searched; a region outside is 404."""
    seed(app, 1, nik=NIK)
    admin = login_admin(app, runner, "timur@pamong.test", "kabupaten", "52.03")
    assert admin.client.post("/admin/cari", data={"q": NIK}).status_code == 400
    outside = search(admin, provinsi="52", kabupaten="52.01")
    assert outside.status_code == 404
