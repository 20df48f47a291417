"""Loading the Kemendagri region codes, and the lists the wilayah cascade shows.

The data ships gzip-compressed in ``data/`` beside this module, exactly as the
npm package ``idn-area-data`` publishes it. :func:`import_wilayah` loads it, or a
newer release, into the four tables without ever deleting a row, because
profiles point at villages.
"""

import csv
import gzip
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy import bindparam, func, insert, select, update

from pamong.extensions import db
from pamong.wilayah.models import (
    DESA,
    DESA_ADAT,
    KELURAHAN,
    District,
    Province,
    Regency,
    Village,
)

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data"

#: Rows sent to the database per executemany call.
CHUNK = 5000

#: Longest name the ``name`` columns hold.
NAME_MAX = 100

KINDS = {"1": KELURAHAN, "2": DESA, "3": DESA_ADAT}
VILLAGE_KINDS = (DESA, DESA_ADAT)

Option = tuple[str, str]


class WilayahDataError(ValueError):
    """A release folder is missing a file or holds a row that is not valid."""


@dataclass(frozen=True)
class Level:
    """One level of the hierarchy: its file, table, parent column and code form."""

    name: str
    model: type[db.Model]
    parent: str | None
    pattern: re.Pattern[str]


PROVINCES = Level("provinces", Province, None, re.compile(r"[0-9]{2}"))
REGENCIES = Level(
    "regencies", Regency, "province_code", re.compile(r"[0-9]{2}\.[0-9]{2}")
)
DISTRICTS = Level(
    "districts",
    District,
    "regency_code",
    re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}"),
)
VILLAGES = Level(
    "villages",
    Village,
    "district_code",
    re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[1-3][0-9]{3}"),
)
LEVELS = (PROVINCES, REGENCIES, DISTRICTS, VILLAGES)


def import_wilayah(source: Path | None = None) -> dict[str, dict[str, int]]:
    """Insert new codes and rename changed ones, level by level, then commit.

    Every file is read and checked before the database is touched, so a bad
    release changes nothing. Codes absent from the release stay in the tables
    and are only counted, since registrations may point at them.

    :param source: a folder holding ``provinces``, ``regencies``, ``districts``
        and ``villages`` as ``.csv`` or ``.csv.gz``; the shipped data when None.
    :return: per level, the ``total`` in the release and how many rows were
        ``added``, ``updated``, or are ``missing`` from it.
    :raises WilayahDataError: when a file is absent or a row is not valid.
    """
    folder = Path(source) if source is not None else DATA_DIR
    releases: dict[str, dict[str, dict]] = {}
    parents: Mapping[str, dict] | None = None
    for level in LEVELS:
        parents = releases[level.name] = _read_level(folder, level, parents)

    report = {}
    try:
        for level in LEVELS:
            report[level.name] = _upsert(level, releases[level.name])
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise

    for level, numbers in report.items():
        log.info("wilayah %s: %s", level, numbers)
    return report


def _read_level(folder: Path, level: Level, parents: Mapping | None) -> dict:
    """Read and check one level's file; return its rows keyed by code."""
    columns = ["code", level.parent, "name"] if level.parent else ["code", "name"]
    rows: dict[str, dict] = {}
    with _open(folder, level.name) as stream:
        reader = csv.DictReader(stream)
        missing = set(columns) - set(reader.fieldnames or ())
        if missing:
            raise WilayahDataError(
                f"{level.name}.csv: missing column(s) {', '.join(sorted(missing))}"
            )

        for record in reader:
            where = f"{level.name}.csv line {reader.line_num}"
            row = {column: (record[column] or "").strip() for column in columns}
            _check_row(row, level, parents, where)
            if row["code"] in rows:
                raise WilayahDataError(f"{where}: code {row['code']} appears twice")
            if level is VILLAGES:
                row["kind"] = KINDS[row["code"][9]]
            rows[row["code"]] = row

    if not rows:
        raise WilayahDataError(f"{level.name}.csv holds no rows")
    return rows


def _open(folder: Path, stem: str) -> IO[str]:
    """Open ``stem.csv``, or else ``stem.csv.gz``, from ``folder`` as text."""
    plain = folder / f"{stem}.csv"
    packed = folder / f"{stem}.csv.gz"
    if plain.is_file():
        return plain.open(encoding="utf-8-sig", newline="")
    if packed.is_file():
        return gzip.open(packed, "rt", encoding="utf-8-sig", newline="")
    raise WilayahDataError(f"{folder}: neither {plain.name} nor {packed.name} found")


def _check_row(row: dict, level: Level, parents: Mapping | None, where: str) -> None:
    """Raise :class:`WilayahDataError` unless ``row`` is a valid row of ``level``."""
    code = row["code"]
    if not level.pattern.fullmatch(code):
        raise WilayahDataError(f"{where}: code {code!r} is not a {level.name} code")

    if not row["name"] or len(row["name"]) > NAME_MAX:
        raise WilayahDataError(
            f"{where}: name must hold 1 to {NAME_MAX} characters ({code})"
        )

    if level.parent and parents is not None:
        parent = row[level.parent]
        if parent != code.rpartition(".")[0]:
            raise WilayahDataError(
                f"{where}: {level.parent} {parent!r} is not the prefix of {code}"
            )
        if parent not in parents:
            raise WilayahDataError(f"{where}: {level.parent} {parent} is unknown")


def _upsert(level: Level, rows: dict[str, dict]) -> dict[str, int]:
    """Bring one table in line with ``rows`` without deleting anything."""
    table = level.model.__table__
    fields = [name for name in next(iter(rows.values())) if name != "code"]
    stored = {
        code: tuple(values)
        for code, *values in db.session.execute(
            select(table.c.code, *(table.c[name] for name in fields))
        )
    }

    added = [row for code, row in rows.items() if code not in stored]
    changed = [
        {"b_code": code, **{f"b_{name}": row[name] for name in fields}}
        for code, row in rows.items()
        if code in stored and stored[code] != tuple(row[name] for name in fields)
    ]
    missing = sorted(stored.keys() - rows.keys())

    for chunk in _chunks(added):
        db.session.execute(insert(table), chunk)
    if changed:
        statement = (
            update(table)
            .where(table.c.code == bindparam("b_code"))
            .values({name: bindparam(f"b_{name}") for name in fields})
        )
        for chunk in _chunks(changed):
            db.session.execute(statement, chunk)
    if missing:
        log.warning(
            "wilayah %s: %d code(s) no longer in the release, kept: %s",
            level.name,
            len(missing),
            ", ".join(missing[:10]),
        )

    return {
        "total": len(rows),
        "added": len(added),
        "updated": len(changed),
        "missing": len(missing),
    }


def _chunks(rows: list[dict]) -> Iterator[list[dict]]:
    """Yield ``rows`` in slices of :data:`CHUNK`."""
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def province_codes() -> frozenset[str]:
    """Return the codes of all provinces, read fresh from the database."""
    return frozenset(db.session.scalars(select(Province.code)))


def provinces() -> list[Option]:
    """Return every provinsi as (code, name), ordered by name."""
    return _ordered(db.session.execute(select(Province.code, Province.name)))


def regencies(province_code: str) -> list[Option]:
    """Return the kabupaten/kota of a provinsi; empty for an unknown code."""
    if not PROVINCES.pattern.fullmatch(province_code or ""):
        return []
    query = select(Regency.code, Regency.name).where(
        Regency.province_code == province_code
    )
    return _ordered(db.session.execute(query))


def districts(regency_code: str) -> list[Option]:
    """Return the kecamatan of a kabupaten/kota; empty for an unknown code."""
    if not REGENCIES.pattern.fullmatch(regency_code or ""):
        return []
    query = select(District.code, District.name).where(
        District.regency_code == regency_code
    )
    return _ordered(db.session.execute(query))


def desa(district_code: str) -> list[Option]:
    """Return the desa and desa adat of a kecamatan, leaving out kelurahan."""
    if not DISTRICTS.pattern.fullmatch(district_code or ""):
        return []
    query = select(Village.code, Village.name).where(
        Village.district_code == district_code, Village.kind.in_(VILLAGE_KINDS)
    )
    return _ordered(db.session.execute(query))


def _ordered(rows: Iterable[tuple[str, str]]) -> list[Option]:
    """Sort (code, name) rows by name the same way on every database."""
    return sorted(
        ((code, name) for code, name in rows),
        key=lambda option: (option[1].casefold(), option[0]),
    )


def district_exists(district_code: str) -> bool:
    """Tell whether ``district_code`` names a known kecamatan."""
    if not DISTRICTS.pattern.fullmatch(district_code or ""):
        return False
    return db.session.get(District, district_code) is not None


def village_chain(
    village_code: str,
) -> tuple[Province, Regency, District, Village] | None:
    """Return the provinsi, kabupaten, kecamatan and desa of a desa code.

    None for a code that is malformed or unknown, and for a kelurahan, where
    there are no perangkat desa.
    """
    if not VILLAGES.pattern.fullmatch(village_code or ""):
        return None
    query = (
        select(Province, Regency, District, Village)
        .join(Regency, Regency.province_code == Province.code)
        .join(District, District.regency_code == Regency.code)
        .join(Village, Village.district_code == District.code)
        .where(Village.code == village_code, Village.kind.in_(VILLAGE_KINDS))
    )
    row = db.session.execute(query).first()
    return tuple(row) if row is not None else None


def cascade(selected: Mapping[str, str]) -> tuple[dict[str, str], dict]:
    """Work out the cascade's lists from the codes a form sent.

    Used when the form is sent without JavaScript: each level's list is filled
    once the level above holds a valid choice, and a choice that does not
    belong to its parent is dropped along with everything below it.

    :param selected: the submitted ``provinsi``, ``kabupaten``, ``kecamatan``
        and ``desa`` codes (any may be missing or empty).
    :return: the choices that still hold, and the option lists by field name.
    """
    steps = (
        ("provinsi", lambda _parent: provinces()),
        ("kabupaten", regencies),
        ("kecamatan", districts),
        ("desa", desa),
    )
    kept: dict[str, str] = {}
    lists: dict[str, list[Option]] = {}
    parent = ""
    for field, children in steps:
        lists[field] = children(parent)
        choice = (selected.get(field) or "").strip()
        if choice not in {code for code, _name in lists[field]}:
            break
        kept[field] = parent = choice
    return kept, lists


def counts() -> dict[str, int]:
    """Count the rows of each level, and the desa plus desa adat among villages."""
    total = {
        level.name: db.session.scalar(select(func.count()).select_from(level.model))
        for level in LEVELS
    }
    total["desa"] = db.session.scalar(
        select(func.count()).where(Village.kind.in_(VILLAGE_KINDS))
    )
    return total
