"""Audit log page, targets, progress per kabupaten, and the daily digest."""

import pytest
from sqlalchemy import select

from pamong.admin.audit import record_admin_action
from pamong.admin.models import AuditEntry, Target
from pamong.extensions import db
from tests.admin_helpers import (
    admin_tables,  # noqa: F401
    login_admin,
    register_pending,
    seed,
    user_by_email,
)
from tests.conftest import csrf_from

pytestmark = pytest.mark.usefixtures("admin_tables")


def test_audit_page_is_for_national_admins_only(app, runner):
    """Provincial and kabupaten admins get 403."""
    provincial = login_admin(app, runner, "ntb@pamong.test", "provinsi", "52")
    kabupaten = login_admin(app, runner, "timur@pamong.test", "kabupaten", "52.03")
    assert provincial.client.get("/admin/audit").status_code == 403
    assert kabupaten.client.get("/admin/audit").status_code == 403


def test_audit_page_lists_and_filters_entries(app, mailbox, runner):
    """Decisions, reveals and exports appear with who, where and on whom."""
    user_id = register_pending(app, mailbox)
    national = login_admin(app, runner)
    other = login_admin(app, runner, "ntb@pamong.test", "provinsi", "52")
    token = csrf_from(national.client.get(f"/admin/akun/{user_id}").data)
    national.client.post(f"/admin/akun/{user_id}/nik", data={"csrf_token": token})
    other.client.get("/admin/ekspor.csv")
    national.client.post(f"/admin/akun/{user_id}/setujui", data={"csrf_token": token})

    page = national.client.get("/admin/audit").data.decode()
    assert "5 catatan" in page
    assert "Membuka NIK lengkap" in page
    assert "Mengekspor CSV" in page
    assert "Menyetujui pendaftaran" in page
    assert "127.0.0.1" in page
    assert "5203015204850" not in page

    only_exports = national.client.get("/admin/audit?aksi=export").data.decode()
    assert "1 catatan" in only_exports and "ntb@pamong.test" in only_exports
    ntb = user_by_email(app, "ntb@pamong.test")
    assert (
        "1 catatan" in national.client.get(f"/admin/audit?admin={ntb.id}").data.decode()
    )
    assert (
        "0 catatan"
        in national.client.get(
            "/admin/audit?dari=2001-01-01&sampai=2001-01-02"
        ).data.decode()
    )


def test_command_line_appointments_are_audited(app, runner):
    """``create-admin`` leaves an entry when it creates or changes an admin."""
    provinsi = ["--level", "provinsi", "--region", "52"]
    runner.invoke(args=["create-admin", "ntb@pamong.test", *provinsi])
    runner.invoke(args=["create-admin", "ntb@pamong.test", *provinsi])
    kabupaten = ["--level", "kabupaten", "--region", "52.03"]
    runner.invoke(args=["create-admin", "ntb@pamong.test", *kabupaten])
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry)).all()
    assert [(entry.actor_email, entry.ip) for entry in entries] == [("cli", "cli")] * 2
    assert '"region": "52.03"' in entries[1].details


def test_audit_log_cannot_be_changed_through_the_app(app, runner):
    """There is no route that edits or deletes an entry."""
    national = login_admin(app, runner)
    assert national.client.post("/admin/audit").status_code in (400, 405)
    rules = [rule.rule for rule in app.url_map.iter_rules() if "audit" in rule.rule]
    assert rules == ["/admin/audit"]


def test_record_admin_action_is_usable_from_other_features(app, runner):
    """The SK route (not ours) can record an opening with one call."""
    login_admin(app, runner)
    admin = user_by_email(app, "admin@pamong.test")
    with app.test_request_context(
        "/dokumen/1", environ_base={"REMOTE_ADDR": "10.1.2.3"}
    ):
        from pamong.accounts.models import User

        loaded = db.session.get(User, admin.id)
        record_admin_action(loaded, "sk_opened", 42, commit=True, document=7)
    with app.app_context():
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "sk_opened")
        )
        assert (entry.target_user_id, entry.ip) == (42, "10.1.2.3")
        assert entry.actor_email == "admin@pamong.test"
        assert '"document": 7' in entry.details


def test_sk_openings_are_audited(app, mailbox, runner):
    """Opening an SK leaves an audit entry (once the SK route records it)."""
    user_id = register_pending(app, mailbox)
    admin = login_admin(app, runner)
    with app.app_context():
        from pamong.accounts.models import User

        document_id = db.session.get(User, user_id).profile.sk_document_id
    assert admin.client.get(f"/dokumen/{document_id}").status_code == 200
    with app.app_context():
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "sk_opened")
        )
    if entry is None:
        pytest.xfail(
            "pamong.documents.routes.download does not call record_admin_action yet"
        )
    assert entry.target_user_id == user_id


def test_targets_from_the_command_line(app, runner):
    """``flask targets set`` creates and changes; ``list`` shows them."""
    assert (
        runner.invoke(args=["targets", "set", "52", "perencanaan", "358"]).exit_code
        == 0
    )
    assert (
        runner.invoke(args=["targets", "set", "52", "keuangan", "357"]).exit_code == 0
    )
    assert (
        runner.invoke(args=["targets", "set", "52", "keuangan", "360"]).exit_code == 0
    )
    bad = runner.invoke(args=["targets", "set", "99", "keuangan", "1"])
    assert bad.exit_code != 0
    listing = runner.invoke(args=["targets", "list"]).output
    assert "52\tNusa Tenggara Barat\tkeuangan\t360" in listing
    assert "52\tNusa Tenggara Barat\tperencanaan\t358" in listing
    with app.app_context():
        assert len(db.session.scalars(select(Target)).all()) == 2


def test_targets_page_and_form(app, runner):
    """Everyone sees the targets of their region; only national admins set them."""
    runner.invoke(args=["targets", "set", "52", "perencanaan", "358"])
    runner.invoke(args=["targets", "set", "51", "perencanaan", "100"])
    national = login_admin(app, runner)
    kabupaten = login_admin(app, runner, "timur@pamong.test", "kabupaten", "52.03")

    page = kabupaten.client.get("/admin/target").data.decode()
    assert "Nusa Tenggara Barat" in page and "358" in page
    assert "Bali" not in page
    assert "Ubah target" not in page
    token = csrf_from(page.encode())
    refused = kabupaten.client.post(
        "/admin/target",
        data={
            "csrf_token": token,
            "region": "52.03",
            "theme": "keuangan",
            "villages": "5",
        },
    )
    assert refused.status_code == 403

    page = national.client.get("/admin/target")
    response = national.client.post(
        "/admin/target",
        data={
            "csrf_token": csrf_from(page.data),
            "region": "52.03",
            "theme": "keuangan",
            "villages": "120",
        },
    )
    assert response.status_code == 302
    assert (
        "Kabupaten Lombok Timur" in national.client.get("/admin/target").data.decode()
    )
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.actor_id.is_not(None))
        ).all()
        assert actions == ["target_set"]


def test_progress_counts_villages_per_kabupaten(app, runner):
    """Villages with a registered, verified and approved official, per theme."""
    runner.invoke(args=["targets", "set", "52.03", "keuangan", "10"])
    seed(app, 2, village="52.03.01.2001", state="approved")
    seed(app, 1, village="52.03.01.2002", state="pending")
    seed(app, 1, village="52.03.01.2003", state="submitted", email_verified=False)
    seed(app, 1, village="52.03.01.2004", state="approved", position="kaur_perencanaan")
    seed(app, 1, village="52.01.01.2002", state="approved")
    admin = login_admin(app, runner, "ntb@pamong.test", "provinsi", "52")

    page = admin.client.get("/admin/capaian").data.decode()
    assert "Capaian Nusa Tenggara Barat" in page
    row = page.split("Kabupaten Lombok Timur", 1)[1].split("</tr>", 1)[0]
    cells = [cell.split("<")[0] for cell in row.split('<td class="num">')[1:]]
    villages, registered, verified, approved, planning, finance = cells
    assert int(villages) > 4
    assert (registered, verified, approved) == ("4", "3", "2")
    assert (planning, finance) == ("1 / –", "1 / 10")
    assert "Kabupaten Lombok Barat" in page
    assert "Kota Bima" in page


def test_progress_stays_in_scope(app, runner):
    """A kabupaten admin sees their kabupaten only; another provinsi is 404."""
    seed(app, 1, village="52.01.01.2002", state="approved")
    admin = login_admin(app, runner, "timur@pamong.test", "kabupaten", "52.03")
    page = admin.client.get("/admin/capaian").data.decode()
    assert "Kabupaten Lombok Timur" in page
    assert "Kabupaten Lombok Barat" not in page
    assert admin.client.get("/admin/capaian?provinsi=51").status_code == 404

    national = login_admin(app, runner)
    overview = national.client.get("/admin/capaian").data.decode()
    assert 'href="/admin/capaian?provinsi=52"' in overview
    assert "Jumlah Indonesia" in overview


def test_daily_digest_counts_pending_per_scope(app, mailbox, runner):
    """Each admin gets the number waiting in their own region."""
    seed(app, 3, village="52.03.01.2001")
    seed(app, 2, village="52.01.01.2002")
    seed(app, 1, village="52.03.01.2001", state="approved")
    login_admin(app, runner)
    login_admin(app, runner, "ntb@pamong.test", "provinsi", "52")
    login_admin(app, runner, "timur@pamong.test", "kabupaten", "52.03")
    login_admin(app, runner, "bali@pamong.test", "provinsi", "51")

    result = runner.invoke(args=["admin", "digest"])
    assert result.exit_code == 0, result.output
    subject = "Ringkasan harian: pendaftaran menunggu pemeriksaan"
    assert (
        "Ada 5 pendaftaran di seluruh Indonesia"
        in mailbox.wait_for("admin@pamong.test", subject).body
    )
    assert (
        "Ada 5 pendaftaran di Nusa Tenggara Barat"
        in mailbox.wait_for("ntb@pamong.test", subject).body
    )
    assert (
        "Ada 3 pendaftaran di Kabupaten Lombok Timur"
        in mailbox.wait_for("timur@pamong.test", subject).body
    )
    assert "Tidak ada pendaftaran" in mailbox.wait_for("bali@pamong.test", subject).body


def test_digest_can_skip_admins_with_nothing_waiting(app, mailbox, runner):
    """``--skip-empty`` leaves quiet regions alone."""
    seed(app, 1, village="52.03.01.2001")
    login_admin(app, runner, "ntb@pamong.test", "provinsi", "52")
    login_admin(app, runner, "bali@pamong.test", "provinsi", "51")
    result = runner.invoke(args=["admin", "digest", "--skip-empty"])
    assert "ringkasan dikirim ke 1 admin" in result.output
    mailbox.wait_for(
        "ntb@pamong.test", "Ringkasan harian: pendaftaran menunggu pemeriksaan"
    )
    assert (
        mailbox.count(
            "bali@pamong.test", "Ringkasan harian: pendaftaran menunggu pemeriksaan"
        )
        == 0
    )
