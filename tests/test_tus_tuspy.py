"""The tus server against tuspy, an independent client from PyPI, over HTTP.

The app is served on 127.0.0.1 from a thread. The official is prepared with
the Flask test client, then logs in over HTTP; tuspy sends the session cookie
and the CSRF token of the step 3 page as headers of its own.
"""

import socket
import threading

import pytest
import requests
from sqlalchemy import select
from tusclient.client import TusClient
from tusclient.storage.filestorage import FileStorage
from werkzeug.serving import make_server

from pamong.documents.models import Document
from pamong.documents.services import storage_path
from pamong.extensions import db
from tests.conftest import csrf_from
from tests.helpers import Official
from tests.test_tus import sha256, sized_pdf

CHUNK = 64 * 1024
META = {"filename": "SK Jabatan.pdf", "filetype": "application/pdf"}


@pytest.fixture
def server(app, monkeypatch):
    """Serve the app over HTTP on loopback; yield its base URL."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name="tus-server")
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=10)


@pytest.fixture
def browser_session(app, server):
    """An official at step 3, logged in over HTTP: a requests session."""
    official = Official(app.test_client())
    official.sign_up()
    official.step1()
    official.step2()

    http = requests.Session()
    http.trust_env = False
    page = http.get(server + "/masuk", timeout=10)
    http.post(
        server + "/masuk",
        data={
            "csrf_token": csrf_from(page.content),
            "email": official.email,
            "password": official.password,
        },
        timeout=10,
    )
    page = http.get(server + "/daftar/lokasi", timeout=10)
    assert page.url == server + "/daftar/lokasi"
    http.headers["X-CSRFToken"] = csrf_from(page.content)
    yield http
    http.close()


def tus_client(server: str, http: requests.Session) -> TusClient:
    """A tuspy client that sends the session cookie and the CSRF token."""
    cookie = "; ".join(f"{name}={value}" for name, value in http.cookies.items())
    return TusClient(
        server + "/unggah/",
        headers={"Cookie": cookie, "X-CSRFToken": http.headers["X-CSRFToken"]},
    )


def stored_sha256(app, document_id: int) -> tuple[str, str]:
    """Return the SHA-256 recorded for a document and that of its file on disk."""
    with app.app_context():
        document = db.session.get(Document, document_id)
        on_disk = sha256(storage_path(document.storage_name).read_bytes())
        return document.sha256, on_disk


def test_tuspy_resumes_a_stopped_upload(app, server, browser_session, tmp_path):
    """Stopped after three pieces, a new uploader finds the URL and finishes."""
    data = sized_pdf(600_000)
    pdf = tmp_path / "sk.pdf"
    pdf.write_bytes(data)
    urls = FileStorage(str(tmp_path / "tus-urls.json"))
    client = tus_client(server, browser_session)

    first = client.uploader(
        file_path=str(pdf),
        chunk_size=CHUNK,
        metadata=META,
        store_url=True,
        url_storage=urls,
    )
    for _piece in range(3):
        first.upload_chunk()
    assert first.offset == 3 * CHUNK

    second = client.uploader(
        file_path=str(pdf),
        chunk_size=CHUNK,
        metadata=META,
        store_url=True,
        url_storage=urls,
    )
    assert second.url == first.url
    assert second.offset == 3 * CHUNK
    second.upload()
    assert second.offset == len(data)
    assert second.get_offset() == len(data)

    verdict = browser_session.get(first.url + "/hasil", timeout=10).json()
    assert verdict["ok"] is True
    assert verdict["document"]["name"] == "SK Jabatan.pdf"
    assert stored_sha256(app, verdict["document"]["id"]) == (sha256(data),) * 2
    with app.app_context():
        assert len(db.session.scalars(select(Document)).all()) == 1


def cut_piece(server: str, url: str, headers: dict, offset: int, body: bytes) -> int:
    """Send a PATCH that promises ``2 * len(body)`` bytes, then stop sending.

    Returns the status the server gave once it saw the body end early. The
    user agent is the one the session logged in with, as Flask-Login's strong
    session protection requires.
    """
    path = url.removeprefix(server)
    port = int(server.rsplit(":", 1)[1])
    lines = [
        f"PATCH {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"User-Agent: {requests.utils.default_user_agent()}",
        "Tus-Resumable: 1.0.0",
        "Content-Type: application/offset+octet-stream",
        f"Upload-Offset: {offset}",
        f"Content-Length: {2 * len(body)}",
        *(f"{name}: {value}" for name, value in headers.items()),
        "Connection: close",
    ]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        connection.shutdown(socket.SHUT_WR)
        reply = connection.recv(1024)
    return int(reply.split(b" ", 2)[1])


def test_tuspy_continues_after_a_connection_cut_mid_piece(
    app, server, browser_session, tmp_path
):
    """A piece cut off mid-way is kept up to its last byte; tuspy goes on."""
    data = sized_pdf(300_000, seed=11)
    pdf = tmp_path / "sk.pdf"
    pdf.write_bytes(data)
    client = tus_client(server, browser_session)
    first = client.uploader(file_path=str(pdf), chunk_size=CHUNK, metadata=META)
    first.upload_chunk()

    status = cut_piece(server, first.url, client.headers, CHUNK, data[CHUNK:90_000])
    assert status == 400

    second = client.uploader(
        file_path=str(pdf), url=first.url, chunk_size=CHUNK, metadata=META
    )
    assert second.offset == 90_000
    second.upload()

    verdict = browser_session.get(first.url + "/hasil", timeout=10).json()
    assert verdict["ok"] is True
    assert stored_sha256(app, verdict["document"]["id"]) == (sha256(data),) * 2


def test_tuspy_sees_refusals(server, browser_session, tmp_path):
    """A file over the limit is refused at creation, which tuspy reports."""
    from tusclient.exceptions import TusCommunicationError

    big = tmp_path / "big.pdf"
    with big.open("wb") as handle:
        handle.truncate(10 * 1024 * 1024 + 1)
    client = tus_client(server, browser_session)

    with pytest.raises(TusCommunicationError) as refused:
        client.uploader(file_path=str(big), chunk_size=CHUNK, metadata=META).upload()
    assert refused.value.status_code == 413
