"""The queue: counts, order, filters, htmx fragments, pages, bulk approve, CSV."""

import csv
import io
import re
from datetime import datetime

import pytest
from sqlalchemy import func, select

from pamong.accounts.models import AccountEvent
from pamong.admin.models import AuditEntry, ReviewDecision
from pamong.extensions import db
from tests.admin_helpers import (
    admin_tables,  # noqa: F401
    load,
    login_admin,
    register_pending,
    seed,
)
from tests.conftest import csrf_from

pytestmark = pytest.mark.usefixtures("admin_tables")

ROW_LINK = re.compile(rb'href="/admin/akun/(\d+)"')


def listed(response) -> list[int]:
    """Return the account ids linked from the queue, in order."""
    return [int(match) for match in ROW_LINK.findall(response.data)]


def test_counts_per_state_in_scope(app, runner):
    """Each state is counted, within the admin's kabupaten only."""
    seed(app, 3)
    seed(app, 2, state="approved")
    seed(app, 1, state="rejected")
    seed(app, 1, state="submitted", email_verified=False)
    seed(app, 4, state="registered")
    seed(app, 5, village="52.01.01.2002")
    national = login_admin(app, runner)
    kabupaten = login_admin(app, runner, "timur@pamong.test", "kabupaten", "52.03")

    page = national.client.get("/admin/").data.decode()
    assert "Menunggu pemeriksaan: 8" in page
    assert "Disetujui: 2" in page
    assert "Ditolak, menunggu perbaikan: 1" in page
    assert "Menunggu verifikasi email: 1" in page
    assert "Belum lengkap: 4" in page

    page = kabupaten.client.get("/admin/").data.decode()
    assert "Menunggu pemeriksaan: 3" in page
    assert "Belum lengkap: 0" in page


def test_pending_oldest_first_with_pages(app, runner):
    """Fifty to a page, oldest submission first, with working page links."""
    ids = seed(app, 53, start=datetime(2026, 10, 1))
    admin = login_admin(app, runner)

    first = admin.client.get("/admin/")
    assert listed(first) == ids[:50]
    assert b"Menampilkan 1\xe2\x80\x9350 dari 53" in first.data
    assert b'href="/admin/?halaman=2"' in first.data
    second = admin.client.get("/admin/?halaman=2")
    assert listed(second) == ids[50:]
    assert b"Sebelumnya" in second.data and b"Berikutnya" not in second.data


def test_htmx_gets_the_results_fragment(app, runner):
    """htmx gets the results alone; a plain request the page; both vary."""
    seed(app, 2)
    admin = login_admin(app, runner)

    fragment = admin.client.get(
        "/admin/?jabatan=kaur_keuangan", headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200
    assert b"<html" not in fragment.data
    assert b'<form method="get"' not in fragment.data
    assert b"Menunggu pemeriksaan: 2" in fragment.data
    assert "HX-Request" in fragment.headers["Vary"]
    assert "no-store" in fragment.headers["Cache-Control"]

    page = admin.client.get("/admin/?jabatan=kaur_keuangan")
    assert b"<html" in page.data
    assert b'<form method="post" action="/admin/cari"' in page.data
    assert b'hx-post="/admin/cari"' in page.data
    assert b'hx-target="#hasil"' in page.data
    assert b'id="hasil"' in page.data
    assert "HX-Request" in page.headers["Vary"]

    sent = admin.client.post(
        "/admin/cari",
        data={"csrf_token": csrf_from(page.data), "jabatan": "kaur_keuangan"},
        headers={"HX-Request": "true"},
    )
    assert b"<html" not in sent.data
    assert b"Menunggu pemeriksaan: 2" in sent.data
    assert sent.headers["HX-Push-Url"] == "/admin/?jabatan=kaur_keuangan"


def test_filter_form_is_labelled_and_uses_the_wilayah_cascade(app, runner):
    """Every filter has a label; the region lists fetch from /wilayah."""
    admin = login_admin(app, runner, "ntb@pamong.test", "provinsi", "52")
    page = admin.client.get("/admin/").data.decode()
    for field in (
        "q",
        "status",
        "tema",
        "jabatan",
        "provinsi",
        "kabupaten",
        "kecamatan",
        "dari",
        "sampai",
    ):
        assert f'<label for="{field}"' in page, field
        assert f'id="{field}"' in page
    assert 'hx-get="/wilayah/kabupaten"' in page
    assert '<option value="52" selected>' in page
    assert '<option value="51"' not in page
    assert 'value="52.03"' in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=approved", "approved"),
        ("status=semua", "all"),
        ("jabatan=kepala_desa", "kepala"),
        ("tema=perencanaan", "planning"),
        ("provinsi=52&kabupaten=52.01", "barat"),
        ("provinsi=52&kabupaten=52.03&kecamatan=52.03.01&desa=52.03.01.2002", "pijot"),
        ("dari=2026-11-02&sampai=2026-11-02", "second_day"),
        ("q=sri+WAHYUNI", "wahyuni"),
        ("q=Sri.Wahyuni@Example.ID", "wahyuni"),
        ("q=520301520499900", "none"),
        ("q=100%25", "none"),
    ],
)
def test_filters(app, runner, query, expected):
    """Each filter narrows the list as it says."""
    groups = {
        "pending": seed(app, 1, start=datetime(2026, 11, 1, 8)),
        "approved": seed(app, 1, state="approved"),
        "kepala": seed(app, 1, position="kepala_desa", start=datetime(2026, 11, 3)),
        "planning": seed(
            app, 1, position="kaur_perencanaan", start=datetime(2026, 11, 3)
        ),
        "override": seed(
            app, 1, theme_override="perencanaan", start=datetime(2026, 11, 3)
        ),
        "barat": seed(app, 1, village="52.01.01.2002", start=datetime(2026, 11, 3)),
        "pijot": seed(app, 1, village="52.03.01.2002", start=datetime(2026, 11, 3)),
        "second_day": seed(app, 1, start=datetime(2026, 11, 2, 23, 30)),
        "wahyuni": seed(
            app,
            1,
            name="Sri Wahyuni",
            email="sri.wahyuni@example.id",
            start=datetime(2026, 11, 3),
        ),
        "nik": seed(app, 1, nik="5203015204999001", start=datetime(2026, 11, 3)),
    }
    pending = [ids[0] for name, ids in groups.items() if name != "approved"]
    expected_ids = {
        "all": [ids[0] for ids in groups.values()],
        "planning": groups["planning"] + groups["override"] + groups["kepala"],
        "none": [],
    }.get(expected, groups.get(expected))
    admin = login_admin(app, runner)

    response = admin.client.get(f"/admin/?{query}")
    assert response.status_code == 200
    assert sorted(listed(response)) == sorted(expected_ids)
    assert set(listed(admin.client.get("/admin/"))) == set(pending)


def test_bad_filter_values_are_ignored(app, runner):
    """A hand-edited URL shows a page rather than an error."""
    seed(app, 1)
    admin = login_admin(app, runner)
    response = admin.client.get(
        "/admin/?status=x&tema=y&jabatan=z&dari=kemarin&halaman=-3&provinsi=5%25"
    )
    assert response.status_code == 200
    assert len(listed(response)) == 1


def test_bulk_approve_records_each_decision(app, mailbox, runner):
    """Selected rows are approved one by one, each with event, audit and mail."""
    first = register_pending(app, mailbox, email="satu@example.id")
    second = register_pending(app, mailbox, email="dua@example.id")
    untouched = register_pending(app, mailbox, email="tiga@example.id")
    admin = login_admin(app, runner)
    page = admin.client.get("/admin/?jabatan=kaur_keuangan")
    assert b'name="pilih"' in page.data
    assert b"Setujui yang dipilih" in page.data

    response = admin.client.post(
        "/admin/setujui-terpilih",
        data={
            "csrf_token": csrf_from(page.data),
            "pilih": [str(first), str(second), "999999"],
            "kembali": "/admin/?jabatan=kaur_keuangan",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/?jabatan=kaur_keuangan"
    assert load(app, first).state == "approved"
    assert load(app, second).state == "approved"
    assert load(app, untouched).state == "pending"
    mailbox.wait_for("satu@example.id", "Pendaftaran disetujui")
    mailbox.wait_for("dua@example.id", "Pendaftaran disetujui")

    with app.app_context():
        for user_id in (first, second):
            assert (
                db.session.scalar(
                    select(func.count()).where(
                        AccountEvent.user_id == user_id,
                        AccountEvent.action == "approved",
                    )
                )
                == 1
            )
            assert (
                db.session.scalar(
                    select(func.count()).where(ReviewDecision.user_id == user_id)
                )
                == 1
            )
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "approved")
        ).all()
        assert sorted(entry.target_user_id for entry in entries) == sorted(
            [first, second]
        )
    follow = admin.client.get(response.headers["Location"])
    assert b"2 pendaftaran disetujui. 1 dilewati" in follow.data


def test_bulk_approve_never_redirects_off_site(app, runner):
    """The return address must be a path of the admin desk."""
    admin = login_admin(app, runner)
    token = csrf_from(admin.client.get("/admin/").data)
    for target in ("https://evil.example/admin/", "//evil.example/admin/", "/masuk"):
        response = admin.client.post(
            "/admin/setujui-terpilih", data={"csrf_token": token, "kembali": target}
        )
        assert response.headers["Location"] == "/admin/"


def read_csv(response) -> list[list[str]]:
    """Parse an export, checking its BOM and separator."""
    assert response.data.startswith("\ufeff".encode())
    text = response.data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_export_keeps_every_digit_of_nik_and_phone(app, runner):
    """UTF-8 with BOM, ``;``-separated, NIK and phone as ="…" text cells."""
    seed(app, 1, name="Ni Luh Putu Ayu Ni’mah", nik="5203015204850099")
    seed(app, 1, name='=HYPERLINK("x")', village="52.01.01.2002")
    admin = login_admin(app, runner)

    response = admin.client.get("/admin/ekspor.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    header, first, second = rows
    assert header[:3] == ["ID", "Nama", "Email"]
    nik = first[header.index("NIK")]
    assert nik == '="5203015204850099"'
    assert re.fullmatch(r'="(\d{16})"', nik).group(1) == "5203015204850099"
    assert first[header.index("No HP")] == '="+6281234567890"'
    assert first[header.index("Nama")] == "Ni Luh Putu Ayu Ni’mah"
    assert first[header.index("Kabupaten/Kota")] == "Kabupaten Lombok Timur"
    assert second[header.index("Nama")].startswith("'=")

    with app.app_context():
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "export")
        )
    assert entry is not None and '"rows": 2' in entry.details


def test_export_masks_nik_below_national_and_keeps_to_scope(app, runner):
    """A kabupaten admin's export holds only their accounts, NIK masked."""
    seed(app, 1, nik="5203015204850099")
    seed(app, 1, village="52.01.01.2002")
    admin = login_admin(app, runner, "timur@pamong.test", "kabupaten", "52.03")

    rows = read_csv(admin.client.get("/admin/ekspor.csv"))
    assert len(rows) == 2
    header, row = rows
    assert row[header.index("NIK")] == '="5203********0099"'
    assert "5203015204850099" not in "".join(row)


def test_export_follows_the_filters(app, runner):
    """The export link of a filtered page exports that filter."""
    seed(app, 2)
    seed(app, 1, position="kepala_desa")
    admin = login_admin(app, runner)
    page = admin.client.get("/admin/?jabatan=kepala_desa")
    assert b'href="/admin/ekspor.csv?jabatan=kepala_desa"' in page.data
    rows = read_csv(admin.client.get("/admin/ekspor.csv?jabatan=kepala_desa"))
    assert len(rows) == 2


def test_export_of_a_nik_in_the_url_exports_nothing(app, runner, caplog):
    """A NIK in the export URL is sent back to the queue without it, unexported."""
    seed(app, 1, nik="5203015204850099")
    admin = login_admin(app, runner)
    response = admin.client.get(
        "/admin/ekspor.csv?jabatan=kaur_keuangan&q=5203015204850099"
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/?jabatan=kaur_keuangan"
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).where(AuditEntry.action == "export"))
            == 0
        )
    assert "5203015204850099" not in caplog.text


def test_audit_of_a_nik_filter_masks_it(app):
    """Filters written to the audit log hold a searched NIK masked."""
    from pamong.admin.queue import QueueFilter

    filters = QueueFilter(q="5203 0152 0485 0099", jabatan="staf")
    assert filters.nik == "5203015204850099"
    assert filters.for_log() == {"jabatan": "staf", "q": "5203********0099"}
    assert filters.args() == {"jabatan": "staf"}
