"""Admin queue timings on PostgreSQL with 100,000 registrations.

Usage::

    .venv/bin/python bench/admin_queue.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

Creates (or re-creates) the scratch database ``pamong_bench`` on that server,
migrates it, loads the wilayah data, writes the registrations straight into
``users`` and ``profiles`` with SQLAlchemy Core, then times through the Flask
test client, ``--runs`` times each: the queue's first page, a filtered page
(kabupaten + position), a search by exact NIK and one account page, for a
national and a kabupaten admin. Prints the median and p95 in milliseconds.

``--without-indexes`` drops the indexes the admin desk's migration adds
before timing, to show what they are worth. ``--explain`` prints the plans.
"""

import argparse
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pamong import create_app  # noqa: E402

BENCH_DB = "pamong_bench"
SEED = 20261204
PASSWORD = secrets.token_urlsafe(16)

#: Share of registrations per state; "registered" ones have no desa yet.
STATES = {
    "pending": 0.30,
    "approved": 0.40,
    "rejected": 0.05,
    "submitted": 0.10,
    "registered": 0.15,
}

#: Positions, weighted roughly as a desa's perangkat are.
POSITION_WEIGHTS = {
    "kepala_desa": 8,
    "sekretaris_desa": 8,
    "kaur_keuangan": 10,
    "kaur_perencanaan": 10,
    "kaur_tu_umum": 6,
    "kaur_umum_perencanaan": 3,
    "kasi_pemerintahan": 6,
    "kasi_kesejahteraan": 5,
    "kasi_pelayanan": 5,
    "kasi_kesejahteraan_pelayanan": 2,
    "kepala_dusun": 25,
    "staf": 12,
}

#: Share of registrations in the pilot province (NTB), the rest spread evenly.
PILOT_PROVINCE = "52"
PILOT_SHARE = 0.3

#: The indexes the admin desk's migration adds for the queue.
QUEUE_INDEXES = ("ix_users_queue", "ix_profiles_village_prefix")


def recreate_database(server_url: str) -> str:
    """Drop and create the scratch database; return its URL."""
    url = make_url(server_url)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {BENCH_DB}"))
    engine.dispose()
    return url.set(database=BENCH_DB).render_as_string(hide_password=False)


def build_app(database_url: str, folder: str):
    """Create the app on the scratch database, with mail and limits off."""
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "UPLOAD_FOLDER": folder,
            "OUTBOX_WORKER": False,
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        }
    )


def random_nik(rng: random.Random, village: str, used: set[str]) -> str:
    """Return a well-formed NIK that is not in ``used`` yet."""
    while True:
        born = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 45))
        day = born.day + (40 if rng.random() < 0.4 else 0)
        serial = rng.randrange(1, 10000)
        region = village[:2] + village[3:5] + village[6:8]
        nik = f"{region}{day:02d}{born:%m%y}{serial:04d}"
        if nik not in used:
            used.add(nik)
            return nik


def generate(app, rows: int, chunk: int = 10_000) -> None:
    """Write ``rows`` officials with profiles, in bulk, in a fixed random order."""
    from pamong.accounts.models import User
    from pamong.extensions import db
    from pamong.registration.models import Profile
    from pamong.wilayah.models import Village

    rng = random.Random(SEED)
    with app.app_context():
        villages = db.session.scalars(
            select(Village.code).where(Village.kind.in_((2, 3)))
        ).all()
        pilot = [code for code in villages if code.startswith(f"{PILOT_PROVINCE}.")]
        states = rng.choices(list(STATES), weights=list(STATES.values()), k=rows)
        positions = rng.choices(
            list(POSITION_WEIGHTS), weights=list(POSITION_WEIGHTS.values()), k=rows
        )
        used: set[str] = set()
        start = datetime(2026, 6, 1)
        users, profiles = [], []
        first_id = 1000
        for index in range(rows):
            user_id = first_id + index
            state = states[index]
            village = rng.choice(pilot if rng.random() < PILOT_SHARE else villages)
            submitted = start + timedelta(seconds=rng.randrange(180 * 86400))
            users.append(
                {
                    "id": user_id,
                    "email": f"perangkat{user_id}@example.id",
                    "name": f"Perangkat Desa {rng.randrange(10**6):06d}",
                    "password_hash": "-",
                    "role": "official",
                    "state": state,
                    "session_key": f"k{user_id}",
                    "privacy_version": "2026-12",
                    "submitted_at": None if state == "registered" else submitted,
                    "email_verified_at": None
                    if state in ("registered", "submitted")
                    else submitted,
                    "created_at": submitted - timedelta(hours=1),
                    "updated_at": submitted,
                    "failed_logins": 0,
                    "admin_region": "",
                }
            )
            profiles.append(
                {
                    "user_id": user_id,
                    "phone": f"+62812{rng.randrange(10**7, 10**8)}",
                    "birth_place": "Selong",
                    "birth_date": date(1980, 1, 1),
                    "gender": "L",
                    "nik": random_nik(rng, village, used),
                    "education": "5",
                    "nik_date_mismatch": rng.random() < 0.02,
                    "nik_gender_mismatch": rng.random() < 0.01,
                    "is_pns": False,
                    "position": positions[index],
                    "tmt": date(2020, 1, 1),
                    "village_code": None if state == "registered" else village,
                    "sk_number": f"141/{user_id}/2025",
                    "updated_at": submitted,
                }
            )
            if len(users) == chunk or index == rows - 1:
                db.session.execute(insert(User.__table__), users)
                db.session.execute(insert(Profile.__table__), profiles)
                users, profiles = [], []
        db.session.execute(
            text("SELECT setval('users_id_seq', (SELECT max(id) FROM users))")
        )
        db.session.execute(
            text("SELECT setval('profiles_id_seq', (SELECT max(id) FROM profiles))")
        )
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def drop_queue_indexes(app) -> None:
    """Drop the queue indexes, to time the queries without them."""
    from pamong.extensions import db

    with app.app_context():
        for name in QUEUE_INDEXES:
            db.session.execute(text(f"DROP INDEX IF EXISTS {name}"))
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def logged_in(app, email: str, level: str, region: str):
    """Create an admin and return a test client logged in as them."""
    from pamong.admin.services import ensure_admin

    with app.app_context():
        ensure_admin(email, "Admin Bench", PASSWORD, level, region)
    client = app.test_client()
    response = client.post("/masuk", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def timed(client, target, runs: int) -> tuple[float, float, int]:
    """Ask ``runs`` times after one warm-up; return median, p95, bytes.

    ``target`` is a URL to GET, or a (URL, form) pair to POST, as the queue's
    search form is posted so that a NIK never enters a URL.
    """
    headers = {"Accept-Encoding": "gzip"}
    url, form = target if isinstance(target, tuple) else (target, None)

    def ask():
        """Send the request once."""
        if form is None:
            return client.get(url, headers=headers)
        return client.post(url, data=form, headers=headers)

    response = ask()
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = ask()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, len(response.data)


def sample_targets(app) -> tuple[str, int]:
    """Pick a NIK to search for and a pending account to open, in 52.03."""
    from pamong.accounts.models import User
    from pamong.extensions import db
    from pamong.registration.models import Profile

    with app.app_context():
        nik, user_id = db.session.execute(
            select(Profile.nik, User.id)
            .join(User, User.id == Profile.user_id)
            .where(User.state == "pending", Profile.village_code.like("52.03.%"))
            .order_by(User.id)
            .limit(1)
        ).one()
    return nik, user_id


def explain(app, nik: str) -> None:
    """Print the plans of the queue's main queries."""
    from werkzeug.datastructures import MultiDict

    from pamong.accounts.services import find_by_email
    from pamong.admin import queue
    from pamong.extensions import db

    with app.app_context():
        for email, args in [
            ("nasional@bench.example.id", {}),
            ("lotim@bench.example.id", {}),
            (
                "nasional@bench.example.id",
                {"kabupaten": "52.03", "jabatan": "kaur_keuangan"},
            ),
            ("nasional@bench.example.id", {"q": nik, "status": "semua"}),
        ]:
            admin = find_by_email(email)
            filters = queue.QueueFilter.from_args(MultiDict(args))
            query = queue.ordered(queue.filtered(admin, filters)).limit(50)
            compiled = query.compile(
                dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}
            )
            print(f"\n-- {email} {args}")
            for (line,) in db.session.execute(text(f"EXPLAIN ANALYZE {compiled}")):
                print(line)


def main() -> int:
    """Build the scratch database and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL server")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--without-indexes", action="store_true")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        parser.error("--database-url must name a PostgreSQL server")

    from flask_migrate import upgrade

    from pamong.wilayah.services import import_wilayah

    started = time.perf_counter()
    url = recreate_database(args.database_url)
    with tempfile.TemporaryDirectory(prefix="pamong-bench-") as folder:
        app = build_app(url, folder)
        with app.app_context():
            upgrade()
            import_wilayah()
        generate(app, args.rows)
        elapsed = time.perf_counter() - started
        print(f"{args.rows} registrations ready in {elapsed:.0f} s")
        if args.without_indexes:
            drop_queue_indexes(app)
            print("queue indexes dropped")

        national = logged_in(app, "nasional@bench.example.id", "nasional", "")
        kabupaten = logged_in(app, "lotim@bench.example.id", "kabupaten", "52.03")
        nik, user_id = sample_targets(app)
        cases = [
            ("queue, first page (nasional)", national, "/admin/"),
            ("queue, first page (kabupaten)", kabupaten, "/admin/"),
            (
                "filtered: kabupaten + jabatan (nasional)",
                national,
                "/admin/?provinsi=52&kabupaten=52.03&jabatan=kaur_keuangan",
            ),
            (
                "filtered: jabatan (kabupaten)",
                kabupaten,
                "/admin/?jabatan=kaur_keuangan",
            ),
            ("search: exact NIK (nasional)", national, ("/admin/cari", {"q": nik})),
            ("search: name part (nasional)", national, "/admin/?q=desa+12345"),
            ("account page (kabupaten)", kabupaten, f"/admin/akun/{user_id}"),
        ]
        print(f"\n{'case':<44} {'median ms':>10} {'p95 ms':>8} {'bytes':>8}")
        for name, client, target in cases:
            median, p95, size = timed(client, target, args.runs)
            print(f"{name:<44} {median:>10.1f} {p95:>8.1f} {size:>8}", flush=True)
        if args.explain:
            explain(app, nik)
        with app.app_context():
            from pamong.extensions import db

            db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
