"""The training home with Pelatihan Mandiri and Pelatihan Tematik."""

from flask import abort, render_template
from flask_login import current_user

from pamong.accounts.access import approved_required
from pamong.core.http import no_store
from pamong.registration.choices import THEMES, themes_for
from pamong.training import bp

SELF_PACED = "mandiri"


def _themes() -> list[tuple[str, str]]:
    """Return the thematic trainings open to the logged-in official."""
    profile = current_user.profile
    codes = themes_for(profile.position, profile.theme_override)
    return [(code, THEMES[code]) for code in codes]


@bp.route("/")
@approved_required
def home():
    """Show the training menus; the themes follow from the position."""
    return no_store(render_template("training/home.html", themes=_themes()))


@bp.route("/<theme>")
@approved_required
def course(theme: str):
    """Open one training: the self-paced one or a theme of the position."""
    if theme == SELF_PACED:
        title = "Pelatihan Mandiri"
    elif theme in dict(_themes()):
        title = THEMES[theme]
    else:
        abort(404)
    return no_store(render_template("training/course.html", title=title))
