"""Bekukan akun: an admin freezes an official's account, and reinstates it."""

import time

import pytest
from sqlalchemy import select

from pamong.accounts.access import PASSWORD_AT
from pamong.accounts.models import AccountEvent, User
from pamong.admin.audit import details_of
from pamong.admin.models import AuditEntry
from pamong.core.time import utcnow
from pamong.extensions import db
from tests.admin_helpers import (
    BARAT,
    PASSWORD,
    admin_tables,  # noqa: F401
    load,
    login_admin,
    register_pending,
    seed,
    user_by_email,
)
from tests.conftest import csrf_from
from tests.helpers import Official

pytestmark = pytest.mark.usefixtures("admin_tables")

REASON = "SK yang diunggah ternyata milik orang lain & sedang diperiksa."
SUBJECT_SUSPENDED = "Akun LMS Pamong Desa Anda dibekukan"
SUBJECT_REINSTATED = "Akun LMS Pamong Desa Anda aktif lagi"


def audit_of(app, user_id: int) -> list[tuple[str, dict]]:
    """Return the audit entries on an account, oldest first, with details."""
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.target_user_id == user_id)
            .order_by(AuditEntry.id)
        ).all()
        return [(entry.action, details_of(entry)) for entry in entries]


def history_of(app, user_id: int) -> list[tuple[str, str | None]]:
    """Return the account's history lines as (action, note)."""
    with app.app_context():
        events = db.session.scalars(
            select(AccountEvent)
            .where(AccountEvent.user_id == user_id)
            .order_by(AccountEvent.id)
        ).all()
        return [(event.action, event.note) for event in events]


def act(admin, user_id: int, what: str, **data):
    """Send the suspend (``bekukan``) or reinstate (``aktifkan``) form."""
    token = csrf_from(admin.client.get(f"/admin/akun/{user_id}").data)
    return admin.client.post(
        f"/admin/akun/{user_id}/{what}", data={"csrf_token": token, **data}
    )


def remembered(app, email: str, password: str) -> Official:
    """Log in with "Tetap masuk", then drop the session cookie: remember-me only."""
    official = Official(app.test_client(), email=email, password=password)
    official.client.post(
        "/masuk",
        data={
            "csrf_token": csrf_from(official.client.get("/masuk").data),
            "email": email,
            "password": password,
            "remember": "y",
        },
    )
    assert official.client.get_cookie("remember_token") is not None
    official.client.delete_cookie("session")
    return official


def test_suspension_ends_every_session_and_login(app, runner, mailbox):
    """Both the open session and the remember-me cookie are refused at once."""
    user_id = register_pending(app, mailbox, email="beku@example.id")
    official = Official(app.test_client(), email="beku@example.id")
    assert official.log_in().headers["Location"] == "/status"
    assert official.client.get("/status").status_code == 200
    kept = remembered(app, official.email, official.password)
    assert kept.client.get("/status").status_code == 200

    key = load(app, user_id).session_key
    admin = login_admin(app, runner)
    response = act(admin, user_id, "bekukan", alasan=f"  {REASON}  ")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/akun/{user_id}"
    page = admin.client.get(response.headers["Location"]).data.decode()
    assert "dibekukan; semua sesinya berakhir" in page
    assert "Aktifkan lagi" in page
    assert "Menunggu pemeriksaan" in page

    for client in (official.client, kept.client):
        refused = client.get("/status")
        assert refused.status_code == 302
        assert refused.headers["Location"].startswith("/masuk")
    login = official.log_in()
    assert login.status_code == 200
    assert "Location" not in login.headers
    assert "Akun ini dibekukan oleh admin" in login.get_data(as_text=True)
    wrong = official.log_in(password="bukan-sandinya-1")
    assert "Akun ini dibekukan" not in wrong.get_data(as_text=True)
    assert "Email atau kata sandi salah" in wrong.get_data(as_text=True)
    assert load(app, user_id).state == "suspended"
    assert load(app, user_id).session_key != key


def test_suspension_is_recorded_and_mailed(app, runner, mailbox):
    """History, audit (with the state before) and a mail naming the admin daerah."""
    (user_id,) = seed(app, 1, state="approved", email="tercatat@example.id")
    runner.invoke(
        args=[
            "create-admin",
            "kab.timur@pamong.test",
            "--name",
            "Admin Lombok Timur",
            "--password",
            PASSWORD,
            "--level",
            "kabupaten",
            "--region",
            "52.03",
        ]
    )
    admin = login_admin(app, runner)
    act(admin, user_id, "bekukan", alasan=REASON)

    assert ("suspended", REASON) in history_of(app, user_id)
    action, details = audit_of(app, user_id)[-1]
    assert action == "account_suspended"
    assert details["previous_state"] == "approved"
    assert details["reason"] == REASON
    audit_page = admin.client.get("/admin/audit").data.decode()
    assert "Membekukan akun" in audit_page

    mail = mailbox.wait_for("tercatat@example.id", SUBJECT_SUSPENDED)
    assert "Akun LMS Pamong Desa Anda dibekukan oleh admin" in mail.body
    assert REASON in mail.body
    assert "Admin Lombok Timur <kab.timur@pamong.test>" in mail.body
    assert "admin@pamong.test" not in mail.body
    page = admin.client.get(f"/admin/akun/{user_id}").data.decode()
    assert "Akun dibekukan oleh Admin Pamong Desa: " in page


def test_without_a_regional_admin_the_mail_names_the_acting_one(app, runner, mailbox):
    """An official with no admin daerah is told to contact the admin who acted."""
    (user_id,) = seed(app, 1, email="sendiri@example.id")
    admin = login_admin(app, runner)
    act(admin, user_id, "bekukan", alasan=REASON)
    mail = mailbox.wait_for("sendiri@example.id", SUBJECT_SUSPENDED)
    assert "Admin Pamong Desa <admin@pamong.test>" in mail.body


def test_reinstating_returns_the_state_and_the_login(app, runner, mailbox):
    """Aktifkan lagi: back to pending, the official logs in and is told by mail."""
    user_id = register_pending(app, mailbox, email="kembali@example.id")
    official = Official(app.test_client(), email="kembali@example.id")
    admin = login_admin(app, runner)
    act(admin, user_id, "bekukan", alasan=REASON)
    assert official.log_in().status_code == 200

    response = act(admin, user_id, "aktifkan")
    assert response.status_code == 303
    assert load(app, user_id).state == "pending"
    assert official.log_in().headers["Location"] == "/status"
    mail = mailbox.wait_for("kembali@example.id", SUBJECT_REINSTATED)
    assert "sudah diaktifkan lagi oleh admin" in mail.body
    assert "/masuk" in mail.body
    assert audit_of(app, user_id)[-1] == ("account_reinstated", {"state": "pending"})
    assert history_of(app, user_id)[-1] == ("reinstated", None)
    page = admin.client.get(f"/admin/akun/{user_id}").data.decode()
    assert "Akun diaktifkan lagi oleh" in page
    assert "Bekukan akun" in page


@pytest.mark.parametrize("state", ["approved", "rejected", "registered"])
def test_each_state_comes_back(app, runner, state):
    """Whatever the state before, reinstating returns exactly that state."""
    (user_id,) = seed(app, 1, state=state)
    admin = login_admin(app, runner)
    act(admin, user_id, "bekukan", alasan=REASON)
    assert load(app, user_id).state == "suspended"
    page = admin.client.get(f"/admin/akun/{user_id}").data.decode()
    assert "kembali ke status" in page
    act(admin, user_id, "aktifkan")
    assert load(app, user_id).state == state


def test_a_suspended_account_leaves_the_pending_queue(app, runner):
    """The pending count drops by one and the suspended count appears."""
    ids = seed(app, 3, name="Perangkat Antre")
    admin = login_admin(app, runner)
    assert "Menunggu pemeriksaan: 3" in admin.client.get("/admin/").data.decode()
    act(admin, ids[0], "bekukan", alasan=REASON)
    queue = admin.client.get("/admin/").data.decode()
    assert "Menunggu pemeriksaan: 2" in queue
    assert "Dibekukan: 1" in queue


def test_twice_changes_nothing_more(app, runner, mailbox):
    """A second suspension, or reinstating an active account, is only a message."""
    (user_id,) = seed(app, 1, state="approved", email="dua@example.id")
    admin = login_admin(app, runner)
    token = csrf_from(admin.client.get(f"/admin/akun/{user_id}").data)
    data = {"csrf_token": token, "alasan": REASON}
    admin.client.post(f"/admin/akun/{user_id}/bekukan", data=data)
    again = admin.client.post(f"/admin/akun/{user_id}/bekukan", data=data)
    assert (
        "sudah dibekukan sebelumnya"
        in admin.client.get(again.headers["Location"]).data.decode()
    )
    assert [action for action, _ in audit_of(app, user_id)] == ["account_suspended"]
    mailbox.wait_for("dua@example.id", SUBJECT_SUSPENDED)
    assert mailbox.count("dua@example.id", SUBJECT_SUSPENDED) == 1

    admin.client.post(f"/admin/akun/{user_id}/aktifkan", data=data)
    again = admin.client.post(f"/admin/akun/{user_id}/aktifkan", data=data)
    assert (
        "tidak sedang dibekukan"
        in admin.client.get(again.headers["Location"]).data.decode()
    )
    assert load(app, user_id).state == "approved"
    assert len(audit_of(app, user_id)) == 2


def test_a_missing_reason_is_asked_for_next_to_the_field(app, runner):
    """No reason: 422, the Indonesian error tied to the field, nothing changed."""
    (user_id,) = seed(app, 1, state="approved")
    admin = login_admin(app, runner)
    response = act(admin, user_id, "bekukan", alasan="   ")
    assert response.status_code == 422
    page = response.data.decode()
    assert (
        '<p class="error" id="alasan-error">Tulis alasan pembekuan agar pemilik '
        "akun tahu sebabnya.</p>" in page
    )
    assert 'aria-describedby="alasan-help alasan-error"' in page
    assert load(app, user_id).state == "approved"
    assert audit_of(app, user_id) == []


def test_a_reason_too_long_stays_typed(app, runner):
    """A reason over 1000 characters is refused and shown again as typed."""
    (user_id,) = seed(app, 1, state="approved")
    admin = login_admin(app, runner)
    typed = "Pemalsuan SK " + "x" * 1000
    response = act(admin, user_id, "bekukan", alasan=typed)
    assert response.status_code == 422
    page = response.data.decode()
    assert "Alasan paling panjang 1000 karakter." in page
    assert typed in page
    assert load(app, user_id).state == "approved"


def test_out_of_scope_and_admins_answer_404(app, runner):
    """Another kabupaten's admin, or an admin account, is not found."""
    (timur,) = seed(app, 1, state="approved")
    (barat,) = seed(app, 1, state="suspended", village=BARAT["desa"])
    national = login_admin(app, runner)
    other = login_admin(app, runner, "kab.barat@pamong.test", "kabupaten", "52.01")
    token = csrf_from(other.client.get(f"/admin/akun/{barat}").data)

    for user_id, what in ((timur, "bekukan"), (timur, "aktifkan")):
        response = other.client.post(
            f"/admin/akun/{user_id}/{what}",
            data={"csrf_token": token, "alasan": REASON},
        )
        assert response.status_code == 404
    assert load(app, timur).state == "approved"

    barat_admin = user_by_email(app, "kab.barat@pamong.test")
    token = csrf_from(national.client.get(f"/admin/akun/{timur}").data)
    response = national.client.post(
        f"/admin/akun/{barat_admin.id}/bekukan",
        data={"csrf_token": token, "alasan": REASON},
    )
    assert response.status_code == 404
    assert user_by_email(app, "kab.barat@pamong.test").state != "suspended"
    assert other.client.get("/admin/").status_code == 200
    assert audit_of(app, timur) == []
    assert [action for action, _ in audit_of(app, barat_admin.id)] == [
        "admin_appointed"
    ]


@pytest.mark.parametrize("what", ["bekukan", "aktifkan"])
def test_a_stale_login_changes_nothing(app, runner, what):
    """An old login is sent to the password page first; the state stays."""
    state = "approved" if what == "bekukan" else "suspended"
    (user_id,) = seed(app, 1, state=state)
    admin = login_admin(app, runner)
    token = csrf_from(admin.client.get(f"/admin/akun/{user_id}").data)
    with admin.client.session_transaction() as session:
        session[PASSWORD_AT] = int(time.time()) - 31 * 60

    response = admin.client.post(
        f"/admin/akun/{user_id}/{what}", data={"csrf_token": token, "alasan": REASON}
    )
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/admin/masuk-ulang?next=")
    assert load(app, user_id).state == state
    assert audit_of(app, user_id) == []
    assert history_of(app, user_id) == []


def test_an_address_verified_while_frozen_goes_to_the_queue(app, runner):
    """Suspended unverified, verified meanwhile: reinstating queues it as pending."""
    (user_id,) = seed(app, 1, state="submitted", email_verified=False)
    admin = login_admin(app, runner)
    act(admin, user_id, "bekukan", alasan=REASON)
    with app.app_context():
        user = db.session.get(User, user_id)
        user.email_verified_at = utcnow()
        db.session.commit()
    act(admin, user_id, "aktifkan")
    assert load(app, user_id).state == "pending"


def test_a_suspension_without_its_entry_returns_to_the_registration(app, runner):
    """Frozen with no audit entry (older data): back to where the steps stand."""
    (user_id,) = seed(app, 1, state="suspended")
    (unfinished,) = seed(app, 1, state="suspended", email_verified=False)
    with app.app_context():
        db.session.get(User, unfinished).submitted_at = None
        db.session.commit()
    admin = login_admin(app, runner)
    act(admin, user_id, "aktifkan")
    act(admin, unfinished, "aktifkan")
    assert load(app, user_id).state == "pending"
    assert load(app, unfinished).state == "registered"
