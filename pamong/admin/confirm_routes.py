"""Typing the password again before a decision, when the login is not recent."""

from flask import abort, redirect, render_template, request
from flask_login import confirm_login, current_user

from pamong.accounts.access import admin_required, note_password_typed
from pamong.accounts.services import AccountFrozen, attempt_login
from pamong.admin import bp
from pamong.admin.forms import ConfirmPasswordForm
from pamong.admin.routes import admin_path
from pamong.core.http import no_store
from pamong.core.logs import audit
from pamong.extensions import limiter


@bp.route("/masuk-ulang", methods=["GET", "POST"], endpoint="confirm_login")
@admin_required
@limiter.limit("10 per minute", methods=["POST"])
def confirm_login_page():
    """Ask for the password; when right, go back to the page of the decision."""
    target = admin_path(request.args.get("next"))
    form = ConfirmPasswordForm()
    if form.validate_on_submit():
        try:
            user = attempt_login(current_user.email, form.password.data)
        except AccountFrozen:
            abort(403)
        if user is not None:
            confirm_login()
            note_password_typed()
            audit("login_confirmed", current_user.id)
            return redirect(target, 303)
        form.password.errors.append(
            "Kata sandi salah. Setelah beberapa kali salah, akun dikunci sementara."
        )
    page = render_template(
        "admin/confirm_login.html", form=form, target=target, email=current_user.email
    )
    return no_store(page), 422 if form.errors else 200
