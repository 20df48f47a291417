"""The training home with Pelatihan Mandiri and Pelatihan Tematik."""

from flask import render_template
from flask_login import current_user

from pamong.accounts.access import approved_required
from pamong.core.http import no_store
from pamong.registration.choices import THEMES, themes_for
from pamong.training import bp


@bp.route("/")
@approved_required
def home():
    """Show the training menus; the themes follow from the position."""
    profile = current_user.profile
    codes = themes_for(profile.position, profile.theme_override)
    return no_store(
        render_template(
            "training/home.html",
            themes=[(code, THEMES[code]) for code in codes],
        )
    )
