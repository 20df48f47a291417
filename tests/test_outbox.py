"""Mail goes through the outbox: nothing is lost while SMTP is down."""

import time
from datetime import timedelta

from sqlalchemy import select

from pamong.extensions import db
from pamong.mailer.models import OutboxMail
from pamong.mailer.services import deliver_due, outbox_counts
from tests.helpers import Official
from tests.mailbox import free_port


def outbox_rows(app) -> list[OutboxMail]:
    """Return every outbox row, detached."""
    with app.app_context():
        rows = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
        db.session.expunge_all()
        return rows


def test_submission_answers_at_once_while_smtp_refuses(app, client, mailbox):
    """A refusing server leaves the mail waiting; it goes out when SMTP is back."""
    app.config["OUTBOX_RETRY_SECONDS"] = 1
    mailbox.refuse = True

    started = time.monotonic()
    response = Official(client).register()
    assert response.headers["Location"] == "/status"
    assert time.monotonic() - started < 10

    deadline = time.monotonic() + 10
    while not any(row.last_error for row in outbox_rows(app)):
        assert time.monotonic() < deadline, "the sender never tried"
        time.sleep(0.1)
    row = outbox_rows(app)[0]
    assert row.sent_at is None
    assert "451" in row.last_error

    mailbox.refuse = False
    mail = mailbox.wait_for("siti.aminah@example.id", "Verifikasi email", timeout=20)
    assert "/verifikasi/" in mail.body
    deadline = time.monotonic() + 5
    while outbox_rows(app)[0].sent_at is None:
        assert time.monotonic() < deadline, "delivery never recorded"
        time.sleep(0.05)


def test_nothing_listening_keeps_the_mail(app, client):
    """With no SMTP server at all, the mail stays queued with the error kept."""
    app.config["MAIL_PORT"] = free_port()
    app.config["OUTBOX_WORKER"] = False
    Official(client).register()

    with app.app_context():
        sent, failed = deliver_due()
        assert (sent, failed) == (0, 1)
        counts = outbox_counts()
    assert counts["menunggu"] == 1
    assert counts["terkirim"] == 0
    row = outbox_rows(app)[0]
    assert row.attempts == 1
    assert "Connection" in row.last_error or "refused" in row.last_error.lower()


def test_mail_is_written_with_the_state_change(app, client):
    """The verification mail exists exactly when the account does; Simpan adds none."""
    app.config["OUTBOX_WORKER"] = False
    official = Official(client)
    official.sign_up(verify=False)
    rows = outbox_rows(app)
    assert [row.subject for row in rows] == ["Verifikasi email"]
    assert rows[0].recipient == "siti.aminah@example.id"

    official.verify_email()
    official.step1()
    official.step2()
    official.step3()
    assert [row.subject for row in outbox_rows(app)] == ["Verifikasi email"]


def test_a_mail_is_sent_once_by_competing_senders(app, client, mailbox):
    """Two senders running at once deliver each mail a single time."""
    import threading

    app.config["OUTBOX_WORKER"] = False
    Official(client).register()

    def send():
        with app.app_context():
            deliver_due()
            db.session.remove()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    mailbox.wait_for("siti.aminah@example.id", "Verifikasi email")
    time.sleep(0.5)
    assert mailbox.count("siti.aminah@example.id", "Verifikasi email") == 1


def test_a_mail_that_cannot_be_sent_does_not_hold_up_the_others(app, mailbox):
    """An address SMTP cannot carry fails alone, with its error and a later retry."""
    app.config["OUTBOX_WORKER"] = False
    with app.app_context():
        for recipient in ("ü@bücher.de", "siti.aminah@example.id"):
            db.session.add(
                OutboxMail(recipient=recipient, subject="Verifikasi email", body="Halo")
            )
        db.session.commit()
        assert deliver_due() == (1, 1)

    mailbox.wait_for("siti.aminah@example.id", "Verifikasi email")
    poisoned, sent = outbox_rows(app)
    assert sent.sent_at is not None
    assert poisoned.sent_at is None
    assert poisoned.last_error.startswith("UnicodeEncodeError")
    assert poisoned.next_attempt_at > poisoned.created_at + timedelta(seconds=20)
    with app.app_context():
        assert deliver_due() == (0, 0)
