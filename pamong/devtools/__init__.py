"""Development conveniences: a local SMTP sink and a page that lists its mail.

Nothing here is used in production; ``make run`` starts both.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    """Serve the dev mailbox page when ``PAMONG_DEV_MAILBOX`` is on."""
    if app.config["DEV_MAILBOX"]:
        from pamong.devtools.mailbox import bp

        app.register_blueprint(bp)
