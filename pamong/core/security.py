"""Response headers: security policy, and compression of text responses."""

import gzip

from flask import Flask, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; frame-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'; manifest-src 'self'; worker-src 'self'"
)

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
    response.set_data(gzip.compress(data, compresslevel=9, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response
