"""Log in, log out, verify the email address, and recover a lost password."""

import json

from flask import (
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from pamong.accounts import bp, privacy, recovery, services
from pamong.accounts.access import home_for, official_required
from pamong.accounts.forms import (
    ForgotPasswordForm,
    LoginForm,
    ResendVerificationForm,
    ResetPasswordForm,
)
from pamong.accounts.passwords import password_problem
from pamong.core.http import no_store
from pamong.core.logs import audit
from pamong.extensions import limiter
from pamong.registration.forms import ConfirmSignUpForm


@bp.before_request
def load_session_user() -> None:
    """Load the session's user before any account page answers.

    Loading it can change the cookies (a stale remember-me is cleared); done
    here, it happens on every answer alike, not only on those that render a
    mail, so the cookies never tell one address from another.
    """
    current_user.is_authenticated  # noqa: B018


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
                "Email atau kata sandi salah, atau email belum diverifikasi (tekan "
                "dulu tautan di email dari kami). Setelah beberapa kali salah, akun "
                "dikunci sementara."
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

    if user.email_verified_at is not None:
        if request.method == "POST":
            return render_template("accounts/verified.html", user=user)
        return render_template("accounts/verify.html", user=user, error=None)

    form = ConfirmSignUpForm()
    if form.validate_on_submit() and form.check_password(
        user.email, user.password_hash
    ):
        new_password = None if form.unchanged else form.password.data
        if services.confirm_sign_up(user, form.name.cleaned, new_password):
            if current_user.is_authenticated and current_user.id != user.id:
                services.end_sessions(current_user)
            logout_user()
            login_user(user)
            flash("Email terverifikasi. Silakan lanjutkan.", "info")
            return redirect(home_for(user))
        return render_template("accounts/verified.html", user=user)
    return no_store(
        render_template(
            "accounts/verify.html", token=token, user=user, form=form, error=None
        )
    )


@bp.route("/verifikasi/kirim-ulang", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"])
def resend_verification():
    """Mail a fresh verification link; answer the same for every address."""
    from pamong.registration.routes import SIGNED_UP_EMAIL
    from pamong.registration.signup import send_verification_again

    form = ResendVerificationForm()
    if form.validate_on_submit():
        send_verification_again(form.email.data)
        session[SIGNED_UP_EMAIL] = services.normalise_email(form.email.data)
        flash(
            "Bila alamat ini masih menunggu verifikasi, email baru sudah kami kirim.",
            "info",
        )
        return redirect(url_for("registration.check_mail"))
    return no_store(render_template("accounts/resend.html", form=form))


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
