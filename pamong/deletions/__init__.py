"""Deletion requests of officials, carried out by national admins (UU 27/2022)."""

from flask import Blueprint, Flask

bp = Blueprint("deletions", __name__, url_prefix="/admin/penghapusan")


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    from pamong.deletions import routes  # noqa: F401

    app.register_blueprint(bp)
