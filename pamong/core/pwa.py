"""Installable web app: manifest, service worker at the root, offline page."""

import hashlib
import json
from pathlib import Path

from flask import Blueprint, Flask, current_app, jsonify, render_template
from flask_wtf.csrf import generate_csrf

from pamong.config import ROOT
from pamong.core.http import no_store

bp = Blueprint("pwa", __name__)

#: Scripts only the registration steps load; cached when first used.
PAGE_SCRIPTS = {"js/upload.js", "js/offline.js"}


def init_app(app: Flask) -> None:
    """Register the manifest, service worker and offline page routes."""
    app.register_blueprint(bp)


@bp.route("/manifest.webmanifest")
def manifest():
    """Describe the app for the home screen."""
    from flask import url_for

    asset_url = current_app.jinja_env.globals["asset_url"]
    icons = [
        {
            "src": asset_url("icons/icon-192.png"),
            "sizes": "192x192",
            "type": "image/png",
        },
        {
            "src": asset_url("icons/icon-512.png"),
            "sizes": "512x512",
            "type": "image/png",
        },
        {
            "src": asset_url("icons/maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]
    response = jsonify(
        name="LMS Pamong Desa",
        short_name="Pamong Desa",
        description="Pendaftaran dan pelatihan daring bagi perangkat desa.",
        lang="id",
        start_url=url_for("accounts.index") + "?sumber=layar-utama",
        scope="/",
        display="standalone",
        background_color="#ffffff",
        theme_color="#0b5a3c",
        icons=icons,
    )
    response.mimetype = "application/manifest+json"
    response.cache_control.max_age = 86400
    return response


@bp.route("/service-worker.js")
def service_worker():
    """Serve the service worker from the root so its scope is the whole site."""
    hashes = current_app.extensions["asset_hashes"]
    asset_url = current_app.jinja_env.globals["asset_url"]
    precache = [asset_url(name) for name in sorted(hashes) if _precached(name)]
    templates = Path(current_app.template_folder)
    offline_source = b"".join(
        (templates / name).read_bytes() for name in ("base.html", "offline.html")
    )
    digest = hashlib.sha256("".join(precache).encode() + offline_source)
    version = digest.hexdigest()[:10]
    script = (
        f"var PRECACHE = {json.dumps(precache)};\n"
        f"var VERSION = {json.dumps(version)};\n"
        + (ROOT / "service-worker.js").read_text(encoding="utf-8")
    )
    response = current_app.response_class(script, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.cache_control.no_cache = True
    return response


def _precached(name: str) -> bool:
    """Precache the small shared assets; page-specific scripts come on first use."""
    return (
        name.endswith((".css", ".js", ".svg"))
        and not name.startswith("vendor/")
        and name not in PAGE_SCRIPTS
    )


@bp.route("/csrf")
def csrf():
    """Give a fresh CSRF token for this session, for a form kept on the phone."""
    return no_store(jsonify(token=generate_csrf()))


@bp.route("/offline")
def offline():
    """The page the service worker shows when there is no network."""
    return render_template("offline.html")
