"""Wilayah: the Kemendagri regions, their import command and the htmx cascade."""

from pathlib import Path

import click
from flask import Blueprint, Flask

bp = Blueprint("wilayah", __name__, url_prefix="/wilayah", cli_group="wilayah")


def init_app(app: Flask) -> None:
    """Register the cascade routes and the ``flask wilayah`` commands."""
    from pamong.wilayah import routes  # noqa: F401

    app.register_blueprint(bp)


@bp.cli.command("import")
@click.option(
    "--source",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder with provinces, regencies, districts and villages as .csv or "
    ".csv.gz (default: the data shipped in pamong/wilayah/data).",
)
def import_command(source: Path | None) -> None:
    """Load the wilayah tables, or bring them up to date with a newer release.

    Adds new codes and renames changed ones; never deletes a code, and reports
    how many codes the release no longer holds.
    """
    from pamong.wilayah.services import WilayahDataError, counts, import_wilayah

    try:
        report = import_wilayah(source)
    except WilayahDataError as error:
        raise click.ClickException(str(error)) from error

    for level, numbers in report.items():
        click.echo(
            f"{level:<10} {numbers['total']:>6} in release, "
            f"{numbers['added']} added, {numbers['updated']} updated, "
            f"{numbers['missing']} missing from release (kept)"
        )
    click.echo(f"desa and desa adat: {counts()['desa']}")
