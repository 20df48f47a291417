"""Training home for approved officials: self-paced and thematic menus."""

from flask import Blueprint, Flask

bp = Blueprint("training", __name__, url_prefix="/pelatihan")


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    from pamong.training import routes  # noqa: F401

    app.register_blueprint(bp)
