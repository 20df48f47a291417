"""Sign-up, the three registration steps, and the status page.

Each step is a real form that works without JavaScript; htmx only swaps the
page body. Nothing from a failed step is saved, and what was typed comes back.
"""

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from pamong.accounts.access import home_for, official_required
from pamong.accounts.services import normalise_email
from pamong.core.http import no_store
from pamong.core.logs import audit
from pamong.extensions import limiter
from pamong.registration import bp, services, signup, steps
from pamong.registration.forms import (
    IdentityForm,
    LocationForm,
    PositionForm,
    SignUpForm,
)

#: The session key that carries the address just signed up with to the next page.
SIGNED_UP_EMAIL = "signed_up_email"


def per_account() -> str:
    """Rate-limit key: the logged-in account, so one phone network is not one bucket."""
    return f"user:{current_user.id}" if current_user.is_authenticated else "anon"


def choosing_region() -> bool:
    """The no-JavaScript cascade button asks only for the next list.

    A file sent along with it is still taken and checked, so that request
    counts against the upload limit like any other.
    """
    upload = request.files.get("sk_file")
    return bool(request.form.get("pilih_wilayah")) and not (upload and upload.filename)


@bp.route("/daftar", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def sign_up():
    """Take email, full name and password, and answer "check your mail".

    The answer is the same whether the address is new or already has an
    account; the link in the mail logs the official in to the steps.
    """
    if current_user.is_authenticated:
        return redirect(home_for(current_user))

    form = SignUpForm()
    if form.validate_on_submit():
        signup.sign_up(form.email.data, form.name.cleaned, form.password.data)
        session[SIGNED_UP_EMAIL] = normalise_email(form.email.data)
        return redirect(url_for("registration.check_mail"))
    return no_store(render_template("registration/sign_up.html", form=form))


@bp.route("/daftar/periksa-email")
def check_mail():
    """Say where the link went and what to do when no mail arrives."""
    email = session.get(SIGNED_UP_EMAIL)
    if email is None:
        return redirect(url_for("registration.sign_up"))
    return no_store(render_template("registration/check_mail.html", email=email))


@bp.route("/daftar/identitas", methods=["GET", "POST"])
@official_required
@limiter.limit("20 per hour", methods=["POST"], key_func=per_account)
@steps.correction_allows(1)
def identity():
    """Step 1: identity, with the NIK checks."""
    if not services.may_open_step(current_user, 1):
        return redirect(home_for(current_user))

    if request.method == "POST" and steps.already_saved(current_user, "identity"):
        return redirect(steps.next_after(current_user, 1))

    form = IdentityForm(obj=steps.identity_defaults(current_user))
    warnings = []
    if request.method == "POST":
        outcome = steps.check_identity(form)
        warnings = outcome.warnings
        if outcome.identity is not None:
            if not steps.claim_key(current_user, "identity"):
                return redirect(steps.next_after(current_user, 1))
            try:
                services.save_identity(current_user, outcome.identity)
            except services.StepError as error:
                steps.add_errors(form, error.errors)
            else:
                return redirect(steps.next_after(current_user, 1))
    return steps.render(1, form, warnings=warnings)


@bp.route("/daftar/jabatan", methods=["GET", "POST"])
@official_required
@limiter.limit("20 per hour", methods=["POST"], key_func=per_account)
@steps.correction_allows(2)
def position():
    """Step 2: PNS status, position and TMT."""
    if not services.may_open_step(current_user, 2):
        return redirect(home_for(current_user))

    if request.method == "POST" and steps.already_saved(current_user, "position"):
        return redirect(steps.next_after(current_user, 2))

    form = PositionForm(obj=steps.position_defaults(current_user))
    if form.validate_on_submit() and steps.check_position(form, current_user):
        if steps.claim_key(current_user, "position"):
            services.save_position(
                current_user,
                form.is_pns.data == "ya",
                form.position.data,
                form.tmt.parsed,
            )
        return redirect(steps.next_after(current_user, 2))
    return steps.render(2, form)


@bp.route("/daftar/lokasi", methods=["GET", "POST"])
@official_required
@limiter.limit(
    "30 per hour", methods=["POST"], key_func=per_account, exempt_when=choosing_region
)
@steps.correction_allows(3)
def location():
    """Step 3: work location and SK Jabatan, then Simpan hands it all in."""
    if not services.may_open_step(current_user, 3):
        return redirect(home_for(current_user))

    if request.method == "POST" and steps.already_saved(current_user, "location"):
        return redirect(url_for("registration.status"))

    form = LocationForm(obj=steps.location_defaults(current_user))
    cascade = steps.read_cascade(form)
    if request.method == "POST":
        upload_error = steps.take_upload(form, current_user)
        if not request.form.get("pilih_wilayah") and steps.complete_location(
            form, cascade, current_user, upload_error
        ):
            if not steps.claim_key(current_user, "location"):
                return redirect(url_for("registration.status"))
            resubmission = current_user.state == "rejected"
            if not services.submit(
                current_user,
                cascade.village_code,
                form.sk_number.data.strip(),
                form.sk_date.parsed,
            ):
                return redirect(url_for("registration.status"))
            if resubmission:
                flash("Perbaikan terkirim dan menunggu pemeriksaan admin.", "info")
            return redirect(url_for("registration.status"))
    return steps.render(3, form, cascade=cascade)


@bp.route("/status")
@official_required
def status():
    """Say where the registration stands and what the official must do."""
    user = current_user
    step = services.next_step_endpoint(user)
    if user.state == "registered" and step:
        return redirect(url_for(step))
    return no_store(
        render_template(
            "registration/status.html",
            user=user,
            profile=user.profile,
            steps_done=services.steps_done(user),
            correction=steps.correction_of(user),
        )
    )


@bp.route("/status/kirim-ulang", methods=["POST"])
@official_required
def resubmit():
    """Send a corrected registration back to the admins."""
    if current_user.state != "rejected" or not all(services.steps_done(current_user)):
        abort(409)
    correction = steps.correction_of(current_user)
    if correction is not None and correction.remaining:
        flash(
            f"Perbaiki dulu {correction.labels(correction.remaining)}, lalu kirim "
            "ulang.",
            "info",
        )
        return redirect(url_for("registration.status"), 303)
    profile = current_user.profile
    if not services.submit(
        current_user, profile.village_code, profile.sk_number, profile.sk_date
    ):
        return redirect(url_for("registration.status"))
    audit("resubmitted", current_user.id)
    flash("Pendaftaran dikirim ulang dan menunggu pemeriksaan admin.", "info")
    return redirect(url_for("registration.status"))
