"""Configuration read from environment variables, each with a documented default.

Every setting can be overridden by an environment variable of the same name
prefixed ``PAMONG_`` (for example ``PAMONG_SECRET_KEY``); ``DATABASE_URL`` and
``RATELIMIT_STORAGE_URI`` keep their conventional names.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    """Return the ``PAMONG_``-prefixed environment variable, or ``default``."""
    return os.environ.get(f"PAMONG_{name}", default)


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean environment variable written as 1/0, true/false, yes/no."""
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    """Read an integer environment variable."""
    value = env(name)
    return default if value is None else int(value)


class Config:
    """Settings for a single-machine deployment; see the README for each one."""

    #: Folder for the SQLite database, stored SK files and the dev mailbox.
    INSTANCE_PATH = env("INSTANCE_PATH", str(ROOT / "instance"))

    #: Signs sessions and mailed links. When unset, a random key is made once
    #: and kept in the instance folder; hosts that share the load must set it.
    SECRET_KEY = env("SECRET_KEY")

    #: SQLite in the instance folder unless DATABASE_URL names PostgreSQL.
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{Path(INSTANCE_PATH) / 'pamong.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    #: Where SK PDFs are kept: outside the web root, never served statically.
    UPLOAD_FOLDER = env("UPLOAD_FOLDER", str(Path(INSTANCE_PATH) / "uploads"))

    #: Largest SK accepted, in bytes (10 MB).
    SK_MAX_BYTES = env_int("SK_MAX_BYTES", 10 * 1024 * 1024)

    #: Resumable SK uploads (tus, at /unggah/): hours an unfinished upload, or
    #: the verdict on a finished one, is kept after its last activity.
    TUS_EXPIRY_HOURS = env_int("TUS_EXPIRY_HOURS", 24)
    #: Unfinished uploads one official may keep; a new one drops the idlest.
    TUS_MAX_UNFINISHED = env_int("TUS_MAX_UNFINISHED", 3)
    #: Least minutes between the clean-ups of expired uploads that creating an
    #: upload sets off; ``flask unggah bersihkan`` runs one at any time.
    TUS_CLEANUP_MINUTES = env_int("TUS_CLEANUP_MINUTES", 15)

    #: Limits of the separate process that opens each PDF with pypdf.
    PDF_CHECK_SECONDS = env_int("PDF_CHECK_SECONDS", 8)
    PDF_CHECK_MEMORY_MB = env_int("PDF_CHECK_MEMORY_MB", 512)
    #: Checks that run at once across the host's workers, how long a request
    #: waits for a place before "server sibuk", and the folder of the places'
    #: lock files (by default one per installation in the temporary folder).
    PDF_CHECK_PLACES = env_int("PDF_CHECK_PLACES", 2)
    PDF_CHECK_WAIT_SECONDS = env_int("PDF_CHECK_WAIT_SECONDS", 20)
    PDF_CHECK_PLACES_FOLDER = env("PDF_CHECK_PLACES_FOLDER")

    #: Resumable SK uploads one official may start.
    TUS_CREATE_LIMIT = env("TUS_CREATE_LIMIT", "30 per hour")

    #: Outgoing mail: the local sink of `make run` by default.
    MAIL_SERVER = env("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = env_int("MAIL_PORT", 8025)
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = env_bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = env("MAIL_USERNAME")
    MAIL_PASSWORD = env("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = env(
        "MAIL_DEFAULT_SENDER", "LMS Pamong Desa <noreply@pamongdesa.test>"
    )
    MAIL_TIMEOUT = env_int("MAIL_TIMEOUT", 10)
    #: Really send, also under tests: they receive mail with their own SMTP server.
    MAIL_SUPPRESS_SEND = env_bool("MAIL_SUPPRESS_SEND", False)

    #: Run the outbox sender as a thread inside each web process.
    OUTBOX_WORKER = env_bool("OUTBOX_WORKER", True)
    #: Seconds between outbox polls when nothing wakes the sender.
    OUTBOX_POLL_SECONDS = env_int("OUTBOX_POLL_SECONDS", 15)
    #: Seconds before the first retry of a failed mail; doubles each time.
    OUTBOX_RETRY_SECONDS = env_int("OUTBOX_RETRY_SECONDS", 30)
    #: Attempts before a mail is marked as failing for admins to see.
    OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)

    #: Address used in mailed links (scheme, host and port).
    PUBLIC_URL = env("PUBLIC_URL", "http://127.0.0.1:5000")

    #: How long a verification link stays valid, in hours.
    VERIFY_TOKEN_HOURS = env_int("VERIFY_TOKEN_HOURS", 72)

    #: How long a password reset link stays valid, in minutes.
    RESET_TOKEN_MINUTES = env_int("RESET_TOKEN_MINUTES", 60)

    #: Failed logins in a row that lock an account, and for how long.
    LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
    LOGIN_LOCK_MINUTES = env_int("LOGIN_LOCK_MINUTES", 15)

    #: Minutes after typing the password in which an admin may decide
    #: (approve, reject, reveal a NIK, appoint, delete); then it is asked again.
    ADMIN_RECENT_LOGIN_MINUTES = env_int("ADMIN_RECENT_LOGIN_MINUTES", 30)

    #: Version of the privacy notice shown at sign-up.
    PRIVACY_VERSION = env("PRIVACY_VERSION", "2026-12")

    #: Serve a page listing the dev SMTP sink's messages at /_dev/surat.
    DEV_MAILBOX = env_bool("DEV_MAILBOX", False)

    #: Rate-limit storage: in-process by default, Redis for several workers.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = False

    #: Cookies: Secure only when served over HTTPS.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_bool("HTTPS", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = env_bool("HTTPS", False)

    #: CSRF tokens last as long as the session so a page kept open works.
    WTF_CSRF_TIME_LIMIT = None

    #: Request bodies larger than this are refused with a 413 page.
    MAX_CONTENT_LENGTH = SK_MAX_BYTES + 512 * 1024

    #: Reverse proxies in front of the app whose X-Forwarded-For/-Proto are
    #: trusted (0: none). Rate limits and audit lines then see the real client.
    PROXY_COUNT = env_int("PROXY_COUNT", 0)

    #: Days before unverified registrations, and uncorrected rejections,
    #: are deleted by ``flask akun purge``.
    RETENTION_UNVERIFIED_DAYS = env_int("RETENTION_UNVERIFIED_DAYS", 30)
    RETENTION_REJECTED_DAYS = env_int("RETENTION_REJECTED_DAYS", 180)

    #: Logging: level and whether to log to stdout.
    LOG_LEVEL = env("LOG_LEVEL", "INFO")
