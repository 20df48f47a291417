"""Serving an SK to its owner and to admins, shown inline and never run."""

from urllib.parse import quote

from flask import abort, request, send_file
from flask_login import current_user, login_required

from pamong.admin.audit import record_admin_action
from pamong.documents import bp
from pamong.documents.models import Document
from pamong.documents.services import may_open, storage_path
from pamong.extensions import db


def _first_view() -> bool:
    """Tell a new opening from the viewer's follow-up range requests."""
    ranges = request.headers.get("Range", "")
    return not ranges or ranges.startswith("bytes=0-")


@bp.route("/dokumen/<int:document_id>")
@login_required
def download(document_id: int):
    """Send the PDF inline, with headers that stop it from running anything."""
    document = db.session.get(Document, document_id)
    if document is None or not may_open(current_user, document):
        abort(404)

    if current_user.is_admin and _first_view():
        record_admin_action(
            current_user,
            "sk_opened",
            document.owner_id,
            commit=True,
            document=document.id,
        )
    response = send_file(
        storage_path(document.storage_name),
        mimetype="application/pdf",
        max_age=0,
        conditional=True,
    )
    response.headers["Content-Disposition"] = (
        f"inline; filename*=UTF-8''{quote(document.original_name)}"
    )
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; frame-ancestors 'self'"
    )
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response
