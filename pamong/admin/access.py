"""Access rules of the admin desk, as decorators placed at each route.

``admin_required`` (from :mod:`pamong.accounts.access`) lets any admin in;
the decorators here narrow it by level or by scope. An account outside the
admin's scope answers 404, exactly like an account that does not exist, so a
URL never tells whether someone registered elsewhere.

``recent_login_required`` guards the decisions: an admin whose password was
typed too long ago (or never, in a session restored by remember-me) types it
again first, and then returns to the page the decision was taken on.
"""

from collections.abc import Callable
from functools import wraps

from flask import abort, flash, make_response, redirect, request, url_for
from flask_login import current_user

from pamong.accounts.access import admin_required, login_is_recent
from pamong.accounts.models import User
from pamong.admin import scope
from pamong.core.http import is_htmx
from pamong.extensions import db


def official_in_scope(view):
    """Load the official named by ``user_id``; 404 unless the admin may see them.

    The view receives the account as ``official`` instead of ``user_id``.
    """

    @wraps(view)
    @admin_required
    def wrapper(*args, user_id: int, **kwargs):
        """Answer 404 unless the official is in the admin's scope."""
        official = db.session.get(User, user_id)
        if not scope.can_see(current_user, official):
            abort(404)
        return view(*args, official=official, **kwargs)

    return wrapper


def national_required(view):
    """Let only national admins through."""

    @wraps(view)
    @admin_required
    def wrapper(*args, **kwargs):
        """Answer 403 to admins below national level."""
        if current_user.admin_level != scope.NASIONAL:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def appointer_required(view):
    """Let through admins who appoint others: national and provincial."""

    @wraps(view)
    @admin_required
    def wrapper(*args, **kwargs):
        """Answer 403 to admins who appoint nobody."""
        if scope.level_below(current_user.admin_level) is None:
            abort(403)
        if scope.region_prefix(current_user) is None:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def recent_login_required(back: str | Callable[[], str], *keep: str):
    """Decide nothing unless the admin typed the password recently.

    Otherwise the admin is sent to confirm the password and then to ``back``:
    an endpoint, built with the view arguments named in ``keep``, or a
    function returning a URL. htmx requests are told to load that page whole.
    """

    def decorator(view):
        """Wrap ``view`` with the check."""

        @wraps(view)
        def wrapper(*args, **kwargs):
            """Send a stale session to the password page, having changed nothing."""
            if login_is_recent():
                return view(*args, **kwargs)
            if callable(back):
                target = back()
            else:
                target = url_for(
                    back, **{name: request.view_args[name] for name in keep}
                )
            flash(
                "Demi keamanan, masukkan lagi kata sandi Anda sebelum memutuskan. "
                "Belum ada yang diubah.",
                "info",
            )
            confirm = url_for("admin.confirm_login", next=target)
            if is_htmx():
                response = make_response("", 200)
                response.headers["HX-Redirect"] = confirm
                return response
            return redirect(confirm, 303)

        return wrapper

    return decorator
