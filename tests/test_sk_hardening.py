"""SK uploads under attack: the check's limits, late replacements, odd requests.

Covers the rate limit on starting tus uploads, the host-wide cap on PDF
checks running at once, an SK that finishes uploading after the form was
handed in, a piece of nothing sent after the verdict, the 413 message, the
display names kept, and the file modes of stored SKs.
"""

import base64
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from pamong.accounts.models import AccountEvent, User
from pamong.documents import services as documents
from pamong.documents.models import Document
from pamong.documents.pdfcheck import BUSY_MESSAGE, check_slot
from pamong.documents.services import storage_path
from pamong.extensions import db
from pamong.uploads import services as uploads
from tests.conftest import _settings, csrf_from, empty_tables
from tests.helpers import Official
from tests.pdf_samples import good_bytes
from tests.test_tus import Tus, at_step3, metadata, second_official


def history(app, email: str) -> list[str]:
    """Return the actions in an account's history, oldest first."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        events = db.session.scalars(
            select(AccountEvent)
            .where(AccountEvent.user_id == user.id)
            .order_by(AccountEvent.id)
        )
        return [event.action for event in events]


def sk_of(app, email: str) -> Document | None:
    """Return the SK on an official's profile."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        document = user.profile.sk_document
        if document is not None:
            db.session.expunge(document)
        return document


def places_folder(app) -> Path:
    """Return the folder of the places to check a PDF in."""
    with app.app_context():
        return documents.places_folder()


@pytest.fixture
def tus(client) -> Tus:
    """An official at step 3 speaking tus."""
    return Tus(client, at_step3(client))


@pytest.fixture
def limited_app(database_url, smtp, tmp_path):
    """The app with rate limits on (in memory) and a small tus creation limit."""
    from pamong import create_app
    from pamong.extensions import limiter

    settings = _settings(database_url, tmp_path, smtp.port)
    settings.update(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
        TUS_CREATE_LIMIT="3 per hour",
        OUTBOX_WORKER=False,
    )
    app = create_app(settings)
    yield app
    with app.app_context():
        limiter.reset()
    empty_tables(app)


def test_starting_uploads_is_limited_per_account(limited_app):
    """Past the limit a creation gets a tus 429; pieces and other accounts don't."""
    client = limited_app.test_client()
    tus = Tus(client, at_step3(client))
    codes = [tus.create(100).status_code for _ in range(4)]

    assert codes == [201, 201, 201, 429]
    refused = tus.create(100)
    assert refused.status_code == 429
    assert refused.headers["Tus-Resumable"] == "1.0.0"
    assert "Terlalu banyak unggahan" in refused.get_data(as_text=True)

    other_client, token = second_official(limited_app)
    other = Tus(other_client, token)
    url = other.new(len(good_bytes()))
    for _ in range(5):
        assert other.patch(url, 1, b"x").status_code == 409
    assert other.patch(url, 0, good_bytes()).status_code == 204
    assert other.verdict(url)["ok"]


def test_check_places_are_shared_and_bounded(tmp_path):
    """With every place taken a check waits its time, then hears it is busy."""
    with (
        check_slot(tmp_path, 2, 0),
        check_slot(tmp_path, 2, 0),
        pytest.raises(documents.Busy, match="sibuk"),
        check_slot(tmp_path, 2, 0.2),
    ):
        pass
    with check_slot(tmp_path, 2, 0):
        pass


def test_busy_checker_keeps_a_tus_upload_for_later(app, tus):
    """A finished upload waits when the checker is busy; asked again, it is stored."""
    app.config.update(PDF_CHECK_PLACES=1, PDF_CHECK_WAIT_SECONDS=0)
    data = good_bytes()
    url = tus.new(len(data))

    with check_slot(places_folder(app), 1, 0):
        assert tus.patch(url, 0, data).status_code == 204
        waiting = tus.verdict(url)

    assert waiting["state"] == "checking"
    assert not waiting["ok"]
    assert waiting["message"] == BUSY_MESSAGE
    done = tus.verdict(url)
    assert done["state"] == "stored"
    assert done["ok"]


def test_busy_checker_does_not_call_the_form_upload_broken(app, client):
    """Step 3 says the server is busy, not that the SK is damaged."""
    app.config.update(PDF_CHECK_PLACES=1, PDF_CHECK_WAIT_SECONDS=0)
    official = Official(client)
    official.sign_up()
    official.step1()
    official.step2()

    with check_slot(places_folder(app), 1, 0):
        response = official.step3()

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Server sedang sibuk" in page
    assert "rusak" not in page
    assert sk_of(app, official.email) is None
    assert official.step3().status_code == 302


def test_sk_finishing_after_simpan_is_not_attached(app, client, monkeypatch):
    """An upload whose check ends after the form was handed in is refused."""
    official = Official(client)
    official.sign_up()
    official.step1()
    official.step2()
    official.step3(sk_number="")
    first = sk_of(app, official.email)
    assert first is not None
    tus = Tus(client, csrf_from(client.get("/daftar/lokasi").data))
    data = good_bytes()
    url = tus.new(len(data), metadata("baru.pdf"))

    real_check = documents.check_pdf
    submitted = []

    def check_while_submitting(path, **limits):
        """Hand the form in from another request while the file is checked."""
        other = app.test_client()
        other.set_cookie("session", client.get_cookie("session").value)
        submitted.append(Official(other).step3(pdf=False).status_code)
        return real_check(path, **limits)

    monkeypatch.setattr(documents, "check_pdf", check_while_submitting)
    assert tus.patch(url, 0, data).status_code == 204

    assert submitted == [302]
    verdict = tus.verdict(url)
    assert verdict["state"] == "refused"
    assert verdict["message"] == uploads.CLOSED_MEANWHILE
    events = history(app, official.email)
    assert events[-1] == "submitted"
    assert "sk_replaced" not in events
    assert sk_of(app, official.email).id == first.id
    with app.app_context():
        stored = db.session.scalars(select(Document.storage_name)).all()
    assert stored == [first.storage_name]
    folder = Path(app.config["UPLOAD_FOLDER"])
    files = {path.name for path in folder.glob("??/*.pdf")}
    assert files == {first.storage_name}


@pytest.mark.parametrize("body", [good_bytes(), b"%PDF-1.4 rusak"])
def test_empty_piece_after_the_verdict_answers_the_offset(tus, body):
    """A piece of nothing at the end of a stored or refused upload gets 204."""
    url = tus.new(len(body))
    assert tus.patch(url, 0, body).status_code == 204

    response = tus.patch(url, len(body), b"")

    assert response.status_code == 204
    assert response.headers["Upload-Offset"] == str(len(body))
    more = tus.patch(url, len(body), b"lagi")
    assert more.status_code == 413


def test_too_long_piece_names_the_declared_size(tus):
    """Going past a small declared length is not called "more than 10 MB"."""
    url = tus.new(100)

    response = tus.patch(url, 0, b"%PDF-" + b"x" * 200)

    text = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "10 MB" not in text
    assert "100 byte" in text


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("..\\..\\windows\\sk desa.pdf", "sk desa.pdf"),
        ("C:\\fakepath\\SK.pdf", "SK.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..", "sk.pdf"),
        ("..\\", "sk.pdf"),
    ],
)
def test_tus_display_names_lose_path_parts(app, tus, sent, kept):
    """The name shown and stored keeps no path parts, as in the form upload."""
    data = good_bytes()
    url = tus.new(len(data), metadata(sent))

    echoed = tus.head(url).headers["Upload-Metadata"].split(",")[0].split(" ")[1]
    assert base64.b64decode(echoed).decode() == kept
    assert tus.patch(url, 0, data).status_code == 204
    assert tus.verdict(url)["document"]["name"] == kept
    assert documents.safe_name(sent) == kept


@pytest.mark.parametrize("path", ["form", "tus"])
def test_stored_sk_is_private(app, client, path):
    """A stored SK is readable by its owner only, in a folder only it may open."""
    official = Official(client)
    official.sign_up()
    official.step1()
    official.step2()
    if path == "form":
        official.step3(sk_number="")
    else:
        tus = Tus(client, csrf_from(client.get("/daftar/lokasi").data))
        data = good_bytes()
        url = tus.new(len(data))
        assert tus.patch(url, 0, data).status_code == 204
    document = sk_of(app, official.email)

    with app.app_context():
        stored = storage_path(document.storage_name)
    assert stored.stat().st_mode & 0o777 == 0o600
    assert stored.parent.stat().st_mode & 0o777 == 0o700
    assert Path(app.config["UPLOAD_FOLDER"]).stat().st_mode & 0o777 == 0o700


def test_form_sk_checked_while_handed_in_elsewhere_is_not_attached(
    app, client, monkeypatch
):
    """A file sent with step 3, checked while another tab hands it in, is dropped."""
    official = Official(client)
    official.sign_up()
    official.step1()
    official.step2()
    official.step3(sk_number="")
    first = sk_of(app, official.email)

    real_check = documents.check_pdf
    submitted = []

    def check_while_submitting(path, **limits):
        """Hand the form in from another tab while this file is checked."""
        other = app.test_client()
        other.set_cookie("session", client.get_cookie("session").value)
        submitted.append(Official(other).step3(pdf=False).status_code)
        return real_check(path, **limits)

    monkeypatch.setattr(documents, "check_pdf", check_while_submitting)
    response = official.step3(filename="baru.pdf")

    assert submitted == [302]
    assert response.status_code in (200, 302)
    events = history(app, official.email)
    assert "sk_replaced" not in events
    assert sk_of(app, official.email).id == first.id
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert {path.name for path in folder.glob("??/*.pdf")} == {first.storage_name}
