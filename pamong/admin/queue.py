"""The review queue: filters read from the query string, pages, counts, export rows.

Every query starts from :func:`scoped_officials`, which applies the admin's
scope (:mod:`pamong.admin.scope`) before any filter, so no filter value can
reach an account outside it.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from pamong.accounts.models import (
    ADMIN,
    APPROVED,
    PENDING,
    REGISTERED,
    REJECTED,
    SUBMITTED,
    SUSPENDED,
    User,
)
from pamong.accounts.services import normalise_email
from pamong.admin import scope
from pamong.admin.params import masked_digits, page_number, query_date, search_text
from pamong.core.logs import mask_nik
from pamong.extensions import db
from pamong.registration.choices import POSITION_THEMES, POSITIONS, THEMES
from pamong.registration.models import Profile
from pamong.registration.validators import clean_nik
from pamong.wilayah.models import District, Province, Regency, Village

PAGE_SIZE = 50

#: States in the order the queue's counts show them; ``semua`` shows all.
STATE_ORDER = (PENDING, APPROVED, REJECTED, SUBMITTED, REGISTERED, SUSPENDED)
ALL_STATES = "semua"

REGION_LEVELS = ("provinsi", "kabupaten", "kecamatan", "desa")

#: Longest search text read.
QUERY_MAX = 100

NIK_QUERY = re.compile(r"[0-9]{16}")


@dataclass
class QueueFilter:
    """What the admin asked the queue for; every field comes from a GET argument.

    Values that are not valid are dropped, so a bookmarked or hand-edited URL
    always shows a page.
    """

    status: str = PENDING
    tema: str = ""
    jabatan: str = ""
    provinsi: str = ""
    kabupaten: str = ""
    kecamatan: str = ""
    desa: str = ""
    dari: date | None = None
    sampai: date | None = None
    q: str = ""
    halaman: int = 1
    problems: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> "QueueFilter":
        """Read the filters from ``request.args``."""
        status = args.get("status", PENDING)
        found = cls(
            status=status if status in (*STATE_ORDER, ALL_STATES) else PENDING,
            tema=_choice(args.get("tema"), THEMES),
            jabatan=_choice(args.get("jabatan"), dict(POSITIONS)),
            dari=query_date(args.get("dari")),
            sampai=query_date(args.get("sampai")),
            q=search_text(args.get("q"), QUERY_MAX),
            halaman=page_number(args),
        )
        parent = ""
        for level in REGION_LEVELS:
            code = (args.get(level) or "").strip()
            if not code or not scope.ANY_REGION.fullmatch(code):
                break
            if parent and code.rpartition(".")[0] != parent:
                break
            if code.count(".") != REGION_LEVELS.index(level):
                break
            setattr(found, level, code)
            parent = code
        return found

    @property
    def nik(self) -> str:
        """The NIK searched for, when the search text is a whole NIK."""
        nik = clean_nik(self.q)
        return nik if NIK_QUERY.fullmatch(nik) else ""

    @property
    def region(self) -> str:
        """The most specific region chosen, or an empty string."""
        for level in reversed(REGION_LEVELS):
            if getattr(self, level):
                return getattr(self, level)
        return ""

    def args(self, **changes) -> dict:
        """Return the filters as query arguments, with ``changes`` applied.

        Empty values and the defaults are left out, so links stay short. A
        searched NIK is left out too: it must never appear in a URL, where
        access logs and browser history would keep it.
        """
        values = {}
        for item in fields(self):
            if item.name == "problems":
                continue
            value = getattr(self, item.name)
            values[item.name] = value.isoformat() if isinstance(value, date) else value
        values.update(changes)
        if NIK_QUERY.fullmatch(clean_nik(str(values.get("q", "")))):
            values.pop("q")
        if values.get("status") == PENDING:
            values.pop("status")
        if values.get("halaman") == 1:
            values.pop("halaman")
        return {key: value for key, value in values.items() if value}

    def for_log(self) -> dict:
        """Return the filters for the audit log, with a searched NIK masked."""
        values = self.args()
        if self.nik:
            values["q"] = mask_nik(self.nik)
        elif "q" in values:
            values["q"] = masked_digits(values["q"])
        return values


def _choice(value: str | None, allowed) -> str:
    """Keep ``value`` if it is one of ``allowed``."""
    return value if value and value in allowed else ""


def theme_clause(theme: str):
    """Return the condition "this official's themes include ``theme``".

    Mirrors :func:`pamong.registration.choices.themes_for`: an admin's
    override wins, otherwise the position decides.
    """
    positions = [code for code, themes in POSITION_THEMES.items() if theme in themes]
    no_override = or_(
        Profile.theme_override.is_(None), Profile.theme_override.not_in(list(THEMES))
    )
    return or_(
        Profile.theme_override == theme,
        and_(no_override, Profile.position.in_(positions)),
    )


def search_clause(text: str):
    """Return the condition for the search box.

    Sixteen digits look up a NIK exactly; text with ``@`` an email address
    exactly (any case); anything else a part of the name, in any case.
    """
    nik = clean_nik(text)
    if NIK_QUERY.fullmatch(nik):
        return Profile.nik == nik
    if "@" in text:
        return User.email == normalise_email(text)
    pattern = re.sub(r"([\\%_])", r"\\\1", text.lower())
    return func.lower(User.name).like(f"%{pattern}%", escape="\\")


def _conditions(filters: QueueFilter, with_state: bool = True) -> list:
    """Turn the filters into SQL conditions (besides the scope)."""
    conditions = []
    if with_state and filters.status != ALL_STATES:
        conditions.append(User.state == filters.status)
    if filters.tema:
        conditions.append(theme_clause(filters.tema))
    if filters.jabatan:
        conditions.append(Profile.position == filters.jabatan)
    if filters.desa:
        conditions.append(Profile.village_code == filters.desa)
    elif filters.region:
        conditions.append(
            scope.prefix_match(Profile.village_code, f"{filters.region}.")
        )
    if filters.dari:
        conditions.append(User.submitted_at >= datetime.combine(filters.dari, time()))
    if filters.sampai:
        end = datetime.combine(filters.sampai, time()) + timedelta(days=1)
        conditions.append(User.submitted_at < end)
    if filters.q:
        conditions.append(search_clause(filters.q))
    return conditions


def _needs_profile(admin: User, filters: QueueFilter | None) -> bool:
    """Tell whether a count must join the profiles to apply scope or filters."""
    if scope.region_prefix(admin) != "":
        return True
    if filters is None:
        return False
    by_profile = filters.tema or filters.jabatan or filters.region
    return bool(by_profile) or bool(NIK_QUERY.fullmatch(clean_nik(filters.q)))


def scoped_officials(admin: User, *columns, join: bool = True) -> Select:
    """Select officials (or ``columns``) within scope, joined to their profile.

    ``join=False`` leaves the profile out; only for a national admin's counts
    that filter on nothing in the profile.
    """
    query = (select(*columns) if columns else select(User)).select_from(User)
    if join:
        query = query.outerjoin(Profile, Profile.user_id == User.id)
        return scope.restrict(query, admin)
    return query.where(User.role != ADMIN)


def filtered(admin: User, filters: QueueFilter, *columns, join: bool = True) -> Select:
    """Select the officials in scope that the filters match."""
    query = scoped_officials(admin, *columns, join=join)
    return query.where(*_conditions(filters))


def ordered(query: Select) -> Select:
    """Oldest submission first; accounts not yet submitted by creation."""
    return query.order_by(User.submitted_at, User.id)


def count(admin: User, filters: QueueFilter) -> int:
    """Count the officials in scope that the filters match."""
    join = _needs_profile(admin, filters)
    return db.session.scalar(filtered(admin, filters, func.count(), join=join))


def page(admin: User, filters: QueueFilter) -> list[User]:
    """Return one page of matching officials, with their profile and desa."""
    return db.session.scalars(
        ordered(filtered(admin, filters))
        .options(contains_eager(User.profile).selectinload(Profile.village))
        .limit(PAGE_SIZE)
        .offset((filters.halaman - 1) * PAGE_SIZE)
    ).all()


def total_of(counts: dict[str, int], filters: QueueFilter) -> int:
    """Read how many officials match from the counts per state.

    The counts apply every filter but the state, so the total of one state is
    its count, and of all states their sum; no second count is needed.
    """
    if filters.status == ALL_STATES:
        return sum(counts.values())
    return counts.get(filters.status, 0)


def state_counts(admin: User, filters: QueueFilter) -> dict[str, int]:
    """Count the officials in scope per state, under every filter but the state."""
    join = _needs_profile(admin, filters)
    query = scoped_officials(admin, User.state, func.count(), join=join).where(
        *_conditions(filters, with_state=False)
    )
    rows = db.session.execute(query.group_by(User.state)).all()
    return {state: count for state, count in rows}


def pending_count(admin: User) -> int:
    """Count the registrations waiting for this admin's decision."""
    join = _needs_profile(admin, None)
    return db.session.scalar(
        scoped_officials(admin, func.count(), join=join).where(User.state == PENDING)
    )


def pending_in_scope(admin: User, ids: list[int]) -> list[User]:
    """Return the pending officials among ``ids`` that the admin may decide."""
    if not ids:
        return []
    query = scoped_officials(admin).where(User.id.in_(ids), User.state == PENDING)
    return db.session.scalars(ordered(query).options(selectinload(User.profile))).all()


EXPORT_COLUMNS = (
    User.id,
    User.name,
    User.email,
    User.state,
    User.submitted_at,
    User.email_verified_at,
    Profile.nik,
    Profile.phone,
    Profile.birth_place,
    Profile.birth_date,
    Profile.gender,
    Profile.education,
    Profile.is_pns,
    Profile.position,
    Profile.theme_override,
    Profile.tmt,
    Profile.village_code,
    Village.name.label("desa"),
    District.name.label("kecamatan"),
    Regency.name.label("kabupaten"),
    Province.name.label("provinsi"),
    Profile.sk_number,
    Profile.sk_date,
    Profile.nik_date_mismatch,
    Profile.nik_gender_mismatch,
)


def export_query(admin: User, filters: QueueFilter) -> Select:
    """Select every matching official as a row of :data:`EXPORT_COLUMNS`.

    The statement is built at once, while the admin is loaded, so that it can
    be run later by a streaming response.
    """
    query = (
        filtered(admin, filters, *EXPORT_COLUMNS)
        .outerjoin(Village, Village.code == Profile.village_code)
        .outerjoin(District, District.code == Village.district_code)
        .outerjoin(Regency, Regency.code == District.regency_code)
        .outerjoin(Province, Province.code == Regency.province_code)
    )
    return ordered(query)


def run_in_chunks(query: Select, chunk: int = 1000) -> Iterator:
    """Yield the rows of ``query``, fetched ``chunk`` at a time."""
    yield from db.session.execute(query.execution_options(yield_per=chunk))
