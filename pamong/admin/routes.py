"""The admin queue, an account's page, and the approve/reject decisions."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from pamong.accounts.access import admin_required
from pamong.accounts.models import User
from pamong.admin import bp, services
from pamong.admin.forms import DecisionForm, RejectForm
from pamong.core.http import no_store
from pamong.extensions import db


@bp.route("/")
@admin_required
def queue():
    """List pending registrations, oldest first."""
    page = request.args.get("halaman", 1, type=int) or 1
    users, total = services.pending_page(page)
    return no_store(
        render_template(
            "admin/queue.html",
            users=users,
            total=total,
            page=page,
            page_size=services.PAGE_SIZE,
            counts=services.state_counts(),
        )
    )


@bp.route("/akun/<int:user_id>")
@admin_required
def account(user_id: int):
    """Show every field of one registration, its NIK flags and its SK."""
    user = _official_or_404(user_id)
    return no_store(
        render_template(
            "admin/account.html",
            user=user,
            profile=user.profile,
            approve_form=DecisionForm(),
            reject_form=RejectForm(),
        )
    )


@bp.route("/akun/<int:user_id>/setujui", methods=["POST"])
@admin_required
def approve(user_id: int):
    """Approve a pending registration."""
    user = _official_or_404(user_id)
    if DecisionForm().validate_on_submit():
        try:
            services.approve(user, current_user)
        except services.NotPending:
            flash("Akun ini sudah diputuskan sebelumnya.", "info")
        else:
            flash(f"Pendaftaran {user.name} disetujui.", "info")
    return redirect(url_for("admin.queue"))


@bp.route("/akun/<int:user_id>/tolak", methods=["POST"])
@admin_required
def reject(user_id: int):
    """Reject a pending registration with a reason."""
    user = _official_or_404(user_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return no_store(
            render_template(
                "admin/account.html",
                user=user,
                profile=user.profile,
                approve_form=DecisionForm(),
                reject_form=form,
            )
        ), 422
    try:
        services.reject(user, current_user, form.reason.data.strip())
    except services.NotPending:
        flash("Akun ini sudah diputuskan sebelumnya.", "info")
    else:
        flash(f"Pendaftaran {user.name} ditolak; alasan dikirim.", "info")
    return redirect(url_for("admin.queue"))


def _official_or_404(user_id: int) -> User:
    """Return the official with this id, or answer 404."""
    user = db.session.get(User, user_id)
    if user is None or user.is_admin:
        abort(404)
    return user
