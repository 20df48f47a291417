"""Fixtures: a migrated database with all of Indonesia's regions, a real SMTP
server, the app, a client, and helpers that walk the registration path.

The database is SQLite by default; set ``PAMONG_TEST_DATABASE_URL`` (for
example ``postgresql+psycopg://postgres@127.0.0.1:5432/test``) to run the same
suite on PostgreSQL.
"""

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.mailbox import Mailbox

pytest_plugins = ["tests.browser_fixtures"]

REGION_TABLES = {"provinces", "regencies", "districts", "villages"}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """Migrate a fresh database once and import the wilayah data into it."""
    url = os.environ.get("PAMONG_TEST_DATABASE_URL")
    if url:
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"

    from flask_migrate import upgrade

    from pamong import create_app
    from pamong.wilayah.services import import_wilayah

    app = create_app(_settings(url, tmp_path_factory.mktemp("setup"), 1))
    with app.app_context():
        upgrade()
        import_wilayah()
    return url


def _reset_postgres(url: str) -> None:
    """Drop every table of the test schema so migrations start from nothing."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _settings(url: str, folder: Path, smtp_port: int) -> dict:
    """Return the test configuration."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "UPLOAD_FOLDER": str(folder / "uploads"),
        "PDF_CHECK_PLACES_FOLDER": str(folder / "pdf-check-places"),
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_TIMEOUT": 5,
        "OUTBOX_WORKER": True,
        "OUTBOX_POLL_SECONDS": 1,
        "PUBLIC_URL": "http://127.0.0.1:5000",
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": True,
    }


@pytest.fixture(scope="session")
def smtp():
    """A real SMTP server on loopback for the whole session."""
    box = Mailbox()
    box.port = box.start()
    yield box
    box.stop()


@pytest.fixture
def mailbox(smtp):
    """The SMTP server's messages, emptied before each test."""
    smtp.clear()
    return smtp


@pytest.fixture
def app(database_url, smtp, tmp_path):
    """The application on the shared test database, emptied after each test."""
    from pamong import create_app

    app = create_app(_settings(database_url, tmp_path, smtp.port))
    yield app
    empty_tables(app)


def empty_tables(app) -> None:
    """Stop the app's mail sender and delete every row the tests may write."""
    from pamong.extensions import db

    app.extensions["outbox_worker"].stop()
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                if table.name not in REGION_TABLES:
                    connection.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A test client that keeps cookies."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A runner for the app's CLI commands."""
    return app.test_cli_runner()


CSRF = re.compile(
    rb'name="csrf_token" type="hidden" value="([^"]+)"|'
    rb'type="hidden" name="csrf_token" value="([^"]+)"|'
    rb'name="csrf_token" value="([^"]+)"'
)


def csrf_from(html: bytes) -> str:
    """Read the CSRF token out of a rendered form."""
    match = CSRF.search(html)
    assert match, "no CSRF token in page"
    return next(group for group in match.groups() if group).decode()
