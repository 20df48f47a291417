"""Response headers: security policy, and compression of text responses."""

import gzip
import hashlib
from functools import lru_cache

from flask import Flask, abort, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; frame-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'; manifest-src 'self'; worker-src 'self'"
)

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

COMPRESSIBLE = (
    "text/",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "image/svg+xml",
)


def init_app(app: Flask) -> None:
    """Add security headers and gzip to every response."""

    @app.after_request
    def secure_headers(response):
        """Forbid inline script and framing; keep referrers to ourselves."""
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if app.config["SESSION_COOKIE_SECURE"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    @app.before_request
    def refuse_nul_bytes():
        """Refuse form values with NUL bytes: no real input has them."""
        if (
            request.method == "POST"
            and request.mimetype in FORM_TYPES
            and any("\x00" in value for value in request.form.values())
        ):
            abort(400)

    @app.after_request
    def compress(response):
        """Gzip text answers for clients that accept it."""
        return _gzip(response)


def _gzip(response):
    """Compress ``response`` in place when it is worth it and allowed."""
    if response.direct_passthrough and request.endpoint == "static":
        response.direct_passthrough = False
    if (
        response.direct_passthrough
        or response.status_code < 200
        or response.status_code in (204, 304)
        or "Content-Encoding" in response.headers
        or "gzip" not in request.headers.get("Accept-Encoding", "")
        or not (response.mimetype or "").startswith(COMPRESSIBLE)
    ):
        return response
    data = response.get_data()
    if len(data) < 512:
        return response
    if request.endpoint == "static":
        packed = _static_gzip(hashlib.sha256(data).digest(), data)
    else:
        packed = gzip.compress(data, compresslevel=6, mtime=0)
    response.set_data(packed)
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


@lru_cache(maxsize=64)
def _static_gzip(_digest: bytes, data: bytes) -> bytes:
    """Compress a static file once, at the highest level, and keep the result."""
    return gzip.compress(data, compresslevel=9, mtime=0)
