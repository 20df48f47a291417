"""The account page: NIK reveal, checks, look-alikes, SK hints, decisions."""

import pytest
from sqlalchemy import select

from pamong.accounts.models import AccountEvent
from pamong.admin.models import AuditEntry, ReviewDecision, SkHint
from pamong.admin.services import correction_steps
from pamong.extensions import db
from tests.admin_helpers import (
    TIMUR_2,
    admin_tables,  # noqa: F401
    load,
    login_admin,
    register_pending,
    seed,
    sk_pdf,
)
from tests.conftest import csrf_from

pytestmark = pytest.mark.usefixtures("admin_tables")


def audit_actions(app) -> list[tuple[str, int | None]]:
    """Return every audit entry of an admin in the app as (action, target)."""
    with app.app_context():
        return db.session.execute(
            select(AuditEntry.action, AuditEntry.target_user_id)
            .where(AuditEntry.actor_id.is_not(None))
            .order_by(AuditEntry.id)
        ).all()


def test_nik_is_masked_until_revealed_and_the_reveal_is_audited(app, mailbox, runner):
    """The page shows the masked NIK; the button answers the full one to htmx."""
    user_id = register_pending(app, mailbox, nik="5203015204850007")
    admin = login_admin(app, runner)

    page = admin.client.get(f"/admin/akun/{user_id}")
    assert b"5203********0007" in page.data
    assert b"5203015204850007" not in page.data
    assert b"Tampilkan NIK" in page.data
    assert audit_actions(app) == []

    fragment = admin.client.post(
        f"/admin/akun/{user_id}/nik",
        data={"csrf_token": csrf_from(page.data)},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200
    assert b"<html" not in fragment.data
    assert b'id="nik-box"' in fragment.data
    assert b"5203015204850007" in fragment.data
    assert "HX-Request" in fragment.headers["Vary"]
    assert "no-store" in fragment.headers["Cache-Control"]

    full = admin.client.post(
        f"/admin/akun/{user_id}/nik", data={"csrf_token": csrf_from(page.data)}
    )
    assert b"<html" in full.data and b"5203015204850007" in full.data
    assert audit_actions(app) == [("nik_revealed", user_id), ("nik_revealed", user_id)]


def test_reveal_needs_a_post_with_token(app, runner):
    """A link or a forged form cannot reveal a NIK."""
    user_id = seed(app, 1)[0]
    admin = login_admin(app, runner)
    assert admin.client.get(f"/admin/akun/{user_id}/nik").status_code == 405
    assert admin.client.post(f"/admin/akun/{user_id}/nik").status_code == 400
    assert audit_actions(app) == []


def test_nik_checks_and_flags_are_listed(app, runner):
    """The stored flags show as failed checks with the official's confirmation."""
    user_id = seed(app, 1, nik="5203015204850003")[0]
    with app.app_context():
        from pamong.registration.models import Profile

        profile = db.session.scalar(select(Profile).where(Profile.user_id == user_id))
        profile.nik_date_mismatch = True
        db.session.commit()
    admin = login_admin(app, runner)
    page = admin.client.get(f"/admin/akun/{user_id}").data.decode()
    assert "Pemeriksaan NIK" in page
    assert '<li class="ok">16 angka' in page
    assert '<li class="bad">Tanggal lahir di NIK sama dengan yang diisi' in page
    assert "sudah mengonfirmasi" in page


def test_same_position_in_same_desa_is_pointed_out(app, runner):
    """Another pending or approved Kaur Keuangan of the desa is listed; a Staf not."""
    first, second = seed(app, 2)
    rejected = seed(app, 1, state="rejected")[0]
    staf = seed(app, 2, position="staf")
    elsewhere = seed(app, 1, village="52.03.01.2002")[0]
    admin = login_admin(app, runner)

    page = admin.client.get(f"/admin/akun/{first}").data.decode()
    assert f'href="/admin/akun/{second}"' in page
    assert f'href="/admin/akun/{rejected}"' not in page
    assert f'href="/admin/akun/{elsewhere}"' not in page
    page = admin.client.get(f"/admin/akun/{staf[0]}").data.decode()
    assert f'href="/admin/akun/{staf[1]}"' not in page


def test_sk_hints_compare_the_text_with_the_registration(app, mailbox, runner):
    """Name, desa and nomor SK found in the text layer; answers cached."""
    pdf = sk_pdf(
        "KEPUTUSAN KEPALA DESA TANJUNG LUAR NOMOR 188.45/123/DPMD/2021 "
        "MENGANGKAT SITI AMINAH SEBAGAI KAUR KEUANGAN"
    )
    user_id = register_pending(app, mailbox, pdf=pdf)
    admin = login_admin(app, runner)

    page = admin.client.get(f"/admin/akun/{user_id}").data.decode()
    assert "Nama pendaftar di teks SK: ditemukan" in page
    assert "Nama desa di teks SK: ditemukan" in page
    assert "Nomor SK di teks SK: ditemukan" in page
    assert "Ada lapisan teks" in page
    with app.app_context():
        hint = db.session.scalar(select(SkHint))
        assert hint.name_found == "ya" and hint.village_found and hint.sk_number_found
        checked = hint.checked_at
    admin.client.get(f"/admin/akun/{user_id}")
    with app.app_context():
        assert db.session.scalar(select(SkHint)).checked_at == checked


def test_sk_hints_say_what_is_missing(app, mailbox, runner):
    """An SK naming someone else in another desa is flagged on each count."""
    pdf = sk_pdf("KEPUTUSAN KEPALA DESA PIJOT NOMOR 9/2020 MENGANGKAT BUDI SANTOSO")
    user_id = register_pending(app, mailbox, pdf=pdf, name="Siti Aminah Budi")
    admin = login_admin(app, runner)
    page = admin.client.get(f"/admin/akun/{user_id}").data.decode()
    assert "Nama pendaftar di teks SK: sebagian kata ditemukan" in page
    assert "Nama desa di teks SK: tidak ditemukan" in page
    assert "Nomor SK di teks SK: tidak ditemukan" in page


def test_reject_with_a_coded_reason(app, mailbox, runner):
    """The code and the note reach the official, the history and the audit log."""
    user_id = register_pending(app, mailbox, email="ditolak@example.id")
    admin = login_admin(app, runner)
    page = admin.client.get(f"/admin/akun/{user_id}")
    for code in (
        "sk_tidak_terbaca",
        "sk_milik_orang_lain",
        "desa_tidak_sesuai",
        "nik_salah",
        "jabatan_tidak_sesuai",
        "lainnya",
    ):
        assert f'value="{code}"'.encode() in page.data

    response = admin.client.post(
        f"/admin/akun/{user_id}/tolak",
        data={
            "csrf_token": csrf_from(page.data),
            "kode": "sk_milik_orang_lain",
            "reason": "SK atas nama Budi.",
        },
    )
    assert response.status_code == 302
    mail = mailbox.wait_for("ditolak@example.id", "Pendaftaran perlu diperbaiki")
    assert "SK milik orang lain. SK atas nama Budi." in mail.body
    user = load(app, user_id)
    assert user.state == "rejected"
    assert user.rejection_reason == "SK milik orang lain. SK atas nama Budi."
    with app.app_context():
        decision = db.session.scalar(select(ReviewDecision))
        assert (decision.decision, decision.reason_code) == (
            "reject",
            "sk_milik_orang_lain",
        )
    assert ("rejected", user_id) in audit_actions(app)


def test_coded_reason_needs_no_note_but_lainnya_does(app, mailbox, runner):
    """ "Lainnya" without a note is refused next to the field."""
    user_id = register_pending(app, mailbox)
    admin = login_admin(app, runner)
    token = csrf_from(admin.client.get(f"/admin/akun/{user_id}").data)
    refused = admin.client.post(
        f"/admin/akun/{user_id}/tolak",
        data={"csrf_token": token, "kode": "lainnya", "reason": ""},
    )
    assert refused.status_code == 422
    assert b"Tulis alasan" in refused.data
    assert load(app, user_id).state == "pending"

    accepted = admin.client.post(
        f"/admin/akun/{user_id}/tolak", data={"csrf_token": token, "kode": "nik_salah"}
    )
    assert accepted.status_code == 302
    assert load(app, user_id).rejection_reason == "NIK salah."


def test_ask_for_correction_of_named_steps(app, mailbox, runner):
    """The steps are mailed, kept with the decision, and readable by registration."""
    user_id = register_pending(app, mailbox, email="perbaiki@example.id")
    admin = login_admin(app, runner)
    page = admin.client.get(f"/admin/akun/{user_id}")
    response = admin.client.post(
        f"/admin/akun/{user_id}/perbaikan",
        data={
            "csrf_token": csrf_from(page.data),
            "steps": ["identitas", "lokasi"],
            "catatan": "Tanggal lahir dan SK tidak cocok dengan KTP.",
        },
    )
    assert response.status_code == 302
    mail = mailbox.wait_for("perbaiki@example.id", "Pendaftaran perlu diperbaiki")
    assert "Langkah 1: Identitas" in mail.body
    assert "Langkah 3: Lokasi tugas dan SK" in mail.body
    assert "Langkah 2" not in mail.body
    assert "Tanggal lahir dan SK tidak cocok" in mail.body

    with app.app_context():
        from pamong.accounts.models import User

        user = db.session.get(User, user_id)
        assert user.state == "rejected"
        assert correction_steps(user) == ["identitas", "lokasi"]
        actions = db.session.scalars(
            select(AccountEvent.action).where(AccountEvent.user_id == user_id)
        ).all()
        assert "correction_requested" in actions
    assert ("correction_requested", user_id) in audit_actions(app)


def test_correction_needs_a_step_and_a_note(app, mailbox, runner):
    """Nothing is decided without a step and a note."""
    user_id = register_pending(app, mailbox)
    admin = login_admin(app, runner)
    token = csrf_from(admin.client.get(f"/admin/akun/{user_id}").data)
    response = admin.client.post(
        f"/admin/akun/{user_id}/perbaikan", data={"csrf_token": token, "catatan": ""}
    )
    assert response.status_code == 422
    assert b"Pilih paling sedikit satu langkah." in response.data
    assert b"Tulis apa yang perlu diperbaiki." in response.data
    assert load(app, user_id).state == "pending"


def test_second_decision_is_refused(app, mailbox, runner):
    """Two admins pressing at once: the second learns it was decided."""
    user_id = register_pending(app, mailbox)
    admin = login_admin(app, runner)
    token = csrf_from(admin.client.get(f"/admin/akun/{user_id}").data)
    admin.client.post(f"/admin/akun/{user_id}/setujui", data={"csrf_token": token})
    again = admin.client.post(
        f"/admin/akun/{user_id}/tolak",
        data={"csrf_token": token, "kode": "nik_salah"},
        follow_redirects=True,
    )
    assert "sudah diputuskan" in again.data.decode()
    assert load(app, user_id).state == "approved"
    with app.app_context():
        assert len(db.session.scalars(select(ReviewDecision)).all()) == 1


def test_decisions_are_shown_on_the_page(app, mailbox, runner):
    """The page lists earlier decisions with who took them."""
    user_id = register_pending(app, mailbox, place=TIMUR_2)
    admin = login_admin(app, runner)
    token = csrf_from(admin.client.get(f"/admin/akun/{user_id}").data)
    admin.client.post(
        f"/admin/akun/{user_id}/tolak",
        data={"csrf_token": token, "kode": "desa_tidak_sesuai"},
    )
    page = admin.client.get(f"/admin/akun/{user_id}").data.decode()
    assert "Ditolak oleh Admin Pamong Desa · Desa tidak sesuai" in page


def test_a_correction_is_shown_with_its_steps(app, mailbox, runner):
    """The history names the steps an admin asked to correct."""
    user_id = register_pending(app, mailbox)
    admin = login_admin(app, runner)
    token = csrf_from(admin.client.get(f"/admin/akun/{user_id}").data)
    admin.client.post(
        f"/admin/akun/{user_id}/perbaikan",
        data={
            "csrf_token": token,
            "steps": ["identitas", "lokasi"],
            "catatan": "Cek KTP.",
        },
    )
    page = admin.client.get(f"/admin/akun/{user_id}")
    assert page.status_code == 200
    assert (
        "Diminta perbaikan oleh Admin Pamong Desa · Langkah 1: Identitas, "
        "Langkah 3: Lokasi tugas dan SK: Cek KTP."
    ) in page.data.decode()


def test_two_admins_deciding_at_once_make_one_decision(app, mailbox, runner):
    """Approve and reject pressed together: one wins, the other is told."""
    from pamong.accounts.models import User
    from tests.test_concurrency import run_together

    user_id = register_pending(app, mailbox, email="rebutan@example.id")
    first = login_admin(app, runner)
    second = login_admin(app, runner, email="admin.kedua@pamong.test")
    tokens = [
        csrf_from(admin.client.get(f"/admin/akun/{user_id}").data)
        for admin in (first, second)
    ]
    responses = run_together(
        [
            lambda: first.client.post(
                f"/admin/akun/{user_id}/setujui", data={"csrf_token": tokens[0]}
            ),
            lambda: second.client.post(
                f"/admin/akun/{user_id}/tolak",
                data={
                    "csrf_token": tokens[1],
                    "kode": "nik_salah",
                    "reason": "NIK tidak sesuai KTP.",
                },
            ),
        ]
    )
    assert all(response.status_code == 302 for response in responses)
    with app.app_context():
        state = db.session.get(User, user_id).state
        decisions = db.session.scalars(
            select(ReviewDecision).where(ReviewDecision.user_id == user_id)
        ).all()
    assert len(decisions) == 1
    assert state == {"approve": "approved"}.get(decisions[0].decision, "rejected")
