"""Stored UTC instants shown in WIB, WITA or WIT, after the viewer's region."""

from datetime import datetime
from types import SimpleNamespace

import pytest

from pamong.admin.models import AuditEntry
from pamong.core.localtime import (
    WIB,
    WIT,
    WITA,
    format_local,
    zone_for,
    zone_of_user,
)
from pamong.extensions import db
from tests.admin_helpers import (
    admin_tables,  # noqa: F401
    login_admin,
    seed,
)
from tests.helpers import KABUPATEN


@pytest.mark.parametrize(
    ("code", "zone"),
    [
        ("11", WIB),
        ("21.71", WIB),
        ("31.74.01", WIB),
        ("36", WIB),
        ("61.01", WIB),
        ("62.01.01.2001", WIB),
        ("51", WITA),
        ("52.03", WITA),
        ("53.01.01.2001", WITA),
        ("63", WITA),
        ("64.72", WITA),
        ("65", WITA),
        ("71.71", WITA),
        ("76", WITA),
        ("81", WIT),
        ("82.71", WIT),
        ("91", WIT),
        ("94.71.01.1001", WIT),
        ("96", WIT),
        ("99", WIT),
        ("", WIB),
        (None, WIB),
        ("00", WIB),
        ("9", WIB),
        ("x9", WIB),
    ],
)
def test_zone_of_a_region_code(code, zone):
    """The first two digits, the provinsi, pick the zone; unknown is WIB."""
    assert zone_for(code) == zone


@pytest.mark.parametrize(
    ("moment", "zone", "shown"),
    [
        (datetime(2026, 12, 4, 22, 8), WITA, "05-12-2026 06:08 WITA"),
        (datetime(2026, 12, 4, 20, 30), WITA, "05-12-2026 04:30 WITA"),
        (datetime(2026, 12, 4, 16, 59), WIB, "04-12-2026 23:59 WIB"),
        (datetime(2026, 12, 4, 17, 0), WIB, "05-12-2026 00:00 WIB"),
        (datetime(2026, 12, 31, 15, 0), WIT, "01-01-2027 00:00 WIT"),
        (datetime(2026, 6, 1, 3, 15), WIT, "01-06-2026 12:15 WIT"),
        (None, WIB, ""),
    ],
)
def test_format_crosses_midnight(moment, zone, shown):
    """Local time may fall on the next day, month or year."""
    assert format_local(moment, zone) == shown


def admin(level, region):
    """Return a stand-in admin account."""
    return SimpleNamespace(
        is_authenticated=True, is_admin=True, admin_level=level, admin_region=region
    )


def official(village_code, has_profile=True):
    """Return a stand-in official account."""
    profile = SimpleNamespace(village_code=village_code) if has_profile else None
    return SimpleNamespace(is_authenticated=True, is_admin=False, profile=profile)


@pytest.mark.parametrize(
    ("user", "zone"),
    [
        (admin("nasional", ""), WIB),
        (admin("provinsi", "52"), WITA),
        (admin("kabupaten", "52.03"), WITA),
        (admin("provinsi", "94"), WIT),
        (admin("kabupaten", "33.01"), WIB),
        (admin("provinsi", "??"), WIB),
        (official("52.03.01.2001"), WITA),
        (official("91.01.01.2001"), WIT),
        (official("32.01.01.2001"), WIB),
        (official(None), WIB),
        (official(None, has_profile=False), WIB),
        (SimpleNamespace(is_authenticated=False), WIB),
        (None, WIB),
    ],
)
def test_zone_of_the_viewer(user, zone):
    """Admins follow their scope, officials their lokasi tugas, others WIB."""
    assert zone_of_user(user) == zone


@pytest.mark.usefixtures("admin_tables")
def test_kabupaten_admin_in_ntb_sees_wita(app, runner):
    """A Lombok Timur admin reads the submission time in WITA, a day later."""
    (user_id,) = seed(app, 1, start=datetime(2026, 12, 4, 20, 30))
    admin_ = login_admin(
        app, runner, "timur@pamong.test", level="kabupaten", region=KABUPATEN
    )

    page = admin_.client.get(f"/admin/akun/{user_id}").get_data(as_text=True)
    assert "<dt>Dikirim</dt><dd>05-12-2026 04:30 WITA</dd>" in page
    assert "UTC" not in page

    queue = admin_.client.get("/admin/").get_data(as_text=True)
    assert "<td>05-12-2026</td>" in queue


@pytest.mark.usefixtures("admin_tables")
def test_national_admin_sees_wib(app, runner):
    """A national admin reads the same instant in WIB, in the audit log too."""
    (user_id,) = seed(app, 1, start=datetime(2026, 12, 4, 20, 30))
    admin_ = login_admin(app, runner)
    with app.app_context():
        db.session.add(
            AuditEntry(
                created_at=datetime(2026, 12, 4, 20, 30, 15),
                actor_email="admin@pamong.test",
                ip="127.0.0.1",
                action="nik_revealed",
                target_user_id=user_id,
            )
        )
        db.session.commit()

    page = admin_.client.get(f"/admin/akun/{user_id}").get_data(as_text=True)
    assert "<dt>Dikirim</dt><dd>05-12-2026 03:30 WIB</dd>" in page

    audit = admin_.client.get("/admin/audit").get_data(as_text=True)
    assert '<th scope="col">Waktu (WIB)</th>' in audit
    assert "<td>05-12-2026 03:30:15 WIB</td>" in audit
