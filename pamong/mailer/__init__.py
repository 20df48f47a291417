"""Outgoing mail through an outbox table, delivered by a sender with retries."""

import click
from flask import Blueprint, Flask
from flask.cli import with_appcontext

bp = Blueprint("mailer", __name__)


def init_app(app: Flask) -> None:
    """Register the outbox commands and start the in-process sender."""
    from pamong.mailer import services, worker

    app.cli.add_command(outbox_cli)
    worker.init_app(app)
    app.extensions["outbox"] = services


@click.group("outbox")
def outbox_cli():
    """Send or inspect mail waiting in the outbox."""


@outbox_cli.command("send")
@with_appcontext
def send_command():
    """Deliver every mail that is due now, once."""
    from pamong.mailer.services import deliver_due

    sent, failed = deliver_due()
    click.echo(f"terkirim {sent}, gagal {failed}")


@outbox_cli.command("status")
@with_appcontext
def status_command():
    """Show how many mails are waiting, sent and failing."""
    from pamong.mailer.services import outbox_counts

    for name, count in outbox_counts().items():
        click.echo(f"{name}: {count}")
