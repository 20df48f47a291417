"""Accounts: log in and out, verify the email address, user loading."""

from flask import Blueprint, Flask

bp = Blueprint("accounts", __name__)


def init_app(app: Flask) -> None:
    """Register the blueprint and the Flask-Login user loader."""
    from pamong.accounts import routes, services  # noqa: F401
    from pamong.extensions import login_manager

    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Silakan masuk terlebih dahulu."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(services.load_user)
    app.register_blueprint(bp)
