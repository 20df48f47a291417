"""LMS Pamong Desa: registration and learning portal for village officials."""

import logging
from pathlib import Path

from flask import Flask

from pamong.config import ROOT, Config

log = logging.getLogger(__name__)


def create_app(config: dict | None = None) -> Flask:
    """Build the application: settings, extensions, features, error pages.

    :param config: settings that override :class:`pamong.config.Config`,
        used by the tests.
    """
    app = Flask(
        __name__,
        instance_path=Config.INSTANCE_PATH,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object(Config)
    if config:
        app.config.update(config)
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)
    if not app.config["SECRET_KEY"]:
        from pamong.core.secret import instance_secret

        app.config["SECRET_KEY"] = instance_secret(app.instance_path)
    Path(app.config["UPLOAD_FOLDER"]).mkdir(parents=True, exist_ok=True)

    from pamong.core import logs

    logs.init_app(app)
    _import_models()
    _init_extensions(app)
    _register_features(app)

    from pamong.core import assets, errors, security, templating

    assets.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    """Bind the extensions and the database engine settings to the app."""
    from pamong.core import database
    from pamong.extensions import csrf, db, limiter, login_manager, mail, migrate

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)


def _import_models() -> None:
    """Import every model so the metadata (and Alembic) knows all tables."""
    from pamong.accounts import models as _accounts  # noqa: F401
    from pamong.admin import models as _admin  # noqa: F401
    from pamong.documents import models as _documents  # noqa: F401
    from pamong.mailer import models as _mailer  # noqa: F401
    from pamong.registration import models as _registration  # noqa: F401
    from pamong.wilayah import models as _wilayah  # noqa: F401


def _register_features(app: Flask) -> None:
    """Register one blueprint per feature, and the CLI commands they bring."""
    from pamong import (
        accounts,
        admin,
        deletions,
        devtools,
        documents,
        mailer,
        registration,
        training,
        uploads,
        wilayah,
    )
    from pamong.core import pwa

    for feature in (
        accounts,
        registration,
        wilayah,
        documents,
        uploads,
        admin,
        deletions,
        training,
        mailer,
        pwa,
        devtools,
    ):
        feature.init_app(app)
