"""The national admin's list of deletion requests and the button that acts."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from pamong.accounts.models import User
from pamong.admin.access import national_required, recent_login_required
from pamong.core.http import no_store
from pamong.deletions import bp, services
from pamong.deletions.forms import ConfirmDeletionForm
from pamong.extensions import db


def _list_page(form: ConfirmDeletionForm, failed_id: int | None = None, status=200):
    """Render the pending requests, with the errors of one refused form."""
    page = render_template(
        "deletions/requests.html",
        requests=services.pending_requests(),
        form=form,
        failed_id=failed_id,
    )
    return no_store(page), status


@bp.route("/")
@national_required
def requests():
    """List the officials who asked for their account to be deleted."""
    return _list_page(ConfirmDeletionForm())


@bp.route("/<int:user_id>", methods=["POST"])
@national_required
@recent_login_required("deletions.requests")
def delete(user_id: int):
    """Delete one requesting official once the admin has ticked the box."""
    official = db.session.get(User, user_id)
    if official is None or not services.has_requested(official):
        abort(404)

    form = ConfirmDeletionForm()
    if not form.validate_on_submit():
        return _list_page(form, failed_id=user_id, status=422)

    email = official.email
    if services.carry_out(current_user, official):
        flash(
            f"Akun {email} sudah dihapus dan pemiliknya dikabari lewat email.", "info"
        )
    else:
        flash(f"Akun {email} sudah dihapus oleh admin lain.", "info")
    return redirect(url_for("deletions.requests"))
