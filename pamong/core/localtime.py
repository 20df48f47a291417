"""Stored UTC instants shown in the viewer's Indonesian time zone.

An admin's zone follows the provinsi of their scope, an official's the
provinsi of their lokasi tugas. A national admin, or anyone whose provinsi is
not known, sees WIB. Indonesia keeps no daylight saving time, so a fixed
offset stands in when the system has no time zone database.
"""

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import has_request_context
from flask_login import current_user

WIB = "WIB"
WITA = "WITA"
WIT = "WIT"

#: Each zone's IANA name and its offset from UTC in hours.
ZONES = {
    WIB: ("Asia/Jakarta", 7),
    WITA: ("Asia/Makassar", 8),
    WIT: ("Asia/Jayapura", 9),
}

#: Provinsi codes outside WIB; every code starting with 9 (Papua) is WIT.
PROVINCE_ZONES = {
    **dict.fromkeys(("51", "52", "53", "63", "64", "65"), WITA),
    **dict.fromkeys(("71", "72", "73", "74", "75", "76"), WITA),
    **dict.fromkeys(("81", "82"), WIT),
}

DATE_TIME = "%d-%m-%Y %H:%M"
DATE = "%d-%m-%Y"


def zone_for(region_code: str | None) -> str:
    """Return the zone label of a region code (provinsi down to desa)."""
    province = (region_code or "")[:2]
    if len(province) == 2 and province.isdigit() and province.startswith("9"):
        return WIT
    return PROVINCE_ZONES.get(province, WIB)


def _tzinfo(label: str) -> tzinfo:
    """Return the time zone of a label, from zoneinfo or as a fixed offset."""
    name, hours = ZONES[label]
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        return timezone(timedelta(hours=hours), label)


def to_zone(moment: datetime, label: str) -> datetime:
    """Turn a naive UTC instant into the wall-clock time of a zone."""
    return moment.replace(tzinfo=UTC).astimezone(_tzinfo(label))


def format_local(moment: datetime | None, label: str, fmt: str = DATE_TIME) -> str:
    """Write a naive UTC instant as local time followed by its zone label."""
    if moment is None:
        return ""
    return f"{to_zone(moment, label).strftime(fmt)} {label}"


def zone_of_user(user) -> str:
    """Return the zone of an account: its admin scope or its lokasi tugas."""
    if user is None or not getattr(user, "is_authenticated", False):
        return WIB
    if user.is_admin:
        return zone_for(user.admin_region)
    profile = user.profile
    return zone_for(profile.village_code if profile is not None else None)


def viewer_zone() -> str:
    """Return the zone of whoever is viewing the page, WIB outside a request."""
    if not has_request_context():
        return WIB
    return zone_of_user(current_user)


def local_time(moment: datetime | None, seconds: bool = False) -> str:
    """Jinja filter: time in the viewer's zone, e.g. "04-12-2026 06:08 WITA"."""
    fmt = f"{DATE_TIME}:%S" if seconds else DATE_TIME
    return format_local(moment, viewer_zone(), fmt)


def local_date(moment: datetime | None) -> str:
    """Jinja filter: the calendar date of an instant in the viewer's zone."""
    if moment is None:
        return ""
    return to_zone(moment, viewer_zone()).strftime(DATE)
