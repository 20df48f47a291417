"""Access rules as route decorators, and where each user belongs after login."""

from functools import wraps

from flask import abort, redirect, url_for
from flask_login import current_user, login_required

from pamong.accounts.models import APPROVED, User


def admin_required(view):
    """Let only logged-in admins through."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def official_required(view):
    """Let only logged-in officials through (admins go to their queue)."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if current_user.is_admin:
            return redirect(url_for("admin.queue"))
        return view(*args, **kwargs)

    return wrapper


def approved_required(view):
    """Let only approved officials through; others see their status."""

    @wraps(view)
    @official_required
    def wrapper(*args, **kwargs):
        if current_user.state != APPROVED:
            return redirect(url_for("registration.status"))
        return view(*args, **kwargs)

    return wrapper


def home_for(user: User) -> str:
    """Return the URL a user should land on: queue, next step, status or training."""
    from pamong.registration.services import next_step_endpoint

    if user.is_admin:
        return url_for("admin.queue")
    if user.state == APPROVED:
        return url_for("training.home")

    step = next_step_endpoint(user)
    return url_for(step) if step else url_for("registration.status")
