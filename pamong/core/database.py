"""Database engine settings: SQLite gets WAL and a busy timeout."""

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from pamong.extensions import db


def init_app(app: Flask) -> None:
    """Tune SQLite connections so several workers share the file safely."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Turn on WAL, a five-second busy timeout and foreign keys."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def is_unique_violation(error: Exception) -> bool:
    """Tell whether a database error is a unique-constraint violation."""
    text = str(getattr(error, "orig", error)).lower()
    return "unique" in text or "duplicate key" in text


__all__ = ["Engine", "init_app", "is_unique_violation"]
