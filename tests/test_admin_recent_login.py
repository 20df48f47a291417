"""Admin decisions need a password typed recently in this session."""

import time

import pytest
from sqlalchemy import func, select

from pamong.accounts.access import PASSWORD_AT
from pamong.admin.models import AuditEntry, ReviewDecision
from pamong.extensions import db
from tests.admin_helpers import (
    PASSWORD,
    admin_tables,  # noqa: F401
    load,
    login_admin,
    seed,
)
from tests.conftest import csrf_from
from tests.helpers import Official

pytestmark = pytest.mark.usefixtures("admin_tables")

NIK = "5203015204850042"


def go_stale(admin, minutes: int = 31) -> None:
    """Move the moment the admin typed the password ``minutes`` into the past."""
    with admin.client.session_transaction() as session:
        session[PASSWORD_AT] = int(time.time()) - minutes * 60


def decisions_and_audit(app) -> tuple[int, int]:
    """Count the decisions and the admins' audit entries."""
    with app.app_context():
        decisions = db.session.scalar(select(func.count(ReviewDecision.id)))
        entries = db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.actor_id.is_not(None))
        )
    return decisions, entries


def confirm_url(back: str) -> str:
    """Return the password page's address that leads back to ``back``."""
    from urllib.parse import quote

    return "/admin/masuk-ulang?next=" + quote(back, safe="/?")


DECISIONS = [
    ("/admin/akun/{id}/setujui", {}, "/admin/akun/{id}"),
    ("/admin/akun/{id}/tolak", {"kode": "nik_salah"}, "/admin/akun/{id}"),
    (
        "/admin/akun/{id}/perbaikan",
        {"steps": ["lokasi"], "catatan": "SK buram."},
        "/admin/akun/{id}",
    ),
    ("/admin/akun/{id}/nik", {}, "/admin/akun/{id}"),
    (
        "/admin/setujui-terpilih",
        {"pilih": ["{id}"], "kembali": "/admin/?jabatan=kaur_keuangan"},
        "/admin/?jabatan=kaur_keuangan",
    ),
]


@pytest.mark.parametrize(("url", "data", "back"), DECISIONS)
def test_a_stale_login_decides_nothing(app, runner, url, data, back):
    """Each decision on an account asks for the password and changes nothing."""
    (user_id,) = seed(app, 1, nik=NIK)
    admin = login_admin(app, runner)
    token = csrf_from(admin.client.get(f"/admin/akun/{user_id}").data)
    go_stale(admin)

    fill = {
        key: [item.format(id=user_id) for item in value]
        if isinstance(value, list)
        else value
        for key, value in data.items()
    }
    response = admin.client.post(
        url.format(id=user_id), data={"csrf_token": token, **fill}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == confirm_url(back.format(id=user_id))
    assert NIK.encode() not in response.data
    assert load(app, user_id).state == "pending"
    assert decisions_and_audit(app) == (0, 0)


def test_confirming_the_password_returns_to_the_account(app, mailbox, runner):
    """A wrong password keeps the page; the right one leads back, then it decides."""
    (user_id,) = seed(app, 1, email="tunggu@example.id")
    admin = login_admin(app, runner)
    token = csrf_from(admin.client.get(f"/admin/akun/{user_id}").data)
    go_stale(admin)
    sent = admin.client.post(
        f"/admin/akun/{user_id}/setujui", data={"csrf_token": token}
    )
    page = admin.client.get(sent.headers["Location"])
    assert page.status_code == 200
    assert "Masukkan lagi kata sandi" in page.data.decode()
    assert "Belum ada yang diubah" in page.data.decode()
    assert "30 menit" in page.data.decode()

    wrong = admin.client.post(
        sent.headers["Location"],
        data={"csrf_token": csrf_from(page.data), "password": "bukan-ini"},
    )
    assert wrong.status_code == 422
    assert "Kata sandi salah" in wrong.data.decode()
    again = admin.client.post(
        f"/admin/akun/{user_id}/setujui", data={"csrf_token": token}
    )
    assert again.headers["Location"].startswith("/admin/masuk-ulang")

    right = admin.client.post(
        sent.headers["Location"],
        data={"csrf_token": csrf_from(page.data), "password": PASSWORD},
    )
    assert right.status_code == 303
    assert right.headers["Location"] == f"/admin/akun/{user_id}"
    assert load(app, user_id).state == "pending"

    decided = admin.client.post(
        f"/admin/akun/{user_id}/setujui", data={"csrf_token": token}
    )
    assert decided.headers["Location"] == "/admin/"
    assert load(app, user_id).state == "approved"


def test_the_limit_comes_from_the_configuration(app, runner):
    """ADMIN_RECENT_LOGIN_MINUTES sets how long a typed password lasts."""
    (user_id,) = seed(app, 1)
    admin = login_admin(app, runner)
    token = csrf_from(admin.client.get(f"/admin/akun/{user_id}").data)
    assert app.config["ADMIN_RECENT_LOGIN_MINUTES"] == 30
    app.config["ADMIN_RECENT_LOGIN_MINUTES"] = 60
    go_stale(admin, minutes=45)
    response = admin.client.post(
        f"/admin/akun/{user_id}/setujui", data={"csrf_token": token}
    )
    assert response.headers["Location"] == "/admin/"
    assert load(app, user_id).state == "approved"


def test_a_remembered_session_is_never_recent(app, runner):
    """Back through the remember-me cookie alone, the admin decides nothing,
    even with a recent time in the session: the login is not fresh."""
    (user_id,) = seed(app, 1)
    runner.invoke(args=["create-admin", "ingat@pamong.test", "--password", PASSWORD])
    admin = Official(app.test_client(), email="ingat@pamong.test", password=PASSWORD)
    admin.client.post(
        "/masuk",
        data={
            "csrf_token": csrf_from(admin.client.get("/masuk").data),
            "email": admin.email,
            "password": PASSWORD,
            "remember": "y",
        },
    )
    assert admin.client.get_cookie("remember_token") is not None
    admin.client.delete_cookie("session")
    page = admin.client.get(f"/admin/akun/{user_id}")
    assert page.status_code == 200
    with admin.client.session_transaction() as session:
        session[PASSWORD_AT] = int(time.time())

    response = admin.client.post(
        f"/admin/akun/{user_id}/setujui", data={"csrf_token": csrf_from(page.data)}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == confirm_url(f"/admin/akun/{user_id}")
    assert load(app, user_id).state == "pending"
    assert (
        "Masukkan lagi kata sandi"
        in admin.client.get(response.headers["Location"]).data.decode()
    )


def test_htmx_nik_reveal_loads_the_password_page(app, runner):
    """The Tampilkan NIK button, when stale, sends the browser to the password page."""
    (user_id,) = seed(app, 1, nik=NIK)
    admin = login_admin(app, runner)
    token = csrf_from(admin.client.get(f"/admin/akun/{user_id}").data)
    go_stale(admin)
    response = admin.client.post(
        f"/admin/akun/{user_id}/nik",
        data={"csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert response.headers["HX-Redirect"] == confirm_url(f"/admin/akun/{user_id}")
    assert NIK.encode() not in response.data
    assert decisions_and_audit(app) == (0, 0)


def test_appointing_and_removing_admins_need_a_recent_login(app, mailbox, runner):
    """The staff page's two decisions ask for the password when stale."""
    national = login_admin(app, runner)
    page = national.client.get("/admin/pengelola")
    token = csrf_from(page.data)
    go_stale(national)
    appoint = national.client.post(
        "/admin/pengelola",
        data={
            "csrf_token": token,
            "email": "ntb@pamong.test",
            "name": "Admin NTB",
            "region": "52",
        },
    )
    assert appoint.headers["Location"] == confirm_url("/admin/pengelola")
    with app.app_context():
        from pamong.accounts.services import find_by_email

        assert find_by_email("ntb@pamong.test") is None

    login_admin(app, runner, "bali@pamong.test", "provinsi", "51")
    bali = national.client.get("/admin/pengelola").data.decode()
    assert "bali@pamong.test" in bali
    other_id = int(bali.split("/admin/pengelola/")[1].split("/")[0])
    remove = national.client.post(
        f"/admin/pengelola/{other_id}/cabut", data={"csrf_token": token}
    )
    assert remove.headers["Location"] == confirm_url("/admin/pengelola")
    assert load(app, other_id).state != "suspended"


def test_the_password_page_never_leads_off_the_desk(app, runner):
    """A ``next`` that names another site or page leads to the queue."""
    admin = login_admin(app, runner)
    for target in ("https://contoh.example/", "//contoh.example/admin/", "/status"):
        page = admin.client.get(confirm_url(target))
        response = admin.client.post(
            confirm_url(target),
            data={"csrf_token": csrf_from(page.data), "password": PASSWORD},
        )
        assert response.headers["Location"] == "/admin/"


def test_only_admins_reach_the_password_page(app, mailbox, runner):
    """An official is refused; nobody logged in is sent to Masuk."""
    assert app.test_client().get("/admin/masuk-ulang").status_code == 302
    official = Official(app.test_client())
    official.sign_up()
    assert official.client.get("/admin/masuk-ulang").status_code == 403
