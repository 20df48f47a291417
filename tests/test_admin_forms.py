"""Forged or mistyped values in the admin forms are refused in Bahasa Indonesia."""

import pytest

from tests.admin_helpers import admin_tables, login_admin, seed  # noqa: F401
from tests.conftest import csrf_from

pytestmark = pytest.mark.usefixtures("admin_tables")

ENGLISH = ("Not a valid", "not a valid", "Invalid", "This field")


def refused(response, message: str) -> str:
    """Check a 4xx page that names ``message`` and has no English left."""
    text = response.get_data(as_text=True)
    assert 400 <= response.status_code < 500
    assert message in text
    assert not any(words in text for words in ENGLISH)
    return text


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("tolak", {"kode": "bukan_alasan", "reason": "x"}, "Pilih salah satu"),
        (
            "perbaikan",
            {"steps": ["identitas", "langkah_palsu"], "catatan": "Periksa."},
            "Pilih dari langkah yang tersedia.",
        ),
    ],
)
def test_forged_decision_values(app, runner, action, data, message):
    """An unknown reason code or step gets an Indonesian message, nothing decided."""
    (user_id,) = seed(app, 1)
    admin = login_admin(app, runner)
    token = csrf_from(admin.client.get(f"/admin/akun/{user_id}").data)

    response = admin.client.post(
        f"/admin/akun/{user_id}/{action}", data={"csrf_token": token, **data}
    )

    refused(response, message)
    assert "Menunggu pemeriksaan" in admin.client.get("/admin/").get_data(True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"region": "52", "theme": "perencanaan", "villages": "tiga ratus"}, "angka"),
        ({"region": "99", "theme": "perencanaan", "villages": "3"}, "Pilih salah"),
        ({"region": "52", "theme": "sulap", "villages": "3"}, "Pilih salah"),
    ],
)
def test_target_form_mistakes(app, runner, data, message):
    """A target that is not a number, a region or a theme is explained in Indonesian."""
    admin = login_admin(app, runner)
    token = csrf_from(admin.client.get("/admin/target").data)

    response = admin.client.post("/admin/target", data={"csrf_token": token, **data})

    text = refused(response, message)
    assert data["villages"] in text
