"""The audit log, the targets, and the progress per kabupaten."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from pamong.accounts.access import admin_required
from pamong.admin import audit, bp, progress, scope
from pamong.admin.access import national_required, recent_login_required
from pamong.admin.choices import AUDIT_ACTIONS
from pamong.admin.forms import TargetForm
from pamong.core.http import no_store
from pamong.registration.choices import THEMES
from pamong.wilayah import services as wilayah


@bp.route("/audit")
@national_required
def audit_log():
    """List admin actions, newest first, filtered by admin, action and date."""
    filters = audit.AuditFilter.from_args(request.args)
    entries, total = audit.entries_page(filters)
    return no_store(
        render_template(
            "admin/audit.html",
            entries=entries,
            total=total,
            filters=filters,
            page_size=audit.PAGE_SIZE,
            actors=audit.actors(),
            actions=AUDIT_ACTIONS,
            details_of=audit.details_of,
        )
    )


def _target_regions() -> list[tuple[str, str]]:
    """Return every provinsi, and the kabupaten/kota under each, for targets."""
    choices = [("", "— Pilih wilayah —")]
    for code, province in wilayah.provinces():
        choices.append((code, province))
        choices.extend((sub, f"— {name}") for sub, name in wilayah.regencies(code))
    return choices


def _targets_page(form: TargetForm | None, status: int = 200):
    """Render the targets that concern the admin, with the form for national."""
    page = render_template(
        "admin/targets.html",
        targets=progress.targets_for(current_user),
        form=form,
        themes=THEMES,
    )
    return no_store(page), status


@bp.route("/target")
@admin_required
def targets():
    """Show the targets per region and theme; national admins may change them."""
    form = None
    if current_user.admin_level == scope.NASIONAL:
        form = TargetForm()
        form.region.choices = _target_regions()
    return _targets_page(form)


@bp.route("/target", methods=["POST"])
@national_required
@recent_login_required("admin.targets")
def set_target():
    """Set one region's target for one theme."""
    form = TargetForm()
    form.region.choices = _target_regions()
    if not form.validate_on_submit():
        return _targets_page(form, 422)
    target = progress.set_target(
        form.region.data, form.theme.data, form.villages.data, current_user
    )
    flash(
        f"Target {target.region_code} {THEMES[target.theme]}: {target.villages} desa.",
        "info",
    )
    return redirect(url_for("admin.targets"))


@bp.route("/capaian")
@admin_required
def progress_page():
    """Show, per kabupaten of a provinsi (or per provinsi), villages reached."""
    province = request.args.get("provinsi", "").strip()
    if not province and current_user.admin_region:
        province = current_user.admin_region[:2]
    if province and (
        progress.region_name(province) is None
        or len(province) != 2
        or not scope.touches(current_user, province)
    ):
        abort(404)

    rows = progress.progress(current_user, province)
    name = progress.region_name(province) if province else "Indonesia"
    return no_store(
        render_template(
            "admin/progress.html",
            rows=rows,
            total=progress.total(rows, province, name),
            province=province,
            province_name=name,
            themes=THEMES,
        )
    )
