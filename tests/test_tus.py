"""The tus 1.0.0 server at /unggah/, through the Flask test client.

Status codes and headers follow the tus 1.0.0 specification (core, creation,
termination, expiration). The last piece of a file is answered 204 whatever
the PDF check says; the verdict is read from /unggah/<id>/hasil.
"""

import base64
import hashlib
import random
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from pamong.accounts.models import User
from pamong.documents.models import Document
from pamong.documents.pdfcheck import MESSAGES
from pamong.documents.services import storage_path
from pamong.extensions import db
from pamong.uploads import services
from tests.conftest import csrf_from
from tests.helpers import Official
from tests.pdf_samples import assemble, good_bytes, good_objects, stream

TUS = "1.0.0"
OFFSET_STREAM = "application/offset+octet-stream"
LOCATION = re.compile(r"^/unggah/[0-9a-f]{32}$")
MAX = 10 * 1024 * 1024


def sized_pdf(size: int, seed: int = 7) -> bytes:
    """Return a valid one-page PDF padded to about ``size`` bytes with noise."""
    padding = max(size - len(good_bytes()) - 100, 0)
    noise = random.Random(seed).randbytes(padding)
    return assemble([*good_objects(), stream(noise)])


def sha256(data: bytes) -> str:
    """Return the hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def metadata(filename: str = "sk.pdf", filetype: str = "application/pdf") -> str:
    """Encode an ``Upload-Metadata`` header."""
    pairs = {"filename": filename, "filetype": filetype}
    return ",".join(
        f"{key} {base64.b64encode(value.encode()).decode()}"
        for key, value in pairs.items()
    )


def at_step3(client, **answers) -> str:
    """Sign up and send steps 1 and 2; return the CSRF token of step 3."""
    official = Official(client, **answers)
    official.sign_up()
    official.step1()
    official.step2()
    page = client.get("/daftar/lokasi")
    assert page.status_code == 200
    return csrf_from(page.data)


def second_official(app) -> tuple[object, str]:
    """Another official at step 3 in a client of their own."""
    client = app.test_client()
    token = at_step3(
        client,
        email="budi.santoso@example.id",
        name="Budi Santoso",
        identity={
            "phone": "0813-1111-2222",
            "birth_place": "Selong",
            "birth_date": "1985-04-12",
            "gender": "L",
            "nik": "5203011204850002",
            "education": "6",
        },
    )
    return client, token


class Tus:
    """A logged-in official's tus requests, with the token and protocol header."""

    def __init__(self, client, token: str):
        """Use ``client`` (already logged in) and the CSRF ``token`` of its page."""
        self.client = client
        self.token = token

    def headers(self, **extra) -> dict:
        """The headers every tus request carries, plus ``extra``."""
        return {"Tus-Resumable": TUS, "X-CSRFToken": self.token, **extra}

    def create(self, length: int, meta: str | None = None, **headers):
        """POST a creation for ``length`` bytes."""
        extra = {"Upload-Length": str(length), "Upload-Metadata": meta or metadata()}
        return self.client.post("/unggah/", headers=self.headers(**extra, **headers))

    def new(self, length: int, meta: str | None = None) -> str:
        """Create an upload and return its URL."""
        response = self.create(length, meta)
        assert response.status_code == 201, response.data
        return response.headers["Location"]

    def head(self, url: str, **headers):
        """Ask for the offset."""
        return self.client.head(url, headers=self.headers(**headers))

    def patch(self, url: str, offset: int, body: bytes, **options):
        """Send one piece at ``offset``."""
        content_type = options.pop("content_type", OFFSET_STREAM)
        return self.client.patch(
            url,
            data=body,
            content_type=content_type,
            headers=self.headers(**{"Upload-Offset": str(offset)}),
            **options,
        )

    def delete(self, url: str):
        """Terminate an upload."""
        return self.client.delete(url, headers=self.headers())

    def send(self, data: bytes, chunk: int = 64 * 1024, **create) -> str:
        """Upload ``data`` in pieces of ``chunk`` bytes; return the URL."""
        url = self.new(len(data), **create)
        for start in range(0, len(data), chunk):
            response = self.patch(url, start, data[start : start + chunk])
            assert response.status_code == 204, response.data
        return url

    def verdict(self, url: str) -> dict:
        """Read the verdict on a finished upload."""
        response = self.client.get(url + "/hasil")
        assert response.status_code == 200
        return response.get_json()


@pytest.fixture
def tus(client) -> Tus:
    """An official at step 3 speaking tus."""
    return Tus(client, at_step3(client))


def upload_folder(app, url: str) -> Path:
    """Return the folder of the upload at ``url`` (whoever owns it)."""
    upload_id = url.rsplit("/", 1)[1]
    matches = list((Path(app.config["UPLOAD_FOLDER"]) / "tus").glob(f"*/{upload_id}"))
    assert len(matches) <= 1
    return matches[0] if matches else Path("/nonexistent")


def test_options_advertises_version_extensions_and_size(client):
    """OPTIONS names the version, the three extensions and the 10 MB limit."""
    response = client.options("/unggah/")

    assert response.status_code == 204
    assert response.headers["Tus-Resumable"] == TUS
    assert response.headers["Tus-Version"] == TUS
    extensions = set(response.headers["Tus-Extension"].split(","))
    assert extensions == {"creation", "termination", "expiration"}
    assert response.headers["Tus-Max-Size"] == str(MAX)


def test_creation_answers_location_and_expiry(tus):
    """POST creates an upload: 201, a Location, an expiry; HEAD shows offset 0."""
    response = tus.create(5000, metadata("SK Kades 2021.pdf"))

    assert response.status_code == 201
    assert LOCATION.match(response.headers["Location"])
    assert response.headers["Tus-Resumable"] == TUS
    assert response.headers["Upload-Expires"].endswith(" GMT")

    head = tus.head(response.headers["Location"])
    assert head.status_code == 200
    assert head.headers["Upload-Offset"] == "0"
    assert head.headers["Upload-Length"] == "5000"
    assert "no-store" in head.headers["Cache-Control"]
    assert head.headers["Tus-Resumable"] == TUS
    assert head.headers["Upload-Metadata"] == metadata("SK Kades 2021.pdf")
    assert head.data == b""


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Upload-Length": ""}, 400),
        ({"Upload-Length": "-5"}, 400),
        ({"Upload-Length": "12abc"}, 400),
        ({"Upload-Length": "0"}, 400),
        ({"Upload-Length": str(MAX + 1)}, 413),
        ({"Upload-Length": "100", "Upload-Defer-Length": "1"}, 400),
        ({"Upload-Length": "100", "Upload-Metadata": "filename ***"}, 400),
        ({"Upload-Length": "100", "Upload-Metadata": "a YQ==,a YQ=="}, 400),
        (
            {
                "Upload-Length": "100",
                "Upload-Metadata": metadata("foto.jpg", "image/jpeg"),
            },
            415,
        ),
    ],
)
def test_creation_refuses_bad_requests(tus, headers, status):
    """Missing, deferred, oversized, empty, malformed or non-PDF: refused."""
    response = tus.client.post("/unggah/", headers=tus.headers(**headers))

    assert response.status_code == status
    assert response.headers["Tus-Resumable"] == TUS
    assert response.mimetype == "text/plain"


def test_too_big_is_explained(tus):
    """413 says in Bahasa Indonesia how to make the file smaller."""
    response = tus.create(MAX + 1)

    assert response.status_code == 413
    assert "Perkecil PDF" in response.get_data(as_text=True)


def test_missing_length_is_refused(tus):
    """Upload-Length is required: deferring the length is not offered."""
    response = tus.client.post("/unggah/", headers=tus.headers())
    assert response.status_code == 400


def test_other_protocol_version_is_refused(tus):
    """A request without Tus-Resumable 1.0.0 gets 412 and the supported version."""
    response = tus.client.post(
        "/unggah/",
        headers={"X-CSRFToken": tus.token, "Upload-Length": "10"},
    )

    assert response.status_code == 412
    assert response.headers["Tus-Version"] == TUS


def test_csrf_token_is_required(tus):
    """CSRF protection stays on for the tus requests."""
    response = tus.client.post(
        "/unggah/", headers={"Tus-Resumable": TUS, "Upload-Length": "10"}
    )
    assert response.status_code == 400

    url = tus.new(10)
    response = tus.client.patch(
        url,
        data=b"0123456789",
        content_type=OFFSET_STREAM,
        headers={"Tus-Resumable": TUS, "Upload-Offset": "0"},
    )
    assert response.status_code == 400
    assert tus.head(url).headers["Upload-Offset"] == "0"


def test_anonymous_gets_401_not_a_login_page(client):
    """A session that ended is told so, not redirected to the login page."""
    response = client.head("/unggah/" + "a" * 32, headers={"Tus-Resumable": TUS})
    assert response.status_code == 401
    assert response.headers["Tus-Resumable"] == TUS


def test_step3_must_be_open(client):
    """An official who has not sent steps 1 and 2 cannot create an upload."""
    official = Official(client)
    official.sign_up()
    token = csrf_from(client.get("/daftar/identitas").data)

    response = Tus(client, token).create(100)
    assert response.status_code == 403


def test_patch_appends_and_reports_offset(tus):
    """PATCH writes at the offset: 204, the new offset and an expiry."""
    data = sized_pdf(200_000)
    url = tus.new(len(data))

    response = tus.patch(url, 0, data[:70_000])

    assert response.status_code == 204
    assert response.headers["Upload-Offset"] == "70000"
    assert response.headers["Upload-Expires"].endswith(" GMT")
    assert response.headers["Tus-Resumable"] == TUS
    assert tus.head(url).headers["Upload-Offset"] == "70000"


def test_patch_needs_offset_stream_content_type(tus):
    """Any other content type is refused with 415 and nothing is written."""
    url = tus.new(100)

    response = tus.patch(url, 0, b"x" * 10, content_type="application/octet-stream")

    assert response.status_code == 415
    assert tus.head(url).headers["Upload-Offset"] == "0"


def test_patch_at_wrong_offset_conflicts(tus):
    """An offset other than the one reached is refused with 409."""
    url = tus.new(100)
    assert tus.patch(url, 0, b"x" * 10).status_code == 204

    assert tus.patch(url, 0, b"y" * 10).status_code == 409
    assert tus.patch(url, 20, b"y" * 10).status_code == 409
    assert tus.head(url).headers["Upload-Offset"] == "10"


def test_patch_without_offset_is_bad(tus):
    """Upload-Offset is required on PATCH."""
    url = tus.new(100)
    response = tus.client.patch(
        url, data=b"x", content_type=OFFSET_STREAM, headers=tus.headers()
    )
    assert response.status_code == 400


def test_patch_never_writes_past_the_length(tus, app):
    """A piece that would pass Upload-Length is refused whole with 413."""
    url = tus.new(100)
    assert tus.patch(url, 0, b"x" * 60).status_code == 204

    assert tus.patch(url, 60, b"y" * 41).status_code == 413
    assert tus.head(url).headers["Upload-Offset"] == "60"
    assert (upload_folder(app, url) / "data").stat().st_size == 60


def test_broken_off_piece_keeps_what_arrived(tus):
    """A body shorter than its Content-Length counts up to the last byte."""
    url = tus.new(5000)

    response = tus.patch(
        url, 0, b"z" * 1000, environ_overrides={"CONTENT_LENGTH": "3000"}
    )

    assert response.status_code == 400
    assert tus.head(url).headers["Upload-Offset"] == "1000"
    assert tus.patch(url, 1000, b"z" * 500).headers["Upload-Offset"] == "1500"


def test_busy_upload_answers_423(tus, app):
    """While one request writes, another is told to come back (423)."""
    url = tus.new(100)
    folder = upload_folder(app, url)

    with services._locked(folder):
        assert tus.patch(url, 0, b"x" * 10).status_code == 423
        assert tus.delete(url).status_code == 423
    assert tus.patch(url, 0, b"x" * 10).status_code == 204


def test_other_officials_upload_is_not_found(tus, app):
    """Another official's upload answers 404 to HEAD, PATCH, DELETE and hasil."""
    url = tus.new(100)
    other_client, other_token = second_official(app)
    other = Tus(other_client, other_token)

    assert other.head(url).status_code == 404
    assert other.patch(url, 0, b"x" * 10).status_code == 404
    assert other.delete(url).status_code == 404
    assert other_client.get(url + "/hasil").status_code == 404
    assert tus.head(url).headers["Upload-Offset"] == "0"


def test_unknown_or_malformed_id_is_not_found(tus):
    """Ids that were never issued, or are not ids at all, answer 404."""
    assert tus.head("/unggah/" + "0" * 32).status_code == 404
    assert tus.head("/unggah/..%2F..%2Fetc").status_code == 404
    assert tus.head("/unggah/ABC").status_code == 404


def test_termination_removes_the_files(tus, app):
    """DELETE answers 204, removes the upload's files; then it is unknown."""
    url = tus.new(100)
    tus.patch(url, 0, b"x" * 10)
    folder = upload_folder(app, url)
    assert folder.is_dir()

    response = tus.delete(url)

    assert response.status_code == 204
    assert response.headers["Tus-Resumable"] == TUS
    assert not folder.exists()
    assert tus.head(url).status_code == 404


def test_expired_upload_is_gone_then_unknown(tus, monkeypatch):
    """After the expiry time an upload answers 410 once, then 404."""
    url = tus.new(100)
    tus.patch(url, 0, b"x" * 10)
    later = services.now() + 24 * 3600 + 1
    monkeypatch.setattr(services, "now", lambda: later)

    assert tus.head(url).status_code == 410
    assert tus.head(url).status_code == 404


def test_each_piece_pushes_the_expiry_back(tus, monkeypatch):
    """An upload that keeps receiving bytes does not expire."""
    url = tus.new(100)
    start = services.now()
    monkeypatch.setattr(services, "now", lambda: start + 20 * 3600)
    tus.patch(url, 0, b"x" * 10)
    monkeypatch.setattr(services, "now", lambda: start + 40 * 3600)

    assert tus.head(url).status_code == 200


def test_cleanup_command_removes_expired_uploads(tus, app, runner, monkeypatch):
    """`flask unggah bersihkan` deletes expired uploads and keeps live ones."""
    old = tus.new(100)
    tus.patch(old, 0, b"x" * 10)
    old_folder = upload_folder(app, old)
    start = services.now()

    monkeypatch.setattr(services, "now", lambda: start + 23 * 3600)
    fresh_folder = upload_folder(app, tus.new(100))
    monkeypatch.setattr(services, "now", lambda: start + 25 * 3600)

    result = runner.invoke(args=["unggah", "bersihkan"])

    assert result.exit_code == 0
    assert "1 unggahan kedaluwarsa dihapus" in result.output
    assert not old_folder.exists()
    assert fresh_folder.is_dir()


def test_creation_cleans_up_now_and_then(tus, app, monkeypatch):
    """Creating an upload clears expired ones, at most once per interval."""
    old_folder = upload_folder(app, tus.new(100))
    start = services.now()
    monkeypatch.setattr(services, "now", lambda: start + 25 * 3600)

    tus.new(100)

    assert not old_folder.exists()


def test_all_uploads_of_an_official_can_be_removed(tus, app):
    """Deleting an account can take every upload of it along, done or not."""
    first = upload_folder(app, tus.new(100))
    second = upload_folder(app, tus.send(sized_pdf(20_000)))
    user_id = int(first.parent.name)

    with app.app_context():
        assert services.remove_all_of(user_id) == 2
        assert services.remove_all_of(user_id) == 0
    assert not first.exists()
    assert not second.exists()


def test_oldest_unfinished_upload_makes_room(tus, app, monkeypatch):
    """A fourth unfinished upload pushes out the one idle longest."""
    start = services.now()
    urls = []
    for minute in range(4):
        monkeypatch.setattr(services, "now", lambda m=minute: start + m * 60)
        urls.append(tus.new(100))

    assert tus.head(urls[0]).status_code == 404
    assert [tus.head(url).status_code for url in urls[1:]] == [200, 200, 200]
    user_folder = upload_folder(app, urls[1]).parent
    assert len(list(user_folder.iterdir())) == 3


def test_complete_pdf_is_stored_and_attached(tus, app):
    """The last piece stores the SK with its SHA-256 and attaches it."""
    data = sized_pdf(300_000)
    url = tus.send(data, chunk=100_000, meta=metadata("SK Kaur Keuangan.pdf"))

    verdict = tus.verdict(url)

    assert verdict["ok"] is True
    assert verdict["state"] == "stored"
    assert verdict["message"].startswith("SK tersimpan: SK Kaur Keuangan.pdf")
    assert verdict["document"]["sha256"] == sha256(data)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email.like("siti%")))
        document = db.session.get(Document, verdict["document"]["id"])
        assert user.profile.sk_document_id == document.id
        assert document.owner_id == user.id
        assert document.sha256 == sha256(data)
        assert document.size == len(data)
        assert document.original_name == "SK Kaur Keuangan.pdf"
        assert sha256(storage_path(document.storage_name).read_bytes()) == sha256(data)
    assert not (upload_folder(app, url) / "data").exists()
    assert tus.head(url).headers["Upload-Offset"] == str(len(data))


def test_non_pdf_completes_but_is_refused(tus, app):
    """A text file named .pdf is transferred (204) but the verdict refuses it."""
    data = b"Surat Keputusan Kepala Desa\n" * 2000
    url = tus.send(data, chunk=20_000, meta=metadata("surat.pdf"))

    verdict = tus.verdict(url)

    assert verdict == {
        "state": "refused",
        "ok": False,
        "message": MESSAGES["not_pdf"],
        "document": None,
        "offset": len(data),
        "length": len(data),
    }
    with app.app_context():
        assert db.session.scalar(select(Document)) is None
    assert not (upload_folder(app, url) / "data").exists()


def test_verdict_before_the_end_says_not_done(tus):
    """Asking for the verdict early tells that the upload is not finished."""
    url = tus.new(100)
    tus.patch(url, 0, b"x" * 10)

    verdict = tus.verdict(url)

    assert verdict["ok"] is False
    assert verdict["state"] == "uploading"
    assert verdict["offset"] == 10


def test_verdict_left_pending_is_worked_out(tus, app):
    """A verdict a dead request left pending is reached on the next question."""
    data = sized_pdf(50_000)
    url = tus.new(len(data))
    folder = upload_folder(app, url)
    (folder / "data").write_bytes(data)
    upload = services._read(folder)
    upload.offset = len(data)
    upload.state = services.CHECKING
    services._write(folder, upload)

    verdict = tus.verdict(url)

    assert verdict["ok"] is True
    assert verdict["document"]["sha256"] == sha256(data)


def test_tus_answers_are_never_gzipped(tus):
    """Creation, HEAD and PATCH answers carry no body to compress."""
    gzip = {"Accept-Encoding": "gzip"}
    created = tus.create(100, **gzip)
    url = created.headers["Location"]
    patched = tus.client.patch(
        url,
        data=b"x" * 50,
        content_type=OFFSET_STREAM,
        headers=tus.headers(**{"Upload-Offset": "0"}, **gzip),
    )
    head = tus.head(url, **gzip)

    for response in (created, patched, head):
        assert "Content-Encoding" not in response.headers
        assert response.data == b""


def test_form_sends_only_fields_after_a_tus_upload(tus, client):
    """Simpan without a file succeeds once the SK came over tus."""
    tus.send(sized_pdf(40_000))
    page = client.get("/daftar/lokasi")
    assert b"SK tersimpan" in page.data

    response = client.post(
        "/daftar/lokasi",
        data={
            "csrf_token": csrf_from(page.data),
            "provinsi": "52",
            "kabupaten": "52.03",
            "kecamatan": "52.03.01",
            "desa": "52.03.01.2001",
            "sk_number": "188.45/123/DPMD/2021",
            "sk_date": "2020-12-28",
        },
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/status"


def test_after_submission_uploads_are_closed(tus, client):
    """Once step 3 is handed in, no upload can be created or continued."""
    url = tus.new(100)
    Official(client).step3()

    assert tus.create(100).status_code == 403
    assert tus.patch(url, 0, b"x" * 10).status_code == 403
