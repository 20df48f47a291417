"""Access rules as route decorators, and where each user belongs after login.

Besides who may open a page, it keeps when the password was last typed in
this session: admin decisions ask for a recent one (see
:func:`login_is_recent`). A session restored from the remember-me cookie has
typed no password and is never recent.
"""

import time
from functools import wraps

from flask import abort, current_app, redirect, session, url_for
from flask_login import current_user, login_fresh, login_required

from pamong.accounts.models import APPROVED, User

#: Session key holding the Unix time the password was last typed.
PASSWORD_AT = "password_at"  # noqa: S105


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


def note_password_typed(*_args, **_kwargs) -> None:
    """Remember that the password was typed now, unless the login is not fresh.

    Connected to Flask-Login's ``user_logged_in`` signal, and called after a
    confirmation of the password.
    """
    if login_fresh():
        session[PASSWORD_AT] = int(time.time())


def login_is_recent() -> bool:
    """Tell whether the password was typed in this session within the limit.

    The limit is ``ADMIN_RECENT_LOGIN_MINUTES``. A session restored from the
    remember-me cookie is not fresh, whatever the time.
    """
    typed_at = session.get(PASSWORD_AT)
    if not login_fresh() or not isinstance(typed_at, int):
        return False
    limit = current_app.config["ADMIN_RECENT_LOGIN_MINUTES"] * 60
    return 0 <= time.time() - typed_at <= limit
