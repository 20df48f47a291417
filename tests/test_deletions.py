"""National admins carry out the deletions officials ask for."""

import time

import pytest
from sqlalchemy import func, select

from pamong.accounts.access import PASSWORD_AT
from pamong.accounts.models import User
from pamong.admin.models import AuditEntry
from pamong.documents.models import Document
from pamong.extensions import db
from tests.admin_helpers import admin_tables, login_admin  # noqa: F401
from tests.conftest import csrf_from
from tests.helpers import Official
from tests.test_concurrency import run_together
from tests.test_privacy import stored_files

pytestmark = pytest.mark.usefixtures("admin_tables")


def asking(app, email: str, nik: str) -> Official:
    """Register an official who then asks for deletion from the status page."""
    official = Official(app.test_client(), email=email)
    official.identity["nik"] = nik
    official.register()
    page = official.client.get("/status")
    official.client.post("/data-saya/hapus", data={"csrf_token": csrf_from(page.data)})
    return official


def user_id_of(app, email: str) -> int | None:
    """The id of the account with this address, if it still exists."""
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def test_national_admin_sees_requests_with_masked_nik(app, runner):
    """The list names who asked, oldest first, and never shows a whole NIK."""
    asking(app, "pertama@example.id", "5203015204850001")
    asking(app, "kedua@example.id", "5203015204850002")
    Official(app.test_client(), email="tetap@example.id").sign_up()
    admin = login_admin(app, runner)

    page = admin.client.get("/admin/penghapusan/").get_data(as_text=True)

    assert page.index("pertama@example.id") < page.index("kedua@example.id")
    assert "tetap@example.id" not in page
    assert "5203********0001" in page
    assert "5203015204850001" not in page


@pytest.mark.parametrize(
    ("level", "region"), [("provinsi", "52"), ("kabupaten", "52.03")]
)
def test_regional_admins_cannot_delete(app, runner, level, region):
    """Only a national admin may see the list or delete."""
    asking(app, "pertama@example.id", "5203015204850001")
    admin = login_admin(app, runner, "daerah@pamong.test", level, region)
    user_id = user_id_of(app, "pertama@example.id")

    assert admin.client.get("/admin/penghapusan/").status_code == 403
    page = admin.client.get("/admin/")
    answer = admin.client.post(
        f"/admin/penghapusan/{user_id}",
        data={"csrf_token": csrf_from(page.data), "sure": "y"},
    )
    assert answer.status_code == 403
    assert user_id_of(app, "pertama@example.id") == user_id


def test_deletion_needs_the_box_ticked(app, runner):
    """Without the confirmation nothing is deleted and the box says why."""
    asking(app, "pertama@example.id", "5203015204850001")
    admin = login_admin(app, runner)
    page = admin.client.get("/admin/penghapusan/")
    user_id = user_id_of(app, "pertama@example.id")

    answer = admin.client.post(
        f"/admin/penghapusan/{user_id}", data={"csrf_token": csrf_from(page.data)}
    )

    assert answer.status_code == 422
    assert "Centang kotak ini" in answer.get_data(as_text=True)
    assert user_id_of(app, "pertama@example.id") == user_id
    assert len(stored_files(app)) == 1


def test_deleting_removes_everything_audits_and_mails(app, runner, mailbox):
    """The account, its rows and SK go; the audit keeps who did it; a mail says so."""
    asking(app, "pertama@example.id", "5203015204850001")
    asking(app, "kedua@example.id", "5203015204850002")
    admin = login_admin(app, runner)
    page = admin.client.get("/admin/penghapusan/")
    user_id = user_id_of(app, "pertama@example.id")

    answer = admin.client.post(
        f"/admin/penghapusan/{user_id}",
        data={"csrf_token": csrf_from(page.data), "sure": "y"},
        follow_redirects=True,
    )

    text = answer.get_data(as_text=True)
    assert "Akun pertama@example.id sudah dihapus" in text
    assert "kedua@example.id" in text
    assert user_id_of(app, "pertama@example.id") is None
    assert user_id_of(app, "kedua@example.id") is not None
    assert len(stored_files(app)) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Document)) == 1
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "account_deleted")
        )
        assert (entry.actor_email, entry.target_user_id) == (
            "admin@pamong.test",
            user_id,
        )
        assert "pertama@example.id" not in entry.details
    mail = mailbox.wait_for(
        "pertama@example.id", "Akun LMS Pamong Desa Anda sudah dihapus"
    )
    assert "sudah dihapus" in mail.body


def test_account_without_request_is_not_deleted(app, runner):
    """An id of an official who did not ask answers 404 and stays."""
    official = Official(app.test_client(), email="tetap@example.id")
    official.register()
    admin = login_admin(app, runner)
    page = admin.client.get("/admin/penghapusan/")
    user_id = user_id_of(app, "tetap@example.id")

    answer = admin.client.post(
        f"/admin/penghapusan/{user_id}",
        data={"csrf_token": csrf_from(page.data), "sure": "y"},
    )

    assert answer.status_code == 404
    assert user_id_of(app, "tetap@example.id") == user_id


def test_deletion_needs_a_recent_password(app, runner):
    """An admin whose password was typed long ago deletes nothing until typing it."""
    asking(app, "pertama@example.id", "5203015204850001")
    admin = login_admin(app, runner)
    page = admin.client.get("/admin/penghapusan/")
    user_id = user_id_of(app, "pertama@example.id")
    with admin.client.session_transaction() as session:
        session[PASSWORD_AT] = int(time.time()) - 31 * 60

    answer = admin.client.post(
        f"/admin/penghapusan/{user_id}",
        data={"csrf_token": csrf_from(page.data), "sure": "y"},
    )

    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/admin/masuk-ulang?next=")
    assert user_id_of(app, "pertama@example.id") == user_id


def test_two_admins_deleting_at_once_delete_and_mail_once(app, runner, mailbox):
    """Pressed by two national admins together: one deletion, one mail, one audit."""
    asking(app, "pertama@example.id", "5203015204850001")
    admins = [
        login_admin(app, runner, "satu@pamong.test"),
        login_admin(app, runner, "dua@pamong.test"),
    ]
    tokens = [csrf_from(a.client.get("/admin/penghapusan/").data) for a in admins]
    user_id = user_id_of(app, "pertama@example.id")

    def delete(admin, token):
        """Press the button with a token fetched beforehand."""
        return admin.client.post(
            f"/admin/penghapusan/{user_id}", data={"csrf_token": token, "sure": "y"}
        )

    answers = run_together(
        [lambda a=a, t=t: delete(a, t) for a, t in zip(admins, tokens, strict=True)]
    )

    assert sorted(answer.status_code for answer in answers) in ([302, 302], [302, 404])
    assert user_id_of(app, "pertama@example.id") is None
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "account_deleted")
        ).all()
    assert len(entries) == 1
    subject = "Akun LMS Pamong Desa Anda sudah dihapus"
    mailbox.wait_for("pertama@example.id", subject)
    time.sleep(2)
    assert mailbox.count("pertama@example.id", subject) == 1
