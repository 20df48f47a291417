"""Officials' own data: a full copy, deletion with the file, and retention."""

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from pamong.accounts.models import AccountEvent, User
from pamong.core.time import utcnow
from pamong.documents.models import Document
from pamong.extensions import db
from tests.conftest import csrf_from
from tests.helpers import Official


def stored_files(app) -> list[Path]:
    """Return every stored SK file."""
    return list(Path(app.config["UPLOAD_FOLDER"]).rglob("*.pdf"))


def test_official_downloads_their_data_with_nik_as_text(app, client):
    """The JSON copy holds every field; the NIK keeps its 16 digits as text."""
    Official(client).register()
    response = client.get("/data-saya")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]

    data = json.loads(response.data)
    assert data["profil"]["nik"] == "5203015204850001"
    assert data["profil"]["no_hp"] == "+6281234567890"
    assert data["profil"]["tanggal_lahir"] == "1985-04-12"
    assert data["profil"]["berkas_sk"]["sha256"]
    assert data["akun"]["versi_pemberitahuan_privasi"] == app.config["PRIVACY_VERSION"]


def test_deletion_request_is_recorded(app, client):
    """Asking for deletion leaves a history line the admins see."""
    Official(client).register()
    page = client.get("/status")
    client.post("/data-saya/hapus", data={"csrf_token": csrf_from(page.data)})
    with app.app_context():
        actions = db.session.scalars(select(AccountEvent.action)).all()
    assert "deletion_requested" in actions


def test_deleting_an_account_removes_its_file(app, client, runner):
    """The CLI deletion removes the account, its rows and its SK file."""
    Official(client).register()
    assert len(stored_files(app)) == 1

    result = runner.invoke(args=["akun", "hapus", "siti.aminah@example.id"])
    assert "dihapus" in result.output
    assert stored_files(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
        assert db.session.scalar(select(func.count()).select_from(Document)) == 0


def test_retention_purges_old_unverified_and_rejected(app, runner):
    """Unverified after 30 days and rejected after 180 go; recent ones stay."""
    cases = {
        "lama.belum@example.id": ("registered", 31),
        "baru.belum@example.id": ("registered", 5),
        "lama.ditolak@example.id": ("rejected", 181),
        "baru.ditolak@example.id": ("rejected", 30),
        "disetujui@example.id": ("approved", 400),
    }
    for serial, email in enumerate(cases, start=1):
        official = Official(app.test_client(), email=email)
        official.identity["nik"] = f"520301520485{serial:04d}"
        if cases[email][0] == "registered":
            official.sign_up(verify=False)
        else:
            official.register()
    with app.app_context():
        for email, (state, days) in cases.items():
            user = db.session.scalar(select(User).where(User.email == email))
            user.state = state
            user.created_at = utcnow() - timedelta(days=days)
            db.session.commit()
            db.session.execute(
                User.__table__.update()
                .where(User.id == user.id)
                .values(updated_at=utcnow() - timedelta(days=days))
            )
            db.session.commit()

    result = runner.invoke(args=["akun", "purge"])
    assert "belum_verifikasi: 1" in result.output
    assert "ditolak: 1" in result.output
    with app.app_context():
        left = set(db.session.scalars(select(User.email)).all())
    assert left == {
        "baru.belum@example.id",
        "baru.ditolak@example.id",
        "disetujui@example.id",
    }
    assert len(stored_files(app)) == 2
