"""Accounts: log in and out, verify the email address, user loading."""

import hashlib

from flask import Blueprint, Flask, request

bp = Blueprint("accounts", __name__)


def init_app(app: Flask) -> None:
    """Register the blueprint and the Flask-Login user loader."""
    from pamong.accounts import routes, services  # noqa: F401
    from pamong.extensions import login_manager

    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Silakan masuk terlebih dahulu."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager._session_identifier_generator = browser_identifier
    login_manager.user_loader(services.load_user)
    app.register_blueprint(bp)


def browser_identifier() -> str:
    """Fingerprint the browser for session protection, without the IP address.

    Flask-Login's strong protection ends a session whose fingerprint changes.
    Its default includes the client address, which changes all the time on
    Indonesian mobile networks (carrier NAT), so officials would be logged out
    mid-registration; a cookie moved to another browser is still refused.
    """
    agent = request.headers.get("User-Agent", "")
    return hashlib.sha512(agent.encode("utf-8", "replace")).hexdigest()
