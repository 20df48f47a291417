"""The registration path end to end, with mails received over real SMTP."""

import time

from sqlalchemy import select

from pamong.accounts.models import User
from pamong.extensions import db
from tests.conftest import csrf_from
from tests.helpers import DESA, Official

PASSWORD = Official(None).password


def path_of(link: str) -> str:
    """Turn a mailed absolute link into a path for the test client."""
    return "/" + link.split("/", 3)[3]


def user_by_email(app, email: str) -> User:
    """Load an account fresh from the database."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge_all()
        return user


def verify_from_mail(client, mailbox, email: str, password: str = PASSWORD):
    """Open the verification link from the mail, type the password and confirm."""
    mail = mailbox.wait_for(email, "Verifikasi email")
    link = path_of(next(link for link in mail.links() if "/verifikasi/" in link))
    page = client.get(link)
    assert page.status_code == 200
    assert b"Verifikasi email" in page.data
    token = csrf_from(page.data) if b"csrf_token" in page.data else ""
    return client.post(
        link,
        data={"csrf_token": token, "name": "Siti Aminah", "password": password},
    )


def admin_client(app, runner):
    """Create an admin with the CLI and return a logged-in client."""
    result = runner.invoke(
        args=["create-admin", "admin@pamong.test", "--password", "admin-rahasia-1"]
    )
    assert "admin@pamong.test" in result.output
    admin = Official(
        app.test_client(), email="admin@pamong.test", password="admin-rahasia-1"
    )
    assert admin.log_in().headers["Location"] == "/admin/"
    return admin


def test_full_path_from_sign_up_to_training(app, client, mailbox, runner):
    """An official signs up, verifies, is approved and sees the training menus."""
    official = Official(client, email="Siti.Aminah+desa@Example.ID")

    response = official.sign_up(verify=False)
    assert response.status_code == 302
    assert response.headers["Location"] == "/daftar/periksa-email"
    email = "siti.aminah+desa@example.id"
    assert email in client.get("/daftar/periksa-email").get_data(as_text=True)

    verified = verify_from_mail(client, mailbox, email)
    assert verified.headers["Location"] == "/daftar/identitas"
    assert user_by_email(app, email).email_verified_at is not None
    assert official.step1().headers["Location"] == "/daftar/jabatan"
    assert official.step2().headers["Location"] == "/daftar/lokasi"
    response = official.step3()
    assert response.headers["Location"] == "/status"

    user = user_by_email(app, email)
    assert user.state == "pending"
    status = client.get("/status")
    assert "sedang diperiksa oleh admin daerah" in status.get_data(as_text=True)

    admin = admin_client(app, runner)
    queue = admin.client.get("/admin/")
    assert b"Siti Aminah" in queue.data
    assert b"5203********0001" in queue.data
    assert b"5203015204850001" not in queue.data

    page = admin.client.get(f"/admin/akun/{user.id}")
    assert b"Desa" in page.data and b"Lombok Timur" in page.data
    response = admin.client.post(
        f"/admin/akun/{user.id}/setujui", data={"csrf_token": csrf_from(page.data)}
    )
    assert response.status_code == 302
    mailbox.wait_for(email, "Pendaftaran disetujui")

    client.post("/keluar", data={"csrf_token": csrf_from(client.get("/status").data)})
    response = official.log_in(email="siti.aminah+desa@example.id")
    assert response.headers["Location"] == "/pelatihan/"
    home = client.get("/pelatihan/")
    assert b"Pelatihan Mandiri" in home.data
    assert b"Pelatihan Tematik" in home.data
    assert b"Pengelolaan Keuangan Desa" in home.data
    assert b"Perencanaan Pembangunan Desa" not in home.data


def test_profile_is_stored_as_entered(app, client, mailbox):
    """Phone in E.164, NIK as text, dates as calendar dates, desa code kept."""
    Official(client).register()
    user = user_by_email(app, "siti.aminah@example.id")
    with app.app_context():
        user = db.session.get(User, user.id)
        profile = user.profile
        assert profile.phone == "+6281234567890"
        assert profile.nik == "5203015204850001"
        assert profile.birth_date.isoformat() == "1985-04-12"
        assert profile.village_code == DESA
        assert profile.sk_document.size > 0
        assert len(profile.sk_document.sha256) == 64
        assert not profile.nik_date_mismatch and not profile.nik_gender_mismatch


def test_login_resumes_at_first_unfinished_step(app, client):
    """Someone who lost the signal after step 1 continues at step 2."""
    official = Official(client)
    official.sign_up()
    official.step1()
    client.post(
        "/keluar", data={"csrf_token": csrf_from(client.get("/daftar/jabatan").data)}
    )

    other_phone = Official(app.test_client())
    response = other_phone.log_in(email=official.email)
    assert response.headers["Location"] == "/daftar/jabatan"
    page = other_phone.client.get("/daftar/identitas")
    assert b'value="5203015204850001"' in page.data


def test_later_step_cannot_be_opened_first(client):
    """Step 3 before step 1 sends the official back to step 1."""
    official = Official(client)
    official.sign_up()
    response = client.get("/daftar/lokasi")
    assert response.headers["Location"] == "/daftar/identitas"


def test_step_can_be_corrected_before_simpan(app, client):
    """Going back to step 1 and changing the phone keeps later steps."""
    official = Official(client)
    official.sign_up()
    official.step1()
    official.step2()
    official.step1(phone="+62 813-1111-2222")
    user = user_by_email(app, official.email)
    with app.app_context():
        profile = db.session.get(User, user.id).profile
        assert profile.phone == "+6281311112222"
        assert profile.position == "kaur_keuangan"


def test_verifying_twice_is_harmless(app, client, mailbox):
    """The second press of the button changes nothing and says so."""
    official = Official(client)
    official.register()
    verify_from_mail(client, mailbox, official.email)
    again = verify_from_mail(client, mailbox, official.email)
    assert again.status_code == 200
    assert user_by_email(app, official.email).state == "pending"


def test_opening_the_link_alone_does_not_verify(app, client, mailbox):
    """A mail scanner that only GETs the link decides nothing."""
    official = Official(client)
    official.sign_up(verify=False)
    mail = mailbox.wait_for(official.email, "Verifikasi email")
    link = path_of(next(link for link in mail.links() if "/verifikasi/" in link))
    assert Official(app.test_client()).client.get(link).status_code == 200
    assert user_by_email(app, official.email).email_verified_at is None
    assert client.get("/daftar/identitas").status_code == 302


def test_tampered_token_is_refused(client):
    """A forged verification link shows a page, not an error."""
    response = client.get("/verifikasi/bukan-token-asli")
    assert response.status_code == 400
    assert b"tidak berlaku" in response.data


def test_resend_verification_mail(app, client, mailbox):
    """An official who lost the mail asks for it again from the Masuk page."""
    official = Official(client)
    official.sign_up(verify=False)
    mailbox.wait_for(official.email, "Verifikasi email")
    login = client.get("/masuk").get_data(as_text=True)
    assert 'href="/verifikasi/kirim-ulang"' in login
    sent = official.post("/verifikasi/kirim-ulang", {"email": official.email})
    assert sent.headers["Location"] == "/daftar/periksa-email"

    deadline = time.monotonic() + 10
    while mailbox.count(official.email, "Verifikasi email") < 2:
        assert time.monotonic() < deadline, "second mail never came"
        time.sleep(0.1)


def test_rejected_official_corrects_and_resubmits(app, client, mailbox, runner):
    """A rejection mails the reason; the corrected registration returns to the queue."""
    official = Official(client)
    official.register()
    verify_from_mail(client, mailbox, official.email)
    user = user_by_email(app, official.email)

    admin = admin_client(app, runner)
    page = admin.client.get(f"/admin/akun/{user.id}")
    reason = "SK yang diunggah milik orang lain. Unggah SK atas nama Anda."
    admin.client.post(
        f"/admin/akun/{user.id}/tolak",
        data={"csrf_token": csrf_from(page.data), "reason": reason},
    )
    mail = mailbox.wait_for(official.email, "Pendaftaran perlu diperbaiki")
    assert reason in mail.body

    status = client.get("/status")
    assert reason.encode() in status.data
    assert official.step3().headers["Location"] == "/status"
    assert user_by_email(app, official.email).state == "pending"
    assert b"Siti Aminah" in admin.client.get("/admin/").data


def test_reject_needs_a_reason(app, client, mailbox, runner):
    """An empty reason is refused next to the field, nothing decided."""
    official = Official(client)
    official.register()
    verify_from_mail(client, mailbox, official.email)
    user = user_by_email(app, official.email)
    admin = admin_client(app, runner)
    page = admin.client.get(f"/admin/akun/{user.id}")
    response = admin.client.post(
        f"/admin/akun/{user.id}/tolak",
        data={"csrf_token": csrf_from(page.data), "reason": "  "},
    )
    assert response.status_code == 422
    assert b"Tulis alasan" in response.data
    assert user_by_email(app, official.email).state == "pending"
