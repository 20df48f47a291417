"""The app served by a real gunicorn with ``gunicorn.conf.py``.

Two workers of four threads each, on the suite's database. Officials on 2G
send their forms a few bytes at a time; while they hold all threads but one,
more than one worker has, everyone else's pages must still be answered. A body over
the size limit must get the 413 page, not a cut connection.
"""

import os
import socket
import subprocess
import sys
import threading
import time

import pytest
import requests

from pamong.config import ROOT
from tests.mailbox import free_port

WORKERS = 2
THREADS = 4

#: Every thread of both workers but one: more than one worker has threads.
SLOW_CLIENTS = WORKERS * THREADS - 1

#: Bytes a slow client sends per tick, and the seconds between ticks.
TRICKLE_BYTES = 4
TRICKLE_PAUSE = 0.1

#: Ticks a slow client trickles before it sends the rest at once.
TRICKLE_TICKS = 80

BOUNDARY = "pamong-lambat"


@pytest.fixture(scope="module")
def server(database_url, tmp_path_factory):
    """Start gunicorn on a free loopback port; yield its base URL."""
    folder = tmp_path_factory.mktemp("gunicorn")
    port = free_port()
    env = {
        **os.environ,
        "PAMONG_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(WORKERS),
        "PAMONG_THREADS": str(THREADS),
        "DATABASE_URL": database_url,
        "PAMONG_INSTANCE_PATH": str(folder),
        "PAMONG_UPLOAD_FOLDER": str(folder / "uploads"),
        "PAMONG_SECRET_KEY": "test-secret",
        "PAMONG_OUTBOX_WORKER": "0",
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    log_path = folder / "gunicorn.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process, log_path)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(base: str, process: subprocess.Popen, log_path) -> None:
    """Wait until every worker has loaded the app and one answers, or fail."""
    for _ in range(300):
        if process.poll() is not None:
            pytest.fail(f"gunicorn stopped:\n{log_path.read_text()}")
        log = log_path.read_text()
        if 0 < log.count("Booting worker") <= log.count("Worker ready"):
            try:
                requests.get(f"{base}/masuk", timeout=5)
            except requests.RequestException:
                pass
            else:
                return
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer:\n{log_path.read_text()}")


def _upload_request(port: int) -> bytes:
    """Return a whole multipart SK upload, as a phone would send it."""
    body = (
        (
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="sk_number"\r\n\r\n'
            "188.45/123/DPMD/2021\r\n"
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="sk_file"; filename="sk.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + b"%PDF-1.4\n"
        + b"0" * 2000
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    head = (
        "POST /daftar/lokasi HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    return head + body


class SlowClient(threading.Thread):
    """Sends an upload a few bytes at a time, then the rest, then reads the reply."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.port = port
        self.started_sending = threading.Event()
        self.finishing = threading.Event()
        self.reply = b""
        self.error: Exception | None = None

    def run(self):
        """Trickle, finish the request, and keep whatever the server answers."""
        request = _upload_request(self.port)
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=30) as sock:
                sent = 0
                for _ in range(TRICKLE_TICKS):
                    sock.sendall(request[sent : sent + TRICKLE_BYTES])
                    sent += TRICKLE_BYTES
                    self.started_sending.set()
                    time.sleep(TRICKLE_PAUSE)

                self.finishing.set()
                sock.sendall(request[sent:])
                self.reply = _read_all(sock)
        except OSError as error:
            self.error = error
            self.finishing.set()


def _read_all(sock: socket.socket) -> bytes:
    """Read until the server closes the connection."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_slow_senders_do_not_hold_up_other_pages(server):
    """Pages are answered while more officials trickle uploads than a worker has
    threads, and the slow uploads are answered too once they are complete."""
    port = int(server.rsplit(":", 1)[1])
    slow = [SlowClient(port) for _ in range(SLOW_CLIENTS)]
    for client in slow:
        client.start()
    for client in slow:
        assert client.started_sending.wait(10)
    time.sleep(0.5)

    pages = [
        ("/masuk", "<h1>Masuk</h1>"),
        ("/wilayah/kecamatan?kabupaten=52.03", '<option value="52.03.01">Keruak'),
    ] * 3
    answered = []
    for url, text in pages:
        response = requests.get(server + url, timeout=20)
        still_trickling = not any(client.finishing.is_set() for client in slow)
        answered.append((url, response.status_code, text in response.text))
        assert still_trickling, f"{url} was answered only after the slow uploads"

    assert answered == [(url, 200, True) for url, _text in pages]
    for client in slow:
        client.join(30)
        assert client.error is None
        assert client.reply.startswith(b"HTTP/1.1 400 ")
        assert b"Formulir sudah kedaluwarsa" in client.reply


def test_body_over_the_limit_gets_the_413_page(server):
    """An SK far over 10 MB is read to its end and gets the friendly page.

    Sent whole over a raw socket, as a browser sends a form: a server that
    answered early and closed with the body unread would cut the sending.
    """
    port = int(server.rsplit(":", 1)[1])
    size = 12 * 1024 * 1024
    head = (
        "POST /daftar/lokasi HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {size}\r\n\r\n"
    ).encode()
    chunk = b"0" * (64 * 1024)

    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head)
        for _ in range(size // len(chunk)):
            sock.sendall(chunk)
        reply = _read_all(sock)

    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 ")
    assert b"Content-Type: text/html" in head
    assert "Berkas terlalu besar. SK Jabatan paling besar 10 MB." in body.decode()


def refusal(tmp_path, drop: tuple[str, ...], **settings) -> str:
    """Start gunicorn without the ``drop`` variables; return what it said on exit."""
    env = {key: value for key, value in os.environ.items() if key not in drop}
    env.update(PAMONG_INSTANCE_PATH=str(tmp_path), **settings)

    finished = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert finished.returncode != 0
    return finished.stdout + finished.stderr


def test_several_workers_refuse_to_start_without_shared_limits(tmp_path):
    """Unset RATELIMIT_STORAGE_URI and two workers: gunicorn stops and says why."""
    said = refusal(
        tmp_path,
        ("RATELIMIT_STORAGE_URI",),
        PAMONG_BIND=f"127.0.0.1:{free_port()}",
        WEB_CONCURRENCY="2",
    )

    assert "RATELIMIT_STORAGE_URI is not set" in said


def test_a_public_address_without_a_proxy_is_refused(tmp_path):
    """Bound beyond loopback with no proxy declared, gunicorn stops and says why."""
    said = refusal(
        tmp_path,
        ("PAMONG_PROXY_COUNT", "RATELIMIT_STORAGE_URI"),
        PAMONG_BIND=f"0.0.0.0:{free_port()}",
        WEB_CONCURRENCY="1",
    )

    assert "without a proxy in front" in said
