"""Logging in, password rules, password reset and the lock after failed logins."""

import pytest
from sqlalchemy import select

from pamong.accounts.models import User
from pamong.accounts.passwords import password_problem
from pamong.extensions import db
from pamong.mailer.models import OutboxMail
from tests.conftest import csrf_from
from tests.helpers import Official
from tests.test_registration_flow import path_of


def set_state(app, email: str, state: str) -> None:
    """Change an account's state directly in the database."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        user.state = state
        db.session.commit()


@pytest.mark.parametrize(
    ("password", "refused"),
    [
        ("kopi-tubruk-2026", False),
        ("Sawah Hijau Subur", False),
        ("1234567", True),
        ("password", True),
        ("PASSWORD1", True),
        ("bismillah", True),
        ("  indonesia123 ", True),
        ("siti.aminah", True),
    ],
    ids=[
        "good",
        "spaces",
        "short",
        "common",
        "common-case",
        "indonesian",
        "padded",
        "email-local-part",
    ],
)
def test_password_rules(password, refused):
    """Short, common, and email-like passwords are refused; others pass."""
    problem = password_problem(password, "siti.aminah@example.id", "Siti Aminah")
    assert (problem is not None) == refused


def test_sign_up_refuses_a_common_password(app, client):
    """The message sits next to the password field and the email stays typed."""
    response = Official(client).sign_up(password="12345678")
    assert response.status_code == 200
    assert b'id="password-error"' in response.data
    assert b"terlalu umum" in response.data
    assert b'value="siti.aminah@example.id"' in response.data


def test_password_reset_by_mailed_link(app, client, mailbox):
    """The link sets a new password once; the old one stops working."""
    official = Official(client)
    official.sign_up()
    page = client.get("/daftar/identitas")
    client.post("/keluar", data={"csrf_token": csrf_from(page.data)})

    page = client.get("/lupa-sandi")
    client.post(
        "/lupa-sandi",
        data={"csrf_token": csrf_from(page.data), "email": "SITI.AMINAH@example.id"},
    )
    mail = mailbox.wait_for(official.email, "Atur ulang kata sandi")
    link = path_of(next(link for link in mail.links() if "/sandi-baru/" in link))

    form = client.get(link)
    assert form.status_code == 200
    response = client.post(
        link,
        data={"csrf_token": csrf_from(form.data), "password": "teh-manis-pagi-hari"},
    )
    assert response.headers["Location"] == "/masuk"

    assert client.get(link).status_code == 400
    assert official.log_in(password=official.password).status_code == 200
    response = official.log_in(password="teh-manis-pagi-hari")
    assert response.headers["Location"] == "/daftar/identitas"


def test_forgot_password_answers_the_same_for_unknown_email(app, client, mailbox):
    """No account enumeration: the same page, and no mail for a stranger."""
    page = client.get("/lupa-sandi")
    known = Official(app.test_client())
    known.sign_up()
    answers = []
    for email in ("siti.aminah@example.id", "orang.lain@example.id"):
        response = client.post(
            "/lupa-sandi", data={"csrf_token": csrf_from(page.data), "email": email}
        )
        answers.append(response.data.replace(email.encode(), b"EMAIL"))
    assert answers[0] == answers[1]
    mailbox.wait_for("siti.aminah@example.id", "Atur ulang kata sandi")
    assert mailbox.count("orang.lain@example.id", "Atur ulang kata sandi") == 0


def test_reset_link_dies_when_account_is_suspended(app, client, mailbox):
    """A suspended account's reset link no longer works."""
    official = Official(client)
    official.sign_up()
    other = app.test_client()
    page = other.get("/lupa-sandi")
    other.post(
        "/lupa-sandi",
        data={"csrf_token": csrf_from(page.data), "email": official.email},
    )
    mail = mailbox.wait_for(official.email, "Atur ulang kata sandi")
    link = path_of(next(link for link in mail.links() if "/sandi-baru/" in link))
    set_state(app, official.email, "suspended")
    assert other.get(link).status_code == 400


def test_suspended_account_loses_its_session_at_once(app, client):
    """The next request of a suspended official is treated as logged out."""
    official = Official(client)
    official.sign_up()
    assert client.get("/daftar/identitas").status_code == 200
    set_state(app, official.email, "suspended")
    response = client.get("/daftar/identitas")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/masuk")


def test_repeated_failures_lock_and_the_mail_unlocks(app, client, mailbox):
    """Five wrong passwords lock even the right one out; the mailed link unlocks."""
    official = Official(client)
    official.sign_up()
    stranger = Official(app.test_client(), email=official.email)
    for _ in range(5):
        assert stranger.log_in(password="salah-sekali-123").status_code == 200

    mail = mailbox.wait_for(official.email, "Akun dikunci sementara")
    assert stranger.log_in(password=official.password).status_code == 200

    link = path_of(next(link for link in mail.links() if "/buka-kunci/" in link))
    page = stranger.client.get(link)
    done = stranger.client.post(link, data={"csrf_token": csrf_from(page.data)})
    assert b"Akun sudah dibuka" in done.data
    response = stranger.log_in(password=official.password)
    assert response.headers["Location"] == "/daftar/identitas"


def test_password_change_ends_other_sessions(app, client, mailbox):
    """A session opened before a reset is logged out after it."""
    official = Official(client)
    official.sign_up()
    second_phone = Official(app.test_client())
    second_phone.log_in()
    assert second_phone.client.get("/daftar/identitas").status_code == 200

    page = client.get("/lupa-sandi")
    client.post(
        "/lupa-sandi",
        data={"csrf_token": csrf_from(page.data), "email": official.email},
    )
    mail = mailbox.wait_for(official.email, "Atur ulang kata sandi")
    link = path_of(next(link for link in mail.links() if "/sandi-baru/" in link))
    form = client.get(link)
    client.post(
        link,
        data={"csrf_token": csrf_from(form.data), "password": "teh-manis-pagi-hari"},
    )

    assert second_phone.client.get("/daftar/identitas").status_code == 302


def test_logout_needs_post_and_ends_the_session(app, client):
    """GET on /keluar does nothing; POST logs out."""
    Official(client).sign_up()
    assert client.get("/keluar").status_code == 405
    page = client.get("/daftar/identitas")
    client.post("/keluar", data={"csrf_token": csrf_from(page.data)})
    assert client.get("/daftar/identitas").status_code == 302


def test_remembered_official_stays_logged_in_after_the_browser_closed(app):
    """Tetap masuk: back after closing the browser, page after page, not logged out."""
    Official(app.test_client()).sign_up()
    official = Official(app.test_client())
    official.client.post(
        "/masuk",
        data={
            "csrf_token": csrf_from(official.client.get("/masuk").data),
            "email": official.email,
            "password": official.password,
            "remember": "y",
        },
    )
    official.client.delete_cookie("session")

    for _ in range(3):
        page = official.client.get("/daftar/identitas")
        assert page.status_code == 200
    assert official.client.get_cookie("remember_token") is not None


def ask_for_reset(app, email: str) -> None:
    """Send the Lupa kata sandi form for an address from a fresh client."""
    other = app.test_client()
    page = other.get("/lupa-sandi")
    other.post("/lupa-sandi", data={"csrf_token": csrf_from(page.data), "email": email})


def test_rejected_official_can_reset_the_password(app, client, mailbox):
    """A rejected official who forgot the password gets a working link."""
    official = Official(client)
    official.sign_up()
    set_state(app, official.email, "rejected")

    ask_for_reset(app, official.email)
    mail = mailbox.wait_for(official.email, "Atur ulang kata sandi")
    link = path_of(next(link for link in mail.links() if "/sandi-baru/" in link))
    other = app.test_client()
    form = other.get(link)
    assert form.status_code == 200
    response = other.post(
        link,
        data={"csrf_token": csrf_from(form.data), "password": "teh-manis-pagi-hari"},
    )
    assert response.headers["Location"] == "/masuk"
    assert official.log_in(password="teh-manis-pagi-hari").status_code == 302
    assert other.get(link).status_code == 400


def queued_reset_links(app, email: str) -> list[str]:
    """Return the paths of the reset links queued for an address, oldest first."""
    with app.app_context():
        bodies = db.session.scalars(
            select(OutboxMail.body)
            .where(
                OutboxMail.recipient == email,
                OutboxMail.subject == "Atur ulang kata sandi",
            )
            .order_by(OutboxMail.id)
        ).all()
    return [
        path_of(next(word for word in body.split() if "/sandi-baru/" in word))
        for body in bodies
    ]


def test_suspended_official_gets_no_reset_mail(app, client):
    """A suspended account is not sent a reset link; a rejected one is."""
    app.config["OUTBOX_WORKER"] = False
    official = Official(client)
    official.sign_up()
    set_state(app, official.email, "suspended")
    ask_for_reset(app, official.email)
    assert queued_reset_links(app, official.email) == []

    set_state(app, official.email, "rejected")
    ask_for_reset(app, official.email)
    assert len(queued_reset_links(app, official.email)) == 1


def test_one_address_gets_at_most_five_reset_mails_an_hour(app, client):
    """Asking again and again stops mailing the owner; the answer stays the same."""
    app.config["OUTBOX_WORKER"] = False
    official = Official(client)
    official.sign_up()
    for _ in range(7):
        ask_for_reset(app, official.email)
    assert len(queued_reset_links(app, official.email)) == 5


def test_reset_link_dies_when_the_password_changes_otherwise(app, client):
    """A link mailed before another reset was used stops working after it."""
    app.config["OUTBOX_WORKER"] = False
    official = Official(client)
    official.sign_up()
    ask_for_reset(app, official.email)
    ask_for_reset(app, official.email)
    first, second = queued_reset_links(app, official.email)

    other = app.test_client()
    assert other.get(first).status_code == 200
    form = other.get(second)
    other.post(
        second,
        data={"csrf_token": csrf_from(form.data), "password": "teh-manis-pagi-hari"},
    )
    assert other.get(first).status_code == 400
