"""Log in, log out, verify the email address, and correct a mistyped one."""

import json

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from pamong.accounts import bp, privacy, recovery, services
from pamong.accounts.access import home_for, official_required
from pamong.accounts.forms import (
    ChangeEmailForm,
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
)
from pamong.accounts.models import SUBMITTED
from pamong.accounts.passwords import password_matches, password_problem
from pamong.core.http import no_store
from pamong.core.logs import audit
from pamong.extensions import limiter
from pamong.registration.routes import per_account


@bp.route("/")
def index():
    """Show the welcome page, or send a logged-in user where they belong."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return render_template("accounts/index.html")


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def login():
    """Log in with email and password."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))

    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.attempt_login(form.email.data, form.password.data)
        except services.AccountFrozen:
            form.email.errors.append(
                "Akun ini dibekukan oleh admin. Alasannya ada di email dari kami; "
                "hubungi admin daerah Anda bila ada pertanyaan."
            )
        else:
            if user is not None:
                login_user(user, remember=form.remember.data)
                return redirect(home_for(user))
            form.password.errors.append(
                "Email atau kata sandi salah. Setelah beberapa kali salah, akun "
                "dikunci sementara dan kami kirim email untuk membukanya."
            )
    return no_store(render_template("accounts/login.html", form=form))


@bp.route("/lupa-sandi", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"])
def forgot_password():
    """Mail a reset link; answer the same whether the email is known or not."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        recovery.request_reset(form.email.data)
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return no_store(render_template("accounts/forgot.html", form=form))


@bp.route("/sandi-baru/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def reset_password(token: str):
    """Set a new password from a mailed link."""
    user = recovery.read_reset_token(token)
    if user is None:
        return render_template("accounts/reset_invalid.html"), 400

    form = ResetPasswordForm()
    if form.validate_on_submit():
        problem = password_problem(form.password.data, user.email, user.name)
        if problem is None:
            recovery.reset_password(user, form.password.data)
            logout_user()
            flash("Kata sandi sudah diganti. Silakan masuk.", "info")
            return redirect(url_for("accounts.login"))
        form.password.errors.append(problem)
    return no_store(render_template("accounts/reset.html", form=form, token=token))


@bp.route("/buka-kunci/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour")
def unlock(token: str):
    """Show a button that lifts a login lock; lift it when pressed."""
    if request.method == "POST":
        done = recovery.unlock(token)
        return render_template("accounts/unlock.html", done=done, token=token)
    return render_template("accounts/unlock.html", done=None, token=token)


@bp.route("/keluar", methods=["POST"])
def logout():
    """End the session, here and wherever its cookies were copied."""
    if current_user.is_authenticated:
        services.end_sessions(current_user)
        audit("logout", current_user.id)
    logout_user()
    flash("Anda sudah keluar.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/verifikasi/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute")
def verify(token: str):
    """Show a button that confirms the address; confirm it when pressed."""
    user, error = services.read_verify_token(token)
    if error:
        return render_template("accounts/verify.html", error=error), 400

    if request.method == "POST":
        services.confirm_email(user)
        return render_template("accounts/verified.html", user=user)
    return render_template("accounts/verify.html", token=token, user=user, error=None)


@bp.route("/verifikasi/kirim-ulang", methods=["POST"])
@login_required
@limiter.limit("5 per hour")
def resend_verification():
    """Send the verification mail again to the logged-in official."""
    from pamong.registration.services import queue_verification_mail

    if current_user.email_verified_at is None and current_user.state == SUBMITTED:
        queue_verification_mail(current_user)
        flash("Email verifikasi sudah dikirim ulang. Periksa kotak masuk.", "info")
    return redirect(url_for("registration.status"))


@bp.route("/akun/email", methods=["GET", "POST"])
@official_required
@limiter.limit("5 per hour", methods=["POST"], key_func=per_account)
def change_email():
    """Let an official whose address is not yet verified correct it."""
    if not services.may_change_email(current_user):
        return redirect(url_for("registration.status"))

    form = ChangeEmailForm()
    if form.validate_on_submit():
        if not password_matches(current_user.password_hash, form.password.data):
            audit("email_change_refused", current_user.id)
            form.password.errors.append("Kata sandi salah.")
        else:
            try:
                services.change_email(current_user, form.email.data)
            except services.EmailUnchanged:
                form.email.errors.append(
                    "Ini alamat email Anda sekarang. Tulis alamat yang benar."
                )
            except services.EmailTaken:
                form.email.errors.append("Email ini sudah terdaftar. Pakai email lain.")
            else:
                flash(email_changed_message(current_user), "info")
                return redirect(url_for("registration.status"))
    return no_store(render_template("accounts/change_email.html", form=form))


def email_changed_message(user) -> str:
    """Say where the verification mail went, or that it comes after the steps."""
    if user.state == SUBMITTED:
        return (
            f"Alamat email diganti menjadi {user.email}. Kami sudah mengirim email "
            "verifikasi ke alamat baru ini; tautan di email lama tidak berlaku lagi."
        )
    return (
        f"Alamat email diganti menjadi {user.email}. Email verifikasi dikirim ke "
        "alamat ini setelah semua langkah pendaftaran selesai."
    )


@bp.route("/data-saya")
@official_required
def my_data():
    """Download everything stored about the logged-in official, as JSON."""
    body = json.dumps(privacy.export_data(current_user), ensure_ascii=False, indent=2)
    response = no_store(make_response(body))
    response.mimetype = "application/json"
    response.headers["Content-Disposition"] = (
        'attachment; filename="data-pamong-desa.json"'
    )
    audit("data_exported", current_user.id)
    return response


@bp.route("/data-saya/hapus", methods=["POST"])
@official_required
@limiter.limit("5 per day")
def request_deletion():
    """Ask for the account and its data to be deleted."""
    privacy.request_deletion(current_user)
    flash(
        "Permintaan penghapusan data sudah dicatat. Admin akan menghapus akun dan "
        "berkas Anda, lalu mengabari lewat email.",
        "info",
    )
    return redirect(url_for("registration.status"))
