"""Appointing and removing admins: national → provinsi → kabupaten/kota."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from pamong.accounts.models import User
from pamong.accounts.services import EmailTaken
from pamong.admin import bp, scope, services
from pamong.admin.access import appointer_required, recent_login_required
from pamong.admin.forms import AppointForm, DecisionForm
from pamong.core.http import no_store
from pamong.extensions import db
from pamong.wilayah import services as wilayah


def _region_choices() -> list[tuple[str, str]]:
    """Return the regions the current admin may appoint an admin for."""
    level = scope.level_below(current_user.admin_level)
    if level == scope.PROVINSI:
        options = wilayah.provinces()
    elif level == scope.KABUPATEN:
        options = wilayah.regencies(current_user.admin_region)
    else:
        options = []
    return [("", "— Pilih wilayah —"), *options]


def _staff_page(form: AppointForm, status: int = 200):
    """Render the list of managed admins with the appointment form."""
    level = scope.level_below(current_user.admin_level)
    page = render_template(
        "admin/staff.html",
        form=form,
        admins=services.managed_admins(current_user),
        remove_form=DecisionForm(),
        level_label=scope.LEVEL_LABELS[level],
        level_labels=scope.LEVEL_LABELS,
        describe=scope.describe,
    )
    return no_store(page), status


@bp.route("/pengelola")
@appointer_required
def staff():
    """List the admins this admin manages, with a form to appoint one."""
    form = AppointForm()
    form.region.choices = _region_choices()
    return _staff_page(form)


@bp.route("/pengelola", methods=["POST"])
@appointer_required
@recent_login_required("admin.staff")
def appoint():
    """Appoint an admin one level down and mail them how to log in."""
    form = AppointForm()
    form.region.choices = _region_choices()
    if not form.validate_on_submit():
        return _staff_page(form, 422)
    try:
        user = services.appoint(
            current_user, form.email.data, form.name.data.strip(), form.region.data
        )
    except EmailTaken:
        form.email.errors.append("Email ini sudah dipakai akun lain.")
        return _staff_page(form, 422)
    except services.NotAllowed:
        abort(404)
    flash(f"{user.name} diangkat; undangan dikirim ke {user.email}.", "info")
    return redirect(url_for("admin.staff"))


@bp.route("/pengelola/<int:admin_id>/cabut", methods=["POST"])
@appointer_required
@recent_login_required("admin.staff")
def remove(admin_id: int):
    """Remove an admin: their access ends at once, on every device."""
    other = db.session.get(User, admin_id)
    if other is None or not scope.may_manage(current_user, other):
        abort(404)
    if DecisionForm().validate_on_submit():
        services.remove_admin(current_user, other)
        flash(f"Akses admin {other.email} dicabut.", "info")
    return redirect(url_for("admin.staff"))
