"""Sign-up takes only addresses our mail can reach, in the form mail is sent to."""

from tests.helpers import Official
from tests.test_registration_flow import user_by_email


def test_accented_letters_before_the_at_sign_are_refused(app, client):
    """An address needing SMTPUTF8 gets a clear message and no account."""
    response = Official(client, email="ü@bücher.de").sign_up()
    assert response.status_code == 200
    assert b'id="email-error"' in response.data
    assert b"huruf beraksen" in response.data
    assert user_by_email(app, "ü@bücher.de") is None


def test_a_domain_in_other_letters_is_kept_in_ascii_form(app, client, mailbox):
    """bücher.de becomes xn--bcher-kva.de; either spelling logs in and gets mail."""
    official = Official(client, email="Siti@Bücher.de")
    assert official.sign_up().status_code == 302
    user = user_by_email(app, "siti@xn--bcher-kva.de")
    assert user is not None

    for spelling in ("siti@bücher.de", "SITI@xn--bcher-kva.de"):
        other = Official(app.test_client(), email=spelling)
        response = other.log_in(password=official.password)
        assert response.headers["Location"] == "/daftar/identitas"

    official.step1()
    official.step2()
    official.step3()
    mail = mailbox.wait_for("siti@xn--bcher-kva.de", "Verifikasi email")
    assert "/verifikasi/" in mail.body


def test_an_ordinary_bad_address_keeps_the_old_message(app, client):
    """Nothing after the @-sign: the usual message with an example."""
    response = Official(client, email="siti@").sign_up()
    assert response.status_code == 200
    assert b"Contoh: nama@gmail.com" in response.data
