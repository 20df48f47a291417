"""A correction of named steps: only those steps open, and nothing else is saved."""

import pytest
from sqlalchemy import func, select

from pamong.accounts.models import AccountEvent
from tests.admin_helpers import (
    admin_tables,  # noqa: F401
    load,
    login_admin,
    register_pending,
)
from tests.conftest import csrf_from
from tests.helpers import Official

pytestmark = pytest.mark.usefixtures("admin_tables")

STEP_LINKS = {
    "identitas": b'href="/daftar/identitas"',
    "jabatan": b'href="/daftar/jabatan"',
    "lokasi": b'href="/daftar/lokasi"',
}


def ask_correction(app, mailbox, runner, steps, email="koreksi@example.id"):
    """Register an official, have an admin name ``steps``; return id and official.

    The official is logged in again on a fresh client, as after the mail.
    """
    user_id = register_pending(app, mailbox, email=email)
    admin = login_admin(app, runner)
    token = csrf_from(admin.client.get(f"/admin/akun/{user_id}").data)
    response = admin.client.post(
        f"/admin/akun/{user_id}/perbaikan",
        data={"csrf_token": token, "steps": steps, "catatan": "Periksa lagi."},
    )
    assert response.status_code == 302
    official = Official(app.test_client(), email=email)
    assert official.log_in().headers["Location"] == "/status"
    return user_id, official


def events(app, user_id: int, action: str) -> int:
    """Count the history lines of one action on an account."""
    from pamong.extensions import db

    with app.app_context():
        return db.session.scalar(
            select(func.count()).where(
                AccountEvent.user_id == user_id, AccountEvent.action == action
            )
        )


def post_from_status(official, url: str, data: dict):
    """Send a step form with the token of the status page."""
    token = csrf_from(official.client.get("/status").data)
    return official.client.post(url, data={"csrf_token": token, **data})


def test_status_page_lists_only_the_named_steps(app, mailbox, runner):
    """The official sees which steps to correct, each with its link."""
    _, official = ask_correction(app, mailbox, runner, ["lokasi"])
    page = official.client.get("/status")
    text = page.data.decode()
    assert "Langkah yang perlu diperbaiki" in text
    assert "Langkah 3: Lokasi tugas dan SK</a> — belum diperbaiki" in text
    assert STEP_LINKS["lokasi"] in page.data
    assert STEP_LINKS["identitas"] not in page.data
    assert STEP_LINKS["jabatan"] not in page.data
    assert "langsung dikirim ulang" in text
    assert b"Kirim ulang pendaftaran</button>" not in page.data


@pytest.mark.parametrize(
    ("url", "label"),
    [("/daftar/identitas", "Langkah 1: Identitas"), ("/daftar/jabatan", "Langkah 2")],
)
def test_a_step_not_named_sends_to_the_status_page(app, mailbox, runner, url, label):
    """Opening another step says it needs no change and which steps do."""
    _, official = ask_correction(app, mailbox, runner, ["lokasi"])
    response = official.client.get(url)
    assert response.status_code == 303
    assert response.headers["Location"] == "/status"
    page = official.client.get("/status").data.decode()
    assert f"{label}" in page and "tidak perlu diubah" in page
    assert "Admin meminta perbaikan pada Langkah 3: Lokasi tugas dan SK." in page


def test_a_post_to_a_step_not_named_saves_nothing(app, mailbox, runner):
    """A changed identity or position sent anyway is refused and not stored."""
    user_id, official = ask_correction(app, mailbox, runner, ["lokasi"])
    before = load(app, user_id).profile
    identity_events = events(app, user_id, "step_identity")

    refused = post_from_status(
        official,
        "/daftar/jabatan",
        {"is_pns": "ya", "position": "kepala_desa", "tmt": "2022-02-01"},
    )
    assert refused.status_code == 303
    assert refused.headers["Location"] == "/status"
    page = official.client.get("/status").data.decode()
    assert "Isian Langkah 2: Jabatan tidak disimpan" in page

    refused = post_from_status(
        official,
        "/daftar/identitas",
        {**official.identity, "phone": "0813-1111-2222", "submission_key": "k" * 20},
    )
    assert refused.status_code == 303

    after = load(app, user_id)
    assert after.state == "rejected"
    assert after.profile.position == before.position == "kaur_keuangan"
    assert after.profile.is_pns is False
    assert after.profile.phone == before.phone
    assert after.profile.position_done_at == before.position_done_at
    assert events(app, user_id, "step_identity") == identity_events
    assert events(app, user_id, "submission_key") == 0


def test_the_named_step_is_corrected_and_handed_in(app, mailbox, runner):
    """Step 3 opens with what was saved; Simpan sends the account back."""
    user_id, official = ask_correction(app, mailbox, runner, ["lokasi"])
    page = official.client.get("/daftar/lokasi")
    assert page.status_code == 200
    assert b"188.45/123/DPMD/2021" in page.data

    response = official.step3(pdf=False, sk_number="188.45/777/DPMD/2021")
    assert response.headers["Location"] == "/status"
    user = load(app, user_id)
    assert user.state == "pending"
    assert user.profile.sk_number == "188.45/777/DPMD/2021"
    assert "Perbaikan terkirim" in official.client.get("/status").data.decode()


def test_named_steps_open_in_order_and_resubmit_waits_for_them(app, mailbox, runner):
    """With steps 1 and 3 named, step 3 waits for step 1; then it hands in."""
    user_id, official = ask_correction(
        app, mailbox, runner, ["identitas", "lokasi"], email="dua@example.id"
    )
    early = official.client.get("/daftar/lokasi")
    assert early.status_code == 303
    assert early.headers["Location"] == "/daftar/identitas"
    assert "Perbaiki dulu Langkah 1: Identitas" in (
        official.client.get("/daftar/identitas").data.decode()
    )

    refused = post_from_status(official, "/status/kirim-ulang", {})
    assert refused.status_code == 303
    assert load(app, user_id).state == "rejected"

    saved = official.step1(phone="0813-1111-2222")
    assert saved.headers["Location"] == "/daftar/lokasi"
    status = official.client.get("/status").data.decode()
    assert "Langkah 1: Identitas</a> — sudah disimpan" in status
    assert "Langkah 3: Lokasi tugas dan SK</a> — belum diperbaiki" in status

    assert official.step3(pdf=False).headers["Location"] == "/status"
    user = load(app, user_id)
    assert user.state == "pending"
    assert user.profile.phone == "+6281311112222"


def test_a_corrected_step_leads_to_kirim_ulang(app, mailbox, runner):
    """With only step 2 named, saving it leads to the Kirim ulang button."""
    user_id, official = ask_correction(
        app, mailbox, runner, ["jabatan"], email="jabatan@example.id"
    )
    saved = official.step2(position="kaur_perencanaan")
    assert saved.headers["Location"] == "/status"
    page = official.client.get("/status").data.decode()
    assert "Perbaikan tersimpan" in page
    assert "Kirim ulang pendaftaran</button>" in page
    assert load(app, user_id).state == "rejected"

    sent = post_from_status(official, "/status/kirim-ulang", {})
    assert sent.headers["Location"] == "/status"
    user = load(app, user_id)
    assert user.state == "pending"
    assert user.profile.position == "kaur_perencanaan"


def test_a_plain_rejection_leaves_every_step_open(app, mailbox, runner):
    """Without named steps the official may change any step."""
    user_id = register_pending(app, mailbox, email="tolak@example.id")
    admin = login_admin(app, runner)
    token = csrf_from(admin.client.get(f"/admin/akun/{user_id}").data)
    admin.client.post(
        f"/admin/akun/{user_id}/tolak", data={"csrf_token": token, "kode": "nik_salah"}
    )
    official = Official(app.test_client(), email="tolak@example.id")
    official.log_in()
    page = official.client.get("/status")
    for link in STEP_LINKS.values():
        assert link in page.data
    assert official.client.get("/daftar/jabatan").status_code == 200
    assert official.step2(position="staf").status_code == 302
    assert load(app, user_id).profile.position == "staf"


def test_sk_cannot_be_replaced_by_upload_when_step_3_was_not_named(
    app, mailbox, runner
):
    """Asked to fix step 1 only, the official cannot start a resumable SK upload."""
    user_id, official = ask_correction(app, mailbox, runner, ["identitas"])
    token = csrf_from(official.client.get("/status").data)

    response = official.client.post(
        "/unggah/",
        headers={
            "Tus-Resumable": "1.0.0",
            "Upload-Length": "2000",
            "Upload-Metadata": "filename c2sucGRm,filetype YXBwbGljYXRpb24vcGRm",
            "X-CSRFToken": token,
        },
    )

    assert response.status_code == 403
    assert events(app, user_id, "sk_replaced") == 0
