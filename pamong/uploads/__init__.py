"""Resumable SK uploads over the tus 1.0.0 protocol, mounted at ``/unggah/``.

A phone on a 2G/3G signal that comes and goes sends the SK Jabatan in small
pieces and, after a lost connection or a reload, asks how much arrived and
goes on from there. Supported: the core protocol and the creation, termination
and expiration extensions. When the last byte arrives the file gets the same
checks as the plain form upload, and the verdict waits at
``GET /unggah/<id>/hasil``. The plain multipart upload of step 3 stays the
path without JavaScript.
"""

import click
from flask import Blueprint, Flask

bp = Blueprint("uploads", __name__, url_prefix="/unggah", cli_group="unggah")


def init_app(app: Flask) -> None:
    """Register the tus routes and the ``flask unggah`` commands."""
    from pamong.uploads import routes  # noqa: F401

    app.register_blueprint(bp)


@bp.cli.command("bersihkan")
def clean_command() -> None:
    """Remove unfinished uploads and verdicts whose time has run out."""
    from pamong.uploads.services import remove_expired

    removed = remove_expired()
    click.echo(f"{removed} unggahan kedaluwarsa dihapus")
