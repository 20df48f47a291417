"""SK Jabatan files: checked, stored outside the web root, served to the few."""

from flask import Blueprint, Flask

bp = Blueprint("documents", __name__)


def init_app(app: Flask) -> None:
    """Register the download route."""
    from pamong.documents import routes  # noqa: F401

    app.register_blueprint(bp)
