"""Logging: module loggers to stdout, and an audit logger for security events.

The audit logger ``pamong.audit`` records logins, registrations, decisions and
downloads with the account id and the client address, never a password, a
token or a full NIK.
"""

import logging
import sys

from flask import Flask, has_request_context, request

audit_log = logging.getLogger("pamong.audit")


def init_app(app: Flask) -> None:
    """Send the package's logs to stdout once, unless testing."""
    root = logging.getLogger("pamong")
    root.setLevel(app.config["LOG_LEVEL"])
    if app.testing or any(getattr(h, "_pamong", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler._pamong = True
    root.addHandler(handler)


def audit(event: str, user_id: int | None = None, **details) -> None:
    """Write one security event with the client's address."""
    address = request.remote_addr if has_request_context() else "-"
    extra = " ".join(f"{key}={value}" for key, value in sorted(details.items()))
    audit_log.info("%s user=%s ip=%s %s", event, user_id, address, extra)


def mask_nik(nik: str | None) -> str:
    """Show a NIK as its first four and last four digits: ``5201********0001``."""
    if not nik:
        return ""
    return nik[:4] + "*" * (len(nik) - 8) + nik[-4:]
