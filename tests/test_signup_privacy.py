"""Signing up tells nobody which addresses already have an account.

Mails are received over real SMTP and their links followed; the answers a
stranger sees are compared byte for byte where they can be.
"""

import re

import pytest
from sqlalchemy import func, select

from pamong.accounts.models import AccountEvent, User
from pamong.extensions import db
from pamong.mailer.models import OutboxMail
from tests.conftest import csrf_from
from tests.helpers import Official
from tests.test_concurrency import run_together
from tests.test_registration_flow import path_of, user_by_email

OWNER = "siti.aminah@example.id"
GUESS = "tebak-tebak-2026"
STEP1 = "/daftar/identitas"


def stranger_signs_up(app, email: str, password: str = GUESS):
    """A fresh client signs up with ``email``; return it and the two answers."""
    stranger = Official(app.test_client(), email=email, password=password)
    sent = stranger.sign_up(verify=False, name="Orang Lain")
    page = stranger.client.get(sent.headers["Location"])
    return stranger, sent, page


def visible(page) -> str:
    """The page's text without its CSRF token, which differs per session."""
    return re.sub(r'(csrf_token"[^>]*value=")[^"]+', r"\1", page.get_data(as_text=True))


def mails_to(app, email: str) -> int:
    """Count the mails ever queued for ``email``."""
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(OutboxMail)
            .where(OutboxMail.recipient == email)
        )


def accounts(app) -> int:
    """Count the accounts in the database."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


@pytest.fixture
def owner(app, client, mailbox):
    """An official who signed up and verified the address."""
    official = Official(client, email=OWNER)
    official.sign_up()
    mailbox.clear()
    return official


def test_taken_and_new_address_get_the_same_answer(app, owner, mailbox):
    """The answer and the page after it are the same; only the owner learns more."""
    _, taken, taken_page = stranger_signs_up(app, OWNER.upper())
    _, new, new_page = stranger_signs_up(app, "budi.santoso@example.id")

    assert taken.status_code == new.status_code == 302
    assert taken.headers["Location"] == new.headers["Location"]
    assert taken.headers["Location"] == "/daftar/periksa-email"
    assert visible(taken_page).replace(OWNER, "X") == visible(new_page).replace(
        "budi.santoso@example.id", "X"
    )
    assert "Periksa email Anda" in visible(new_page)

    owner_mail = mailbox.wait_for(OWNER, "Email Anda sudah terdaftar")
    assert "tidak ada akun baru yang dibuat" in owner_mail.body
    assert any(link.endswith("/lupa-sandi") for link in owner_mail.links())
    assert mailbox.wait_for("budi.santoso@example.id", "Verifikasi email")
    assert accounts(app) == 2
    assert user_by_email(app, OWNER).name == "Siti Aminah"


def test_taken_address_keeps_its_password(app, owner):
    """Signing up again with another password changes nothing of the account."""
    stranger, _, _ = stranger_signs_up(app, OWNER, password="sandi-penyusup-9")

    refused = stranger.log_in()
    assert refused.status_code == 200
    assert "Email atau kata sandi salah" in refused.get_data(as_text=True)

    fresh = Official(app.test_client(), email=OWNER)
    assert fresh.log_in().headers["Location"] == "/daftar/identitas"


def test_logging_in_after_sign_up_tells_nothing_either(app, owner):
    """A stranger's new account cannot log in before its link is opened.

    Otherwise signing up and then logging in with the password just chosen
    would succeed exactly for the addresses nobody had registered yet.
    """
    on_taken, _, _ = stranger_signs_up(app, OWNER)
    on_new, _, _ = stranger_signs_up(app, "budi.santoso@example.id")

    taken = on_taken.log_in()
    new = on_new.log_in()
    assert taken.status_code == new.status_code == 200
    assert visible(taken) == visible(new).replace("budi.santoso@example.id", OWNER)
    assert "belum diverifikasi" in visible(new)


def test_the_mailed_link_logs_the_official_in_to_step_one(app, client, mailbox):
    """The link confirms the address and opens step 1; a second use does not."""
    official = Official(client)
    official.sign_up(verify=False)
    assert client.get("/daftar/identitas").status_code == 302

    mail = mailbox.wait_for(OWNER, "Verifikasi email")
    assert "langsung masuk" in mail.body
    link = path_of(next(link for link in mail.links() if "/verifikasi/" in link))
    page = client.get(link)
    confirmed = client.post(
        link,
        data={
            "csrf_token": csrf_from(page.data),
            "name": official.name,
            "password": official.password,
        },
    )
    assert confirmed.headers["Location"] == "/daftar/identitas"
    assert client.get("/daftar/identitas").status_code == 200
    assert user_by_email(app, OWNER).email_verified_at is not None

    other = app.test_client()
    again = other.get(link)
    assert "sudah terverifikasi" in again.get_data(as_text=True)
    token = csrf_from(other.get("/masuk").data)
    replayed = other.post(link, data={"csrf_token": token})
    assert replayed.status_code == 200
    assert other.get("/daftar/identitas").status_code == 302


def test_signing_up_again_before_verifying_mails_a_fresh_link(app, client, mailbox):
    """An official who lost the first mail gets the link again by signing up."""
    Official(client).sign_up(verify=False)
    first = mailbox.wait_for(OWNER, "Verifikasi email")
    mailbox.clear()

    stranger_signs_up(app, OWNER)
    second = mailbox.wait_for(OWNER, "Verifikasi email")
    assert second.links() and first.links()
    assert accounts(app) == 1


def test_resend_answers_the_same_for_every_address(app, owner, mailbox):
    """Kirim ulang: same page for unknown, verified and unverified addresses."""
    Official(app.test_client(), email="budi.santoso@example.id").sign_up(verify=False)
    mailbox.clear()

    before = mails_to(app, OWNER)
    answers = {}
    for email in (OWNER, "budi.santoso@example.id", "tidak.ada@example.id"):
        visitor = Official(app.test_client(), email=email)
        sent = visitor.post("/verifikasi/kirim-ulang", {"email": email})
        assert sent.headers["Location"] == "/daftar/periksa-email"
        page = visitor.client.get("/daftar/periksa-email")
        answers[email] = visible(page).replace(email, "X")
    assert len(set(answers.values())) == 1

    assert mailbox.wait_for("budi.santoso@example.id", "Verifikasi email")
    assert mails_to(app, OWNER) == before
    assert mails_to(app, "tidak.ada@example.id") == 0


def test_forgot_password_before_verifying_mails_the_verification_link(
    app, client, mailbox
):
    """Lupa kata sandi on a never verified address sends the verify link.

    Its page sets the name and the password, so nothing a squatter typed at
    sign-up survives, as it would through a plain reset.
    """
    squatter = Official(app.test_client(), name="Penipu Di Www Contoh", password=GUESS)
    squatter.sign_up(verify=False)
    mailbox.wait_for(OWNER, "Verifikasi email")
    mailbox.clear()

    Official(app.test_client()).post("/lupa-sandi", {"email": OWNER})
    mail = mailbox.wait_for(OWNER, "Verifikasi email")
    assert "Penipu" not in mail.body
    assert mails_to(app, OWNER) == 2
    page = client.get(
        path_of(next(link for link in mail.links() if "/verifikasi/" in link))
    )
    assert "Penipu" not in page.get_data(as_text=True)

    confirm_link(client, mailbox, OWNER, "Siti Aminah", "kopi-luwak-2027")
    assert user_by_email(app, OWNER).name == "Siti Aminah"
    again = Official(app.test_client(), password="kopi-luwak-2027")
    assert again.log_in().headers["Location"] == STEP1


def test_two_presses_at_once_verify_once(app, mailbox):
    """Two verify forms sent together: one wins, the other changes nothing."""
    Official(app.test_client()).sign_up(verify=False)
    mail = mailbox.wait_for(OWNER, "Verifikasi email")
    link = path_of(next(link for link in mail.links() if "/verifikasi/" in link))
    clients = [app.test_client(), app.test_client()]
    tokens = [csrf_from(c.get(link).data) for c in clients]
    passwords = ["kopi-luwak-2027", "teh-tarik-2028"]

    def press(index):
        """Send one client's verify form."""
        return clients[index].post(
            link,
            data={
                "csrf_token": tokens[index],
                "name": "Siti Aminah",
                "password": passwords[index],
                "repeat": passwords[index],
            },
        )

    answers = run_together([lambda i=i: press(i) for i in range(2)])
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [200, 302]
    winner = passwords[[a.status_code for a in answers].index(302)]
    with app.app_context():
        events = db.session.scalars(
            select(AccountEvent.action).where(AccountEvent.action == "email_verified")
        ).all()
    assert events == ["email_verified"]
    assert Official(app.test_client(), password=winner).log_in().status_code == 302


def test_password_may_not_be_the_name_even_with_extra_spaces(app, client, mailbox):
    """The name is compared as it is saved, with its spaces tidied."""
    Official(client).sign_up(verify=False)
    mailbox.wait_for(OWNER, "Verifikasi email")
    refused = confirm_link(
        client, mailbox, OWNER, "Budiman  Santoso", "budiman santoso"
    )
    assert refused.status_code == 200
    assert "sama dengan email atau nama" in refused.get_data(as_text=True)
    assert user_by_email(app, OWNER).email_verified_at is None


def test_verifying_in_a_browser_of_another_official_ends_their_session(
    app, client, mailbox
):
    """The official who was logged in on this phone is logged out everywhere."""
    budi = Official(client, email="budi.santoso@example.id", name="Budi Santoso")
    budi.sign_up()
    before = user_by_email(app, budi.email).session_key

    Official(app.test_client()).sign_up(verify=False)
    mailbox.wait_for(OWNER, "Verifikasi email")
    switched = confirm_link(client, mailbox, OWNER, "Siti Aminah", "kopi-luwak-2027")
    assert switched.headers["Location"] == STEP1
    assert user_by_email(app, budi.email).session_key != before


def test_unverified_account_is_neither_locked_nor_mailed_by_wrong_passwords(
    app, mailbox
):
    """Failures on a never verified account are not counted: no lock mail."""
    Official(app.test_client(), name="Penipu", password=GUESS).sign_up(verify=False)
    for _ in range(6):
        Official(app.test_client(), password="salah-terus-2026").log_in()
    user = user_by_email(app, OWNER)
    assert user.failed_logins == 0
    assert user.locked_until is None
    assert mails_to(app, OWNER) == 1


def test_check_mail_page_needs_a_sign_up_first(client):
    """Opened directly, the page sends the visitor to Daftar."""
    response = client.get("/daftar/periksa-email")
    assert response.status_code == 302
    assert response.headers["Location"] == "/daftar"


def confirm_link(
    client, mailbox, email: str, name: str, password: str, repeat: bool = True
):
    """Open the newest verification link mailed to ``email`` and confirm it.

    With ``repeat`` the password is also typed in the field that a password
    other than the sign-up one needs.
    """
    mail = [m for m in mailbox.messages if m.subject == "Verifikasi email"][-1]
    assert email in mail.to
    link = path_of(next(link for link in mail.links() if "/verifikasi/" in link))
    page = client.get(link)
    return client.post(
        link,
        data={
            "csrf_token": csrf_from(page.data),
            "name": name,
            "password": password,
            "repeat": password if repeat else "",
        },
    )


def test_a_squatter_keeps_no_way_in(app, client, mailbox):
    """Someone who signed up first with the owner's address cannot log in later.

    The password typed on the verify page, by whoever holds the mailbox,
    replaces the squatter's, and so does the name.
    """
    squatter = Official(app.test_client(), name="Penyerang", password=GUESS)
    squatter.sign_up(verify=False)
    mailbox.wait_for(OWNER, "Verifikasi email")
    mailbox.clear()

    owner = Official(client)
    owner.sign_up(verify=False)
    mailbox.wait_for(OWNER, "Verifikasi email")
    confirmed = confirm_link(client, mailbox, OWNER, owner.name, owner.password)
    assert confirmed.headers["Location"] == "/daftar/identitas"

    refused = Official(app.test_client(), password=GUESS).log_in()
    assert refused.status_code == 200
    assert Official(app.test_client()).log_in().headers["Location"] == STEP1
    assert user_by_email(app, OWNER).name == "Siti Aminah"


def test_verify_page_refuses_a_weak_password_and_verifies_nothing(app, client, mailbox):
    """A short password on the verify page: a message at the field, no change."""
    Official(client).sign_up(verify=False)
    mailbox.wait_for(OWNER, "Verifikasi email")
    refused = confirm_link(client, mailbox, OWNER, "Siti Aminah", "pendek")

    assert refused.status_code == 200
    assert "minimal 8 karakter" in refused.get_data(as_text=True)
    assert user_by_email(app, OWNER).email_verified_at is None
    assert client.get(STEP1).status_code == 302


def test_resend_sets_the_same_cookies_for_every_address(app, owner):
    """The resend answer's cookies do not tell an unverified address apart."""
    Official(app.test_client(), email="budi.santoso@example.id").sign_up(verify=False)
    cookies = set()
    for email in (OWNER, "budi.santoso@example.id", "tidak.ada@example.id"):
        visitor = Official(app.test_client(), email=email)
        sent = visitor.post("/verifikasi/kirim-ulang", {"email": email})
        names = sorted(
            header.split("=", 1)[0] for header in sent.headers.getlist("Set-Cookie")
        )
        cookies.add(tuple(names))
    assert len(cookies) == 1


def test_one_address_gets_at_most_five_sign_up_mails_an_hour(app, owner):
    """Signing up again and again with a taken address stops mailing its owner."""
    assert mails_to(app, OWNER) == 1
    for _ in range(8):
        stranger_signs_up(app, OWNER)
    assert mails_to(app, OWNER) == 5


def test_a_password_other_than_the_sign_up_one_must_be_typed_twice(
    app, client, mailbox
):
    """A typo on the verify page is caught; a new password typed twice holds."""
    official = Official(client)
    official.sign_up(verify=False)
    mailbox.wait_for(OWNER, "Verifikasi email")

    typo = confirm_link(
        client, mailbox, OWNER, official.name, "kopi-tubruk-2062", False
    )
    assert typo.status_code == 200
    page = typo.get_data(as_text=True)
    assert "berbeda dari yang dibuat saat mendaftar" in page
    assert 'id="repeat"' in page
    assert user_by_email(app, OWNER).email_verified_at is None

    same = confirm_link(client, mailbox, OWNER, official.name, official.password, False)
    assert same.headers["Location"] == STEP1
    assert Official(app.test_client()).log_in().headers["Location"] == STEP1


def test_a_new_password_typed_twice_replaces_the_sign_up_one(app, client, mailbox):
    """The official may choose a new password on the verify page, typed twice."""
    Official(client).sign_up(verify=False)
    mailbox.wait_for(OWNER, "Verifikasi email")
    confirm_link(client, mailbox, OWNER, "Siti Aminah", "kopi-luwak-2027")

    assert Official(app.test_client()).log_in().status_code == 200
    renewed = Official(app.test_client(), password="kopi-luwak-2027")
    assert renewed.log_in().headers["Location"] == STEP1
