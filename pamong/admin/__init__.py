"""Admin review: the queue of pending registrations and the decisions."""

import secrets

import click
from flask import Blueprint, Flask
from flask.cli import with_appcontext

bp = Blueprint("admin", __name__, url_prefix="/admin")


def init_app(app: Flask) -> None:
    """Register the blueprint and the ``create-admin`` command."""
    from pamong.admin import routes  # noqa: F401

    app.register_blueprint(bp)
    app.cli.add_command(create_admin_command)


@click.command("create-admin")
@with_appcontext
@click.argument("email")
@click.option("--name", default="Admin Pamong Desa", help="Nama admin.")
@click.option(
    "--password",
    envvar="PAMONG_ADMIN_PASSWORD",
    default=None,
    help="Kata sandi; dibuat acak bila kosong.",
)
def create_admin_command(email: str, name: str, password: str | None):
    """Create an admin account (or reset the password of an existing admin)."""
    from pamong.admin.services import ensure_admin

    password = password or secrets.token_urlsafe(12)
    user, created = ensure_admin(email, name, password)
    click.echo(
        f"{'Admin dibuat' if created else 'Kata sandi admin diganti'}: "
        f"{user.email} / {password}"
    )
