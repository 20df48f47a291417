"""Forged or mistyped values in the admin forms are refused in Bahasa Indonesia."""

import time

import pytest
from sqlalchemy import select

from pamong.accounts.access import PASSWORD_AT
from pamong.admin.models import AuditEntry
from pamong.extensions import db
from tests.admin_helpers import admin_tables, load, login_admin, seed  # noqa: F401
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


@pytest.mark.parametrize(
    "query",
    [
        "sampai=9999-12-31",
        "dari=0001-01-01&sampai=9999-12-31",
        "halaman=99999999999999999999",
        "q=%00",
        "q=Siti%00Aminah",
    ],
)
def test_hand_edited_queue_urls_show_a_page(app, runner, query):
    """Dates at the end of the calendar, huge pages and NULs: a page, never an error."""
    seed(app, 1)
    admin = login_admin(app, runner)

    assert admin.client.get(f"/admin/?{query}").status_code == 200
    assert admin.client.get(f"/admin/audit?{query}").status_code == 200
    assert admin.client.get(f"/admin/ekspor.csv?{query}").status_code == 200


def test_audit_filter_with_a_huge_admin_id(app, runner):
    """An admin id no database integer holds filters nothing and shows the page."""
    admin = login_admin(app, runner)

    response = admin.client.get("/admin/audit?admin=99999999999999999999&halaman=-3")

    assert response.status_code == 200


def test_bulk_approve_skips_ids_that_are_not_ids(app, runner):
    """Superscript digits and oversized numbers are skipped; real ids are approved."""
    first, second = seed(app, 2)
    admin = login_admin(app, runner)
    token = csrf_from(admin.client.get("/admin/").data)

    response = admin.client.post(
        "/admin/setujui-terpilih",
        data={
            "csrf_token": token,
            "pilih": ["²", str(first), "9223372036854775808", str(second), "-1"],
        },
    )

    assert response.status_code == 302
    assert [load(app, first).state, load(app, second).state] == ["approved"] * 2


def test_export_audit_masks_a_nik_inside_the_search(app, runner):
    """A NIK typed with other words is masked in the export's audit entry."""
    admin = login_admin(app, runner)

    admin.client.get("/admin/ekspor.csv?q=cari 5203015204850001 x")

    with app.app_context():
        details = db.session.scalars(
            select(AuditEntry.details).where(AuditEntry.action == "export")
        ).all()
    assert details and "5203015204850001" not in details[0]
    assert "5203********0001" in details[0]


def test_appointing_an_admin_with_an_address_mail_cannot_reach(app, runner):
    """An accented address is refused for a new admin, who could never get mail."""
    admin = login_admin(app, runner)
    token = csrf_from(admin.client.get("/admin/pengelola").data)

    response = admin.client.post(
        "/admin/pengelola",
        data={"csrf_token": token, "email": "ü@desa.id", "name": "Ani", "region": "52"},
    )

    refused(response, "huruf beraksen")
    assert "ü@desa.id" in response.get_data(as_text=True)


def test_setting_a_target_needs_a_recent_password(app, runner):
    """A target set long after the password was typed waits for it, unchanged."""
    admin = login_admin(app, runner)
    token = csrf_from(admin.client.get("/admin/target").data)
    with admin.client.session_transaction() as session:
        session[PASSWORD_AT] = int(time.time()) - 31 * 60

    response = admin.client.post(
        "/admin/target",
        data={
            "csrf_token": token,
            "region": "52",
            "theme": "perencanaan",
            "villages": "9",
        },
    )

    assert response.status_code == 303
    assert response.headers["Location"].startswith("/admin/masuk-ulang")
    assert "9 desa" not in admin.client.get("/admin/target").get_data(as_text=True)
