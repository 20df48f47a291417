"""Admin review: the queue, decisions, admins and their scope, audit, reports."""

import hashlib
import secrets
from pathlib import Path

import click
from flask import Blueprint, Flask
from flask.cli import with_appcontext

bp = Blueprint(
    "admin",
    __name__,
    url_prefix="/admin",
    static_folder="static",
    static_url_path="/static",
)


def init_app(app: Flask) -> None:
    """Register the blueprint and the ``create-admin``, ``admin`` and ``targets``
    commands, and start noting when passwords are typed."""
    from flask_login import user_logged_in

    from pamong.accounts.access import note_password_typed
    from pamong.admin import (  # noqa: F401
        confirm_routes,
        report_routes,
        routes,
        staff_routes,
    )

    user_logged_in.connect(note_password_typed)
    app.register_blueprint(bp)
    _add_stylesheet_url(app)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(admin_cli)
    app.cli.add_command(targets_cli)


def _add_stylesheet_url(app: Flask) -> None:
    """Expose ``admin_css_url()``: the desk's stylesheet URL with its content hash."""
    from flask import url_for

    path = Path(bp.static_folder) / "admin.css"
    version = hashlib.sha256(path.read_bytes()).hexdigest()[:10]

    def admin_css_url() -> str:
        """Return the URL of the admin stylesheet."""
        return url_for("admin.static", filename="admin.css", v=version)

    app.jinja_env.globals["admin_css_url"] = admin_css_url


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
@click.option(
    "--level",
    type=click.Choice(["nasional", "provinsi", "kabupaten"]),
    default="nasional",
    show_default=True,
    help="Tingkat admin.",
)
@click.option(
    "--region",
    default="",
    help='Kode wilayah: "" nasional, "52" provinsi, "52.03" kabupaten/kota.',
)
def create_admin_command(
    email: str, name: str, password: str | None, level: str, region: str
):
    """Create an admin (or reset the password and scope of an existing admin)."""
    from pamong.admin.services import ensure_admin

    password = password or secrets.token_urlsafe(12)
    try:
        user, created = ensure_admin(email, name, password, level, region.strip())
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--region") from error
    click.echo(
        f"{'Admin dibuat' if created else 'Kata sandi admin diganti'}: "
        f"{user.email} / {password} ({level} {region})".rstrip()
    )


@click.group("admin")
def admin_cli():
    """Tasks of the admin desk."""


@admin_cli.command("digest")
@with_appcontext
@click.option("--skip-empty", is_flag=True, help="Jangan kirim ke admin tanpa antrean.")
def digest_command(skip_empty: bool):
    """Mail each admin the number of registrations waiting in their scope."""
    from pamong.admin.digest import send_digest

    sent = send_digest(skip_empty=skip_empty)
    for admin, count in sent:
        click.echo(f"{admin.email}: {count} menunggu")
    click.echo(f"ringkasan dikirim ke {len(sent)} admin")


@click.group("targets")
def targets_cli():
    """Targets of villages per region and theme."""


@targets_cli.command("set")
@with_appcontext
@click.argument("region")
@click.argument("theme")
@click.argument("villages", type=int)
def targets_set_command(region: str, theme: str, villages: int):
    """Set the target of REGION (provinsi or kabupaten code) for THEME."""
    from pamong.admin.progress import UnknownRegion, set_target

    try:
        target = set_target(region, theme, villages)
    except UnknownRegion as error:
        raise click.UsageError(
            f"wilayah atau tema tidak dikenal, atau target negatif: {error}"
        ) from error
    click.echo(f"target {target.region_code} {target.theme}: {target.villages} desa")


@targets_cli.command("list")
@with_appcontext
def targets_list_command():
    """Show every target."""
    from pamong.admin.progress import targets_for

    for target, name in targets_for(None):
        click.echo(f"{target.region_code}\t{name}\t{target.theme}\t{target.villages}")
