"""Time helpers. Instants are stored as naive UTC; calendar dates stay dates."""

from datetime import UTC, date, datetime, timedelta

WIT = timedelta(hours=9)


def utcnow() -> datetime:
    """Return the current instant as a naive UTC datetime."""
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    """Return today's date in WIT (UTC+9), Indonesia's easternmost zone.

    A date that is already today anywhere in Indonesia is therefore never
    judged to lie in the future.
    """
    return (datetime.now(UTC) + WIT).date()
