"""An official who mistyped the email at sign-up corrects it before verifying."""

import uuid

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from pamong.accounts import services
from pamong.accounts.models import AccountEvent, User
from pamong.extensions import db
from pamong.mailer.models import OutboxMail
from tests.conftest import _settings, csrf_from, empty_tables
from tests.helpers import Official
from tests.test_accounts import set_state
from tests.test_registration_flow import path_of, user_by_email, verify_from_mail

WRONG = "budi@gmial.com"
RIGHT = "budi@gmail.com"


def registered_budi(client, mailbox) -> tuple[Official, str]:
    """Register with the mistyped address and return the link mailed to it."""
    official = Official(client, email=WRONG, name="Budi Santoso")
    assert official.register().headers["Location"] == "/status"
    mail = mailbox.wait_for(WRONG, "Verifikasi email")
    return official, path_of(next(x for x in mail.links() if "/verifikasi/" in x))


def change(official: Official, email: str, password: str | None = None):
    """Send the Ganti alamat email form."""
    return official.post(
        "/akun/email",
        {"email": email, "password": password or official.password},
    )


def outbox_to(app, email: str) -> int:
    """Count the mails queued for an address."""
    with app.app_context():
        return len(
            db.session.scalars(
                select(OutboxMail).where(OutboxMail.recipient == email)
            ).all()
        )


def test_new_address_gets_a_working_link_and_the_old_link_dies(app, client, mailbox):
    """The link goes to the corrected address and verifies; the old one fails."""
    official, old_link = registered_budi(client, mailbox)
    status = client.get("/status")
    assert b"Salah alamat email?" in status.data
    assert b'href="/akun/email"' in status.data

    page = client.get("/akun/email")
    assert page.status_code == 200
    assert "Ganti alamat email" in page.get_data(as_text=True)
    response = change(official, "Budi@GMAIL.com")
    assert response.status_code == 302
    assert response.headers["Location"] == "/status"
    status = client.get("/status").get_data(as_text=True)
    assert f"Alamat email diganti menjadi {RIGHT}" in status

    user = user_by_email(app, RIGHT)
    assert user is not None and user.email_verified_at is None
    assert user_by_email(app, WRONG) is None
    with app.app_context():
        actions = db.session.scalars(
            select(AccountEvent.action).where(AccountEvent.user_id == user.id)
        ).all()
    assert "email_changed" in actions

    dead = client.get(old_link)
    assert dead.status_code == 400
    assert "Tautan verifikasi tidak berlaku" in dead.get_data(as_text=True)
    assert client.post(old_link, data={"csrf_token": csrf_from(status.encode())})
    assert user_by_email(app, RIGHT).email_verified_at is None

    verified = verify_from_mail(client, mailbox, RIGHT)
    assert b"Email terverifikasi" in verified.data
    assert user_by_email(app, RIGHT).state == "pending"
    assert client.get(old_link).status_code == 400


def test_change_before_the_steps_are_done_mails_later_to_the_new_address(
    app, client, mailbox
):
    """Before step 3 no mail goes out; the one at submission goes to the new one."""
    official = Official(client, email=WRONG)
    official.sign_up()
    assert change(official, RIGHT).headers["Location"] == "/status"
    assert outbox_to(app, RIGHT) == 0

    official.email = RIGHT
    official.step1()
    official.step2()
    assert official.step3().headers["Location"] == "/status"
    assert outbox_to(app, RIGHT) == 1
    assert outbox_to(app, WRONG) == 0
    assert b"Email terverifikasi" in verify_from_mail(client, mailbox, RIGHT).data


def test_wrong_password_is_refused_at_the_field(app, client, mailbox):
    """Without the current password the address stays, and what was typed stays."""
    official, _ = registered_budi(client, mailbox)
    page = change(official, RIGHT, password="bukan-sandi-saya")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<p class="error" id="password-error">Kata sandi salah.</p>' in html
    assert f'value="{RIGHT}"' in html
    assert user_by_email(app, WRONG) is not None
    assert outbox_to(app, RIGHT) == 0


def test_taken_or_malformed_address_is_refused(app, client, mailbox):
    """An address of another account is refused like sign-up refuses it."""
    Official(app.test_client(), email="other@example.id").sign_up()
    official, _ = registered_budi(client, mailbox)

    page = change(official, "Other@Example.ID")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="email-error">Email ini sudah terdaftar.' in html
    assert 'value="Other@Example.ID"' in html

    page = change(official, "budi@gmail")
    assert 'id="email-error">Alamat email tidak valid.' in page.get_data(as_text=True)
    page = change(official, "büdi@gmail.com")
    assert 'id="email-error">Alamat email dengan huruf beraksen' in page.get_data(
        as_text=True
    )
    page = change(official, WRONG.upper())
    assert 'id="email-error">Ini alamat email Anda sekarang.' in page.get_data(
        as_text=True
    )
    assert user_by_email(app, WRONG) is not None
    assert outbox_to(app, WRONG) == 1


def test_page_closes_once_the_address_is_verified(app, client, mailbox):
    """After verification the page and the form send the official to the status."""
    official, _ = registered_budi(client, mailbox)
    page = client.get("/akun/email")
    verify_from_mail(client, mailbox, WRONG)

    assert client.get("/akun/email").headers["Location"] == "/status"
    response = client.post(
        "/akun/email",
        data={
            "csrf_token": csrf_from(page.data),
            "email": RIGHT,
            "password": official.password,
        },
    )
    assert response.headers["Location"] == "/status"
    assert user_by_email(app, WRONG).email_verified_at is not None
    assert b"Salah alamat email?" not in client.get("/status").data


def test_suspended_account_cannot_change(app, client, mailbox):
    """A suspended official is logged out and the service refuses too."""
    official, _ = registered_budi(client, mailbox)
    page = client.get("/akun/email")
    set_state(app, WRONG, "suspended")

    response = client.post(
        "/akun/email",
        data={
            "csrf_token": csrf_from(page.data),
            "email": RIGHT,
            "password": official.password,
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/masuk")
    assert user_by_email(app, WRONG) is not None
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == WRONG))
        assert not services.may_change_email(user)


def test_form_needs_the_csrf_token(app, client, mailbox):
    """A forged post without the token changes nothing."""
    official, _ = registered_budi(client, mailbox)
    response = client.post(
        "/akun/email", data={"email": RIGHT, "password": official.password}
    )
    assert response.status_code == 400
    assert user_by_email(app, WRONG) is not None


def test_old_format_tokens_are_refused_cleanly(app, client, mailbox):
    """A signed link without the address, or with a bare id, is not valid."""
    registered_budi(client, mailbox)
    user = user_by_email(app, WRONG)
    signer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="verify-email")
    for payload in ({"id": user.id}, user.id, {"id": user.id, "email": None}):
        page = client.get(f"/verifikasi/{signer.dumps(payload)}")
        assert page.status_code == 400
        assert "Tautan verifikasi tidak berlaku" in page.get_data(as_text=True)


@pytest.fixture
def limited_app(database_url, smtp, tmp_path):
    """The app with rate limits on, counted in memory."""
    from pamong import create_app
    from pamong.extensions import limiter

    settings = _settings(database_url, tmp_path, smtp.port)
    settings.update(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
        OUTBOX_WORKER=False,
    )
    app = create_app(settings)
    yield app
    with app.app_context():
        limiter.reset()
    empty_tables(app)


def test_password_guessing_is_throttled_per_account(limited_app):
    """Five tries an hour per account; another account on the same network goes on."""
    guesser = Official(limited_app.test_client(), email=WRONG)
    guesser.sign_up()
    answers = [
        change(guesser, RIGHT, password=f"tebakan-{n}").status_code for n in range(6)
    ]
    assert answers == [200] * 5 + [429]

    neighbour = Official(limited_app.test_client(), email="tetangga@example.id")
    neighbour.sign_up()
    assert change(neighbour, "tetangga@gmail.com").status_code == 302
