"""Static files under content-hashed URLs, cached by browsers for a year."""

import hashlib
from pathlib import Path

from flask import Flask, request, url_for

ONE_YEAR = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    """Hash every static file once and expose ``asset_url`` to templates."""
    folder = Path(app.static_folder)
    hashes = {
        path.relative_to(folder).as_posix(): _digest(path)
        for path in folder.rglob("*")
        if path.is_file()
    }
    app.extensions["asset_hashes"] = hashes

    def asset_url(filename: str) -> str:
        """Return the static URL of ``filename`` with its content hash."""
        return url_for("static", filename=filename, v=hashes.get(filename, "0"))

    app.jinja_env.globals["asset_url"] = asset_url

    @app.after_request
    def cache_static(response):
        """Let browsers keep hashed static files for a year."""
        if request.endpoint == "static" and request.args.get("v"):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = ONE_YEAR
            response.cache_control.immutable = True
        return response


def _digest(path: Path) -> str:
    """Return a short content hash of one file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]
