"""Targets per region and theme, and how far each kabupaten has come.

A target says how many villages a programme wants trained in a provinsi or a
kabupaten, per theme (in NTB "52": 358 on perencanaan, 357 on keuangan).
Progress counts villages, not people: a desa counts once it has at least one
registered, verified or approved official (and, per theme, an approved
official whose position leads to that theme).
"""

from dataclasses import dataclass, field

from sqlalchemy import case, distinct, func, select

from pamong.accounts.models import (
    ADMIN,
    APPROVED,
    REGISTERED,
    SUSPENDED,
    User,
)
from pamong.admin import scope
from pamong.admin.audit import record_admin_action
from pamong.admin.models import Target
from pamong.admin.queue import theme_clause
from pamong.extensions import db
from pamong.registration.choices import THEMES
from pamong.registration.models import Profile
from pamong.wilayah.models import Province, Regency, Village
from pamong.wilayah.services import VILLAGE_KINDS


class UnknownRegion(ValueError):
    """The code names no provinsi or kabupaten/kota, or the theme is unknown."""


@dataclass
class ProgressRow:
    """One region's villages and how many of them have reached each stage."""

    code: str
    name: str
    villages: int = 0
    registered: int = 0
    verified: int = 0
    approved: int = 0
    by_theme: dict[str, int] = field(default_factory=dict)
    targets: dict[str, int] = field(default_factory=dict)


def region_name(code: str) -> str | None:
    """Return the name of a provinsi or kabupaten/kota, or ``None``."""
    model = Province if len(code) == 2 else Regency if len(code) == 5 else None
    region = db.session.get(model, code) if model is not None else None
    return region.name if region is not None else None


def set_target(region_code: str, theme: str, villages: int, admin=None) -> Target:
    """Create or change the target of a region and theme, and commit.

    :raises UnknownRegion: for a code that is not a provinsi or kabupaten/kota,
        an unknown theme, or a negative number.
    """
    if region_name(region_code) is None or theme not in THEMES or villages < 0:
        raise UnknownRegion(f"{region_code} {theme}")

    target = db.session.scalar(
        select(Target).where(Target.region_code == region_code, Target.theme == theme)
    )
    if target is None:
        target = Target(region_code=region_code, theme=theme, villages=villages)
        db.session.add(target)
    target.villages = villages
    target.updated_by = admin.id if admin is not None else None
    if admin is not None:
        record_admin_action(
            admin, "target_set", region=region_code, theme=theme, villages=villages
        )
    db.session.commit()
    return target


def targets_for(admin) -> list[tuple[Target, str]]:
    """Return the targets that concern the admin's scope, with region names."""
    targets = db.session.scalars(
        select(Target).order_by(Target.region_code, Target.theme)
    ).all()
    return [
        (target, region_name(target.region_code) or target.region_code)
        for target in targets
        if admin is None or scope.touches(admin, target.region_code)
    ]


def _village_counts(prefix: str, width: int) -> dict[str, int]:
    """Count desa and desa adat per region code of ``width`` characters."""
    key = func.substr(Village.code, 1, width)
    query = select(key, func.count(Village.code)).where(Village.kind.in_(VILLAGE_KINDS))
    if prefix:
        query = query.where(scope.prefix_match(Village.code, f"{prefix}."))
    return dict(db.session.execute(query.group_by(key)).all())


def _official_counts(admin, prefix: str, width: int) -> dict[str, tuple]:
    """Count villages per region that have a registered/verified/approved official."""
    key = func.substr(Profile.village_code, 1, width)
    village = Profile.village_code
    counted = [
        func.count(distinct(village)),
        func.count(distinct(case((User.email_verified_at.is_not(None), village)))),
        func.count(distinct(case((User.state == APPROVED, village)))),
    ]
    for theme in THEMES:
        approved_in_theme = (User.state == APPROVED) & theme_clause(theme)
        counted.append(func.count(distinct(case((approved_in_theme, village)))))

    query = (
        select(key, *counted)
        .select_from(User)
        .join(Profile, Profile.user_id == User.id)
        .where(
            User.role != ADMIN,
            User.state.not_in((REGISTERED, SUSPENDED)),
            village.is_not(None),
            scope.scope_clause(admin, village),
        )
    )
    if prefix:
        query = query.where(scope.prefix_match(village, f"{prefix}."))
    rows = db.session.execute(query.group_by(key)).all()
    return {row[0]: tuple(row[1:]) for row in rows}


def progress(admin, province_code: str = "") -> list[ProgressRow]:
    """Return one row per kabupaten of a provinsi, or per provinsi nationally.

    Only regions that lie in the admin's scope, or hold it, are listed; the
    official counts are always limited to the scope.
    """
    width = 5 if province_code else 2
    if province_code:
        regions = db.session.execute(
            select(Regency.code, Regency.name)
            .where(Regency.province_code == province_code)
            .order_by(Regency.code)
        ).all()
    else:
        regions = db.session.execute(
            select(Province.code, Province.name).order_by(Province.code)
        ).all()

    villages = _village_counts(province_code, width)
    officials = _official_counts(admin, province_code, width)
    targets = {
        (target.region_code, target.theme): target.villages
        for target in db.session.scalars(select(Target))
    }

    rows = []
    for code, name in regions:
        if not scope.touches(admin, code):
            continue
        counts = officials.get(code, (0,) * (3 + len(THEMES)))
        rows.append(
            ProgressRow(
                code=code,
                name=name,
                villages=villages.get(code, 0),
                registered=counts[0],
                verified=counts[1],
                approved=counts[2],
                by_theme=dict(zip(THEMES, counts[3:], strict=True)),
                targets={
                    theme: targets[(code, theme)]
                    for theme in THEMES
                    if (code, theme) in targets
                },
            )
        )
    return rows


def total(rows: list[ProgressRow], code: str, name: str) -> ProgressRow:
    """Add the rows up into one row for the region that holds them."""
    summed = ProgressRow(code=code, name=name)
    for row in rows:
        summed.villages += row.villages
        summed.registered += row.registered
        summed.verified += row.verified
        summed.approved += row.approved
        for theme, count in row.by_theme.items():
            summed.by_theme[theme] = summed.by_theme.get(theme, 0) + count
    if code:
        summed.targets = {
            target.theme: target.villages
            for target in db.session.scalars(
                select(Target).where(Target.region_code == code)
            )
        }
    return summed
