"""Which registrations an admin may see: the one place the scope rule lives.

An admin works at one of three levels, each tied to a region code:

* ``nasional``  — region ``""``, every registration;
* ``provinsi``  — region ``"52"``, officials whose desa code starts ``52.``;
* ``kabupaten`` — region ``"52.03"``, desa codes starting ``52.03.``.

The lokasi tugas (``Profile.village_code``) decides. :func:`restrict` adds the
rule to a query as ``village_code LIKE '52.03.%'``; :func:`can_see` applies the
same prefix to one account. Everything else (routes, export, SK downloads,
digest, progress) goes through these two.
"""

import re

from sqlalchemy import ColumnElement, Select, false, literal, true

from pamong.accounts.models import User

NASIONAL = "nasional"
PROVINSI = "provinsi"
KABUPATEN = "kabupaten"

LEVELS = (NASIONAL, PROVINSI, KABUPATEN)

LEVEL_LABELS = {
    NASIONAL: "Admin nasional",
    PROVINSI: "Admin provinsi",
    KABUPATEN: "Admin kabupaten/kota",
}

#: The form of the region code at each level.
REGION_FORMS = {
    NASIONAL: re.compile(r""),
    PROVINSI: re.compile(r"[0-9]{2}"),
    KABUPATEN: re.compile(r"[0-9]{2}\.[0-9]{2}"),
}

#: Any region code: provinsi, kabupaten, kecamatan or desa.
ANY_REGION = re.compile(r"[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?")


def valid_scope(level: str | None, region: str | None) -> bool:
    """Tell whether ``region`` has the form the ``level`` needs."""
    form = REGION_FORMS.get(level or "")
    return form is not None and form.fullmatch(region or "") is not None


def region_prefix(admin: User) -> str | None:
    """Return the desa-code prefix of the admin's scope.

    ``""`` for a national admin (everything), ``"52.03."`` for a kabupaten
    admin, and ``None`` when the account is not an admin with a well-formed
    scope, which must see nothing.
    """
    if admin is None or not admin.is_admin:
        return None
    if not valid_scope(admin.admin_level, admin.admin_region):
        return None
    return f"{admin.admin_region}." if admin.admin_region else ""


def scope_clause(admin: User, column) -> ColumnElement[bool]:
    """Return the SQL condition that keeps ``column`` (a desa code) in scope."""
    prefix = region_prefix(admin)
    if prefix is None:
        return false()
    if prefix == "":
        return true()
    return prefix_match(column, prefix)


def prefix_match(column, prefix: str) -> ColumnElement[bool]:
    """Return ``column LIKE 'prefix%'`` with the pattern written into the SQL.

    ``prefix`` is a checked region code (digits and dots only). Written inline
    rather than bound, PostgreSQL can always match it against the
    ``varchar_pattern_ops`` index, also in a cached generic plan.
    """
    if not ANY_REGION.fullmatch(prefix.rstrip(".")):
        raise ValueError(f"not a region prefix: {prefix!r}")
    return column.like(literal(f"{prefix}%", literal_execute=True))


def restrict(query: Select, admin: User) -> Select:
    """Keep only officials in the admin's scope; ``query`` must join Profile.

    A national admin also sees accounts that have no lokasi tugas yet.
    """
    from pamong.registration.models import Profile

    return query.where(User.role != "admin", scope_clause(admin, Profile.village_code))


def can_see(admin: User, official: User | None) -> bool:
    """Tell whether ``admin`` may see, open, download and decide ``official``."""
    prefix = region_prefix(admin)
    if prefix is None or official is None or official.is_admin:
        return False
    if prefix == "":
        return True
    profile = official.profile
    code = profile.village_code if profile is not None else None
    return bool(code) and code.startswith(prefix)


def covers(admin: User, region_code: str | None) -> bool:
    """Tell whether a region (provinsi to desa) lies inside the admin's scope.

    A region larger than the scope (the provinsi of a kabupaten admin) is not
    covered; an empty code means "everywhere" and is covered only nationally.
    """
    prefix = region_prefix(admin)
    if prefix is None:
        return False
    code = region_code or ""
    if code and not ANY_REGION.fullmatch(code):
        return False
    return f"{code}.".startswith(prefix) if code else prefix == ""


def touches(admin: User, region_code: str) -> bool:
    """Tell whether a region and the admin's scope overlap (either holds the other).

    Used for choosing a provinsi in a filter: a kabupaten admin may pick the
    provinsi around their kabupaten, and still sees only the kabupaten.
    """
    if covers(admin, region_code):
        return True
    prefix = region_prefix(admin)
    return bool(prefix) and bool(region_code) and prefix.startswith(f"{region_code}.")


def level_below(level: str | None) -> str | None:
    """Return the level an admin at ``level`` appoints, or ``None``."""
    return {NASIONAL: PROVINSI, PROVINSI: KABUPATEN}.get(level or "")


def may_appoint(admin: User, level: str, region: str) -> bool:
    """An admin appoints one level down, inside their own scope."""
    return (
        level == level_below(admin.admin_level)
        and valid_scope(level, region)
        and covers(admin, region)
    )


def may_manage(admin: User, other: User) -> bool:
    """An admin may remove admins of a lower level inside their own scope."""
    if not other.is_admin or other.id == admin.id:
        return False
    if other.admin_level not in LEVELS or admin.admin_level not in LEVELS:
        return False
    lower = LEVELS.index(other.admin_level) > LEVELS.index(admin.admin_level)
    return lower and covers(admin, other.admin_region)


def describe(admin: User) -> str:
    """Describe an admin's scope in words, for pages and mails."""
    from pamong.extensions import db
    from pamong.wilayah.models import Province, Regency

    level = admin.admin_level
    if level == NASIONAL:
        return "seluruh Indonesia"
    model = Province if level == PROVINSI else Regency
    region = db.session.get(model, admin.admin_region) if admin.admin_region else None
    return region.name if region is not None else admin.admin_region or "-"
