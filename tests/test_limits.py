"""Rate limits, in process and in Redis, and the clean-up of replaced SK files."""

import io
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from pamong.documents.models import Document
from pamong.extensions import db
from tests.conftest import _settings, csrf_from, empty_tables
from tests.helpers import Official

STORES = {
    "memory": "memory://",
    "redis": "redis://127.0.0.1:6379",
}


@pytest.fixture(params=sorted(STORES))
def limited_app(request, database_url, smtp, tmp_path):
    """The app with rate limits on, in each kind of store."""
    from pamong import create_app
    from pamong.extensions import limiter

    settings = _settings(database_url, tmp_path, smtp.port)
    settings.update(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=STORES[request.param],
        RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
        OUTBOX_WORKER=False,
    )
    app = create_app(settings)
    yield app
    with app.app_context():
        limiter.reset()
    empty_tables(app)


def test_login_is_throttled_per_address(limited_app):
    """After 20 login attempts in a minute the 21st gets a 429 page in Indonesian."""
    client = limited_app.test_client()
    token = csrf_from(client.get("/masuk").data)
    codes = [
        client.post(
            "/masuk",
            data={"csrf_token": token, "email": f"x{n}@example.id", "password": "x"},
        ).status_code
        for n in range(21)
    ]
    assert codes[:20] == [200] * 20
    assert codes[20] == 429
    last = client.post("/masuk", data={"csrf_token": token, "email": "a@b.id"})
    assert "Terlalu banyak percobaan" in last.get_data(as_text=True)


def test_nik_guessing_is_throttled_per_account(limited_app):
    """Step 1 accepts 20 sends an hour per account, then answers 429."""
    official = Official(limited_app.test_client())
    official.sign_up()
    token = csrf_from(official.client.get("/daftar/identitas").data)
    codes = [
        official.client.post(
            "/daftar/identitas",
            data={"csrf_token": token, "nik": f"52030152048{n:05d}"},
        ).status_code
        for n in range(21)
    ]
    assert 429 not in codes[:20]
    assert codes[20] == 429


def test_cascade_button_does_not_use_up_the_upload_limit(limited_app):
    """Asking for the next region list without JavaScript is not limited."""
    official = Official(limited_app.test_client())
    official.sign_up()
    official.step1()
    official.step2()
    token = csrf_from(official.client.get("/daftar/lokasi").data)
    for _ in range(35):
        response = official.client.post(
            "/daftar/lokasi",
            data={"csrf_token": token, "provinsi": "52", "pilih_wilayah": "1"},
        )
        assert response.status_code == 200


def test_replaced_sk_leaves_no_file_behind(app, client):
    """Uploading a new SK deletes the old one's row and file."""
    official = Official(client)
    official.sign_up()
    official.step1()
    official.step2()
    official.step3(sk_number="")
    official.step3(sk_number="")

    with app.app_context():
        documents = db.session.scalars(select(Document)).all()
        assert len(documents) == 1
    stored = [p for p in Path(app.config["UPLOAD_FOLDER"]).rglob("*.pdf")]
    assert len(stored) == 1


def test_cascade_button_with_a_file_counts_against_the_upload_limit(limited_app):
    """A file sent with the cascade button is checked, so it is limited: 30 an hour."""
    official = Official(limited_app.test_client())
    official.sign_up()
    official.step1()
    official.step2()
    token = csrf_from(official.client.get("/daftar/lokasi").data)
    codes = [
        official.client.post(
            "/daftar/lokasi",
            data={
                "csrf_token": token,
                "provinsi": "52",
                "pilih_wilayah": "1",
                "sk_file": (io.BytesIO(b"bukan pdf"), "sk.pdf"),
            },
            content_type="multipart/form-data",
        ).status_code
        for _ in range(31)
    ]
    assert 429 not in codes[:30]
    assert codes[30] == 429


def test_step2_is_throttled_per_account(limited_app):
    """Step 2 accepts 20 sends an hour per account, then answers 429."""
    official = Official(limited_app.test_client())
    official.sign_up()
    official.step1()
    token = csrf_from(official.client.get("/daftar/jabatan").data)
    codes = [
        official.client.post(
            "/daftar/jabatan", data={"csrf_token": token, **official.position}
        ).status_code
        for _ in range(21)
    ]
    assert 429 not in codes[:20]
    assert codes[20] == 429
