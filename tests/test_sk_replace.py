"""A refused replacement SK is reported and never submitted over the old one."""

from sqlalchemy import select

from pamong.accounts.models import User
from pamong.extensions import db
from tests.helpers import Official


def state_of(app, email: str) -> str:
    """Read an account's state."""
    with app.app_context():
        return db.session.scalar(select(User.state).where(User.email == email))


def test_refused_file_shows_its_reason(app, client):
    """A file that is not a PDF gets the checker's message, not a generic one."""
    official = Official(client)
    official.sign_up()
    official.step1()
    official.step2()
    response = official.step3(pdf=b"\xff\xd8\xff\xe0 not a pdf", filename="sk.jpg")
    assert response.status_code == 200
    assert b"Berkas ini bukan PDF" in response.data
    assert state_of(app, official.email) == "registered"


def test_refused_replacement_does_not_submit_the_old_file(app, client):
    """With an SK stored, a refused new file stops Simpan and says why."""
    official = Official(client)
    official.sign_up()
    official.step1()
    official.step2()
    official.step3(sk_number="")
    assert state_of(app, official.email) == "registered"

    response = official.step3(pdf=b"%PDF-1.4\n garbage only", filename="baru.pdf")
    assert response.status_code == 200
    assert b"rusak" in response.data
    assert state_of(app, official.email) == "registered"


def test_demo_admin_is_not_in_the_queue(app, runner):
    """An admin account is approved at creation, never pending review."""
    runner.invoke(args=["create-admin", "admin@pamong.test", "--password", "x" * 12])
    assert state_of(app, "admin@pamong.test") == "approved"
