"""Accounts: log in and out, verify the email address, user loading."""

import hashlib

import click
from flask import Blueprint, Flask, request, session
from flask.cli import with_appcontext
from flask_login import user_loaded_from_cookie

bp = Blueprint("accounts", __name__)


def init_app(app: Flask) -> None:
    """Register the blueprint and the Flask-Login user loader."""
    from pamong.accounts import routes, services  # noqa: F401
    from pamong.extensions import login_manager

    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Silakan masuk terlebih dahulu."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager._session_identifier_generator = browser_identifier
    login_manager.user_loader(services.load_user)
    user_loaded_from_cookie.connect(_bind_restored_session, app)
    app.register_blueprint(bp)
    app.cli.add_command(accounts_cli)


def browser_identifier() -> str:
    """Fingerprint the browser for session protection, without the IP address.

    Flask-Login's strong protection ends a session whose fingerprint changes.
    Its default includes the client address, which changes all the time on
    Indonesian mobile networks (carrier NAT), so officials would be logged out
    mid-registration; a cookie moved to another browser is still refused.
    """
    agent = request.headers.get("User-Agent", "")
    return hashlib.sha512(agent.encode("utf-8", "replace")).hexdigest()


def _bind_restored_session(_app, user) -> None:
    """Tie a session restored from the remember-me cookie to this browser.

    Flask-Login restores the login without the browser fingerprint that strong
    session protection compares on the next request, so without it an official
    who ticked "Tetap masuk" would be logged out one page after coming back.
    """
    session["_id"] = browser_identifier()


@click.group("akun")
def accounts_cli():
    """Officials' accounts: deletion on request, and the retention purge."""


@accounts_cli.command("hapus")
@click.argument("email")
@with_appcontext
def delete_command(email: str):
    """Delete an official's account, data and SK files."""
    from pamong.accounts.privacy import delete_account
    from pamong.accounts.services import find_by_email

    user = find_by_email(email)
    if user is None:
        raise click.ClickException(f"Tidak ada akun {email}.")
    delete_account(user)
    click.echo(f"Akun {email} dan berkasnya sudah dihapus.")


@accounts_cli.command("purge")
@with_appcontext
def purge_command():
    """Delete unverified and rejected registrations past their retention."""
    from pamong.accounts.privacy import purge_expired

    for kind, count in purge_expired().items():
        click.echo(f"{kind}: {count} dihapus")
