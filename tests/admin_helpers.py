"""Helpers for the admin desk tests: admins by level, officials by place.

Officials reach the queue two ways: through the whole registration path over
HTTP (:func:`register_pending`, slow but real) or written straight into the
database (:func:`seed`, for counts, filters and pages).
"""

import itertools
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text

from pamong.accounts.models import PENDING, User
from pamong.extensions import db
from pamong.registration.models import Profile
from tests.conftest import csrf_from
from tests.helpers import DESA, KABUPATEN, KECAMATAN, PROVINSI, Official
from tests.pdf_samples import assemble, good_objects, stream

ADMIN_TABLES = ("audit_entries", "review_decisions", "sk_hints", "targets")

#: Desa in Kabupaten Lombok Timur (ours), Lombok Barat (same provinsi), Bali.
TIMUR = {
    "provinsi": PROVINSI,
    "kabupaten": KABUPATEN,
    "kecamatan": KECAMATAN,
    "desa": DESA,
}
TIMUR_2 = {**TIMUR, "desa": "52.03.01.2002"}
BARAT = {
    "provinsi": "52",
    "kabupaten": "52.01",
    "kecamatan": "52.01.01",
    "desa": "52.01.01.2002",
}
BALI = {
    "provinsi": "51",
    "kabupaten": "51.01",
    "kecamatan": "51.01.01",
    "desa": "51.01.01.2001",
}

PASSWORD = "admin-rahasia-1"

_serials = itertools.count(2)


@pytest.fixture
def admin_tables(app):
    """Empty the admin desk's own tables before and after each test."""
    _empty(app)
    yield
    _empty(app)


def _empty(app) -> None:
    """Delete every row of the admin desk's tables."""
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in ADMIN_TABLES:
                connection.execute(text(f"DELETE FROM {table}"))


def login_admin(app, runner, email="admin@pamong.test", level="nasional", region=""):
    """Create an admin with the CLI and return an :class:`Official` logged in."""
    args = ["create-admin", email, "--password", PASSWORD, "--level", level]
    if region:
        args += ["--region", region]
    result = runner.invoke(args=args)
    assert email in result.output, result.output
    admin = Official(app.test_client(), email=email, password=PASSWORD)
    assert admin.log_in().headers["Location"] == "/admin/"
    return admin


def path_of(link: str) -> str:
    """Turn a mailed absolute link into a path for the test client."""
    return "/" + link.split("/", 3)[3]


def next_nik() -> str:
    """Return a NIK unused so far in this session, born 12-04-1985, female."""
    return f"520301520485{next(_serials):04d}"


def register_pending(app, mailbox, place=None, pdf=None, **answers) -> int:
    """Walk the registration path over HTTP, verify the email; return the id.

    :param place: the four region codes of step 3 (default: Lombok Timur).
    :param answers: ``email``, ``name``, ``position`` or ``sk_number``.
    """
    email = answers.get("email") or f"perangkat{next(_serials)}@example.id"
    official = Official(
        app.test_client(), email=email, name=answers.get("name", "Siti Aminah")
    )
    official.identity = {**official.identity, "nik": answers.get("nik") or next_nik()}
    if "position" in answers:
        official.position = {**official.position, "position": answers["position"]}

    official.sign_up()
    assert official.step1().status_code == 302
    assert official.step2().status_code == 302
    step3 = {**(place or TIMUR)}
    if "sk_number" in answers:
        step3["sk_number"] = answers["sk_number"]
    assert official.step3(pdf=pdf, **step3).headers["Location"] == "/status"

    mail = mailbox.wait_for(email, "Verifikasi email")
    link = path_of(next(link for link in mail.links() if "/verifikasi/" in link))
    page = official.client.get(link)
    official.client.post(
        link,
        data={
            "csrf_token": csrf_from(page.data),
            "name": official.name,
            "password": official.password,
        },
    )

    user = user_by_email(app, email)
    assert user.state == PENDING
    return user.id


def user_by_email(app, email: str) -> User:
    """Load an account fresh from the database, detached."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge_all()
        return user


def load(app, user_id: int) -> User:
    """Load an account with its profile, detached."""
    with app.app_context():
        user = db.session.get(User, user_id)
        _ = user.profile
        db.session.expunge_all()
        return user


def seed(app, count=1, *, state=PENDING, village=DESA, start=None, **values) -> list:
    """Write ``count`` officials straight into the database; return their ids.

    Submissions are one hour apart from ``start``, in the order created.
    ``values`` may set ``name``, ``email``, ``position``, ``theme_override``,
    ``nik``, ``email_verified`` (bool).
    """
    start = start or datetime(2026, 11, 1, 8, 0)
    ids = []
    with app.app_context():
        for index in range(count):
            serial = next(_serials)
            user = User(
                email=values.get("email") or f"seed{serial}@example.id",
                name=values.get("name", f"Perangkat {serial}"),
                password_hash="-",
                role="official",
                state=state,
                privacy_version="test",
                submitted_at=None
                if state == "registered"
                else start + timedelta(hours=index),
                email_verified_at=start if values.get("email_verified", True) else None,
            )
            db.session.add(user)
            db.session.flush()
            db.session.add(
                Profile(
                    user_id=user.id,
                    nik=values.get("nik") or f"5203015204{serial:06d}",
                    phone="+6281234567890",
                    position=values.get("position", "kaur_keuangan"),
                    theme_override=values.get("theme_override"),
                    village_code=None if state == "registered" else village,
                )
            )
            ids.append(user.id)
        db.session.commit()
    return ids


def sk_pdf(words: str) -> bytes:
    """Return a one-page PDF whose text layer says ``words`` (ASCII)."""
    escaped = re.sub(r"([\\()])", r"\\\1", words).encode("ascii")
    content = b"BT /F1 12 Tf 40 720 Td (" + escaped + b") Tj ET"
    objects = good_objects()
    objects[4] = stream(content)
    return assemble(objects)
