"""A page listing the mail caught by the dev SMTP sink, newest first."""

import email
import email.policy
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template

bp = Blueprint("devmail", __name__, url_prefix="/_dev/surat")


def _folder() -> Path:
    """Return the folder the sink writes to."""
    return Path(current_app.instance_path) / "mailbox"


def _read(path: Path) -> dict:
    """Parse one stored message."""
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",))
    return {
        "id": path.stem,
        "to": message["To"],
        "subject": message["Subject"],
        "body": body.get_content() if body else "",
    }


@bp.route("/")
def inbox():
    """List every caught message with its body."""
    folder = _folder()
    paths = sorted(folder.glob("*.eml"), reverse=True) if folder.exists() else []
    return render_template("devtools/inbox.html", mails=[_read(p) for p in paths[:50]])


@bp.route("/<mail_id>")
def show(mail_id: str):
    """Show one caught message."""
    if not mail_id.isdigit():
        abort(404)
    path = _folder() / f"{mail_id}.eml"
    if not path.exists():
        abort(404)
    return render_template("devtools/inbox.html", mails=[_read(path)])
