"""The queue, the CSV export, an account's page and the decisions on it.

Every route that names an account goes through ``official_in_scope``; the
queue and the export apply the scope in their query and answer 404 when a
filter names a region outside it.
"""

from urllib.parse import urlsplit

from flask import (
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from pamong.accounts.access import admin_required
from pamong.accounts.models import SUSPENDED
from pamong.admin import bp, export, queue, review, scope, services
from pamong.admin.access import official_in_scope, recent_login_required
from pamong.admin.audit import record_admin_action
from pamong.admin.choices import OTHER, REJECT_REASONS, STEPS
from pamong.admin.forms import CorrectionForm, DecisionForm, RejectForm, SuspendForm
from pamong.admin.params import whole_id
from pamong.core.http import is_htmx, no_store, page_or_fragment
from pamong.core.time import today
from pamong.registration.choices import POSITIONS, THEMES
from pamong.wilayah import services as wilayah


def _filters(source) -> queue.QueueFilter:
    """Read the queue filters from ``source``; 404 when a region is out of scope."""
    filters = queue.QueueFilter.from_args(source)
    if filters.region and not scope.touches(current_user, filters.region):
        abort(404)
    return filters


def _nik_kept_out(filters: queue.QueueFilter):
    """Send a URL that carries a NIK to the same filters without it."""
    flash(
        "Demi keamanan, NIK tidak dicari lewat alamat halaman. "
        "Ketik NIK di kotak pencarian lalu tekan Terapkan.",
        "info",
    )
    return redirect(url_for("admin.queue", **filters.args()), 303)


def _cascade(filters: queue.QueueFilter) -> tuple[dict, dict]:
    """Return the chosen regions and the lists of the filter's wilayah cascade.

    An admin below national level starts with their own region chosen, and
    the upper lists hold only the regions around their scope.
    """
    chosen = {level: getattr(filters, level) for level in queue.REGION_LEVELS}
    region = current_user.admin_region or ""
    if region and not filters.region:
        chosen["provinsi"] = region[:2]
        if len(region) == 5:
            chosen["kabupaten"] = region
    selected, lists = wilayah.cascade(chosen)
    for level in ("provinsi", "kabupaten"):
        if level in lists:
            lists[level] = [
                (code, name)
                for code, name in lists[level]
                if scope.touches(current_user, code)
            ]
    return selected, lists


def _results(filters: queue.QueueFilter):
    """Render the queue for ``filters``: the page, or its results for htmx."""
    counts = queue.state_counts(current_user, filters)
    selected, lists = _cascade(filters)
    return no_store(
        page_or_fragment(
            "admin/queue.html",
            "admin/_results.html",
            users=queue.page(current_user, filters),
            total=queue.total_of(counts, filters),
            filters=filters,
            counts=counts,
            state_order=queue.STATE_ORDER,
            page_size=queue.PAGE_SIZE,
            selected=selected,
            lists=lists,
            positions=POSITIONS,
            themes=THEMES,
            bulk_form=DecisionForm(),
        )
    )


@bp.route("/", endpoint="queue")
@admin_required
def queue_page():
    """List registrations in scope, pending and oldest first unless filtered."""
    filters = _filters(request.args)
    if filters.nik:
        return _nik_kept_out(filters)
    return _results(filters)


@bp.route("/cari", methods=["POST"])
@admin_required
def search():
    """Apply the filter form, sent by POST so that a NIK never enters a URL.

    Without a NIK the answer is the queue's own address, which can be
    bookmarked. A NIK search answers its results here, in every state.
    """
    if not DecisionForm().validate_on_submit():
        abort(400)
    filters = _filters(request.form)
    filters.halaman = 1
    if filters.nik:
        filters.status = queue.ALL_STATES
        response = _results(filters)
        address = "false"
    else:
        address = url_for("admin.queue", **filters.args())
        if not is_htmx():
            return redirect(address, 303)
        response = _results(filters)
    if is_htmx():
        response.headers["HX-Push-Url"] = address
    return response


@bp.route("/ekspor.csv")
@admin_required
def export_csv():
    """Download the filtered queue as CSV; the NIK is masked below national level."""
    filters = _filters(request.args)
    if filters.nik:
        return _nik_kept_out(filters)
    total = queue.count(current_user, filters)
    record_admin_action(
        current_user, "export", commit=True, rows=total, filters=filters.for_log()
    )
    rows = queue.run_in_chunks(queue.export_query(current_user, filters))
    lines = export.csv_lines(rows, export.shows_full_nik(current_user))
    response = Response(
        stream_with_context(lines), content_type="text/csv; charset=utf-8"
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="pamong-desa-{today():%Y%m%d}.csv"'
    )
    return no_store(response)


def admin_path(target: str | None) -> str:
    """Return ``target`` if it is a page of the admin desk, else the queue.

    Keeps redirects on this site: a URL with a scheme or a host never passes.
    """
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/admin/"):
        return url_for("admin.queue")
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _queue_back() -> str:
    """Return the queue URL a bulk decision was sent from."""
    return admin_path(request.form.get("kembali"))


@bp.route("/setujui-terpilih", methods=["POST"])
@admin_required
@recent_login_required(_queue_back)
def approve_selected():
    """Approve every selected pending account, each as its own decision."""
    if DecisionForm().validate_on_submit():
        ids = [
            number
            for number in map(whole_id, request.form.getlist("pilih"))
            if number is not None
        ]
        approved, skipped = services.approve_many(current_user, ids)
        message = f"{approved} pendaftaran disetujui."
        if skipped:
            message += f" {skipped} dilewati (sudah diputuskan atau di luar wilayah)."
        flash(message, "info")
    return redirect(_queue_back())


def _account_page(official, status: int = 200, **context):
    """Render the account page with everything the admin needs to decide."""
    context.setdefault("approve_form", DecisionForm())
    context.setdefault("reject_form", RejectForm())
    context.setdefault("correction_form", CorrectionForm())
    context.setdefault("suspend_form", SuspendForm())
    context.setdefault("reinstate_form", DecisionForm())
    if official.state == SUSPENDED:
        context.setdefault("state_after", services.state_before_suspension(official))
    page = render_template(
        "admin/account.html",
        user=official,
        profile=official.profile,
        nik_form=DecisionForm(),
        nik_checks=review.nik_checks(official.profile),
        look_alikes=review.same_position_elsewhere(official),
        hints=review.sk_hints(official),
        decisions=services.decisions_of(official),
        reasons=dict(REJECT_REASONS),
        steps=dict(STEPS),
        **context,
    )
    return no_store(make_response(page, status))


@bp.route("/akun/<int:user_id>")
@official_in_scope
def account(official):
    """Show every field of one registration, its checks, its SK and its history."""
    return _account_page(official)


@bp.route("/akun/<int:user_id>/nik", methods=["POST"])
@official_in_scope
@recent_login_required("admin.account", "user_id")
def reveal_nik(official):
    """Show the full NIK once, and record that this admin saw it."""
    if not DecisionForm().validate_on_submit():
        abort(400)
    nik = services.reveal_nik(current_user, official)
    if is_htmx():
        response = make_response(
            render_template("admin/_nik.html", user=official, nik=nik)
        )
    else:
        response = _account_page(official, revealed_nik=nik)
    response.vary.add("HX-Request")
    return no_store(response)


@bp.route("/akun/<int:user_id>/setujui", methods=["POST"])
@official_in_scope
@recent_login_required("admin.account", "user_id")
def approve(official):
    """Approve a pending registration."""
    if DecisionForm().validate_on_submit():
        try:
            services.approve(official, current_user)
        except services.OutOfScope:
            abort(404)
        except services.NotPending:
            flash("Akun ini sudah diputuskan sebelumnya.", "info")
        else:
            flash(f"Pendaftaran {official.name} disetujui.", "info")
    return redirect(url_for("admin.queue"))


@bp.route("/akun/<int:user_id>/tolak", methods=["POST"])
@official_in_scope
@recent_login_required("admin.account", "user_id")
def reject(official):
    """Reject a pending registration with a coded reason and a note."""
    form = RejectForm()
    if not form.validate_on_submit():
        return _account_page(official, 422, reject_form=form)
    try:
        services.reject(
            official,
            current_user,
            form.kode.data or OTHER,
            (form.reason.data or "").strip(),
        )
    except services.OutOfScope:
        abort(404)
    except services.NotPending:
        flash("Akun ini sudah diputuskan sebelumnya.", "info")
    else:
        flash(f"Pendaftaran {official.name} ditolak; alasan dikirim.", "info")
    return redirect(url_for("admin.queue"))


@bp.route("/akun/<int:user_id>/perbaikan", methods=["POST"])
@official_in_scope
@recent_login_required("admin.account", "user_id")
def request_correction(official):
    """Ask the official to correct the named steps."""
    form = CorrectionForm()
    if not form.validate_on_submit():
        return _account_page(official, 422, correction_form=form)
    try:
        services.request_correction(
            official, current_user, form.steps.data, form.catatan.data.strip()
        )
    except services.OutOfScope:
        abort(404)
    except services.NotPending:
        flash("Akun ini sudah diputuskan sebelumnya.", "info")
    else:
        flash(f"Permintaan perbaikan dikirim ke {official.name}.", "info")
    return redirect(url_for("admin.queue"))


@bp.route("/akun/<int:user_id>/bekukan", methods=["POST"])
@official_in_scope
@recent_login_required("admin.account", "user_id")
def suspend(official):
    """Freeze an official's account with a reason; every session ends at once."""
    form = SuspendForm()
    if not form.validate_on_submit():
        return _account_page(official, 422, suspend_form=form)
    try:
        services.suspend(official, current_user, form.alasan.data)
    except (services.OutOfScope, services.NotAllowed):
        abort(404)
    except services.StateChanged:
        flash("Akun ini sudah dibekukan sebelumnya.", "info")
    else:
        flash(
            f"Akun {official.name} dibekukan; semua sesinya berakhir dan "
            "alasannya dikirim lewat email.",
            "info",
        )
    return redirect(url_for("admin.account", user_id=official.id), 303)


@bp.route("/akun/<int:user_id>/aktifkan", methods=["POST"])
@official_in_scope
@recent_login_required("admin.account", "user_id")
def reinstate(official):
    """Lift a suspension: the account returns to the state it had before."""
    if DecisionForm().validate_on_submit():
        try:
            services.reinstate(official, current_user)
        except (services.OutOfScope, services.NotAllowed):
            abort(404)
        except services.StateChanged:
            flash("Akun ini tidak sedang dibekukan.", "info")
        else:
            flash(f"Akun {official.name} aktif lagi; pemiliknya diberi tahu.", "info")
    return redirect(url_for("admin.account", user_id=official.id), 303)
