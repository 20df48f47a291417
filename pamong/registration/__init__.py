"""Registration: sign-up, the three steps, and the status page."""

from flask import Blueprint, Flask

bp = Blueprint("registration", __name__)


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    from pamong.registration import routes  # noqa: F401

    app.register_blueprint(bp)
