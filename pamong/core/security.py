"""Response headers: security policy, compression and ETags of text responses.

Text answers are sent with brotli when the client takes it (every current
browser does, on HTTPS and on localhost), gzip otherwise. Without the
``brotli`` package installed, gzip alone is used.
"""

import gzip
import hashlib
import mimetypes
from functools import lru_cache
from pathlib import Path

from flask import Flask, abort, request

try:
    import brotli
except ImportError:  # pragma: no cover - the package is pinned; gzip remains
    brotli = None

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
    """Add security headers, compression and ETags to every response."""

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
        """Refuse form values with NUL bytes, repeated keys included."""
        if (
            request.method == "POST"
            and request.mimetype in FORM_TYPES
            and any(
                "\x00" in value
                for values in request.form.listvalues()
                for value in values
            )
        ):
            abort(400)

    @app.after_request
    def compress(response):
        """Compress text answers, then answer 304 if the client has the bytes."""
        return _validate(_compress(response))

    _pack_static_files(app)


def _pack_static_files(app: Flask) -> None:
    """Compress the static text files now, so no first visitor waits for it.

    Brotli at its best level takes tens of milliseconds for the larger
    scripts; done here it is done once per process, not during a request.
    """
    folder = Path(app.static_folder)
    encodings = ("br", "gzip") if brotli is not None else ("gzip",)
    for name in app.extensions.get("asset_hashes", {}):
        kind = mimetypes.guess_type(name)[0] or ""
        data = (folder / name).read_bytes()
        if not kind.startswith(COMPRESSIBLE) or len(data) < 512:
            continue
        for encoding in encodings:
            _static_packed(hashlib.sha256(data).digest(), data, encoding)


def _compress(response):
    """Compress ``response`` in place when it is worth it and allowed."""
    if response.direct_passthrough and request.endpoint == "static":
        response.direct_passthrough = False
    if not _compressible(response):
        return response
    data = response.get_data()
    if len(data) < 512:
        return response
    response.vary.add("Accept-Encoding")
    encoding = _encoding()
    if encoding is None:
        return response
    if request.endpoint == "static":
        packed = _static_packed(hashlib.sha256(data).digest(), data, encoding)
    else:
        packed = _pack(data, encoding, best=False)
    response.set_data(packed)
    response.headers["Content-Encoding"] = encoding
    response.headers.pop("Accept-Ranges", None)
    return response


def _encoding() -> str | None:
    """Choose brotli or gzip, whichever the client takes, brotli first."""
    accepted = request.accept_encodings
    if brotli is not None and accepted["br"] > 0:
        return "br"
    if accepted["gzip"] > 0:
        return "gzip"
    return None


def _pack(data: bytes, encoding: str, best: bool) -> bytes:
    """Compress ``data``; ``best`` for files compressed once and kept."""
    if encoding == "br":
        return brotli.compress(data, mode=brotli.MODE_TEXT, quality=11 if best else 5)
    return gzip.compress(data, compresslevel=9 if best else 6, mtime=0)


def _compressible(response) -> bool:
    """Tell whether ``response`` is a whole text answer that may be compressed."""
    return (
        response.status_code >= 200
        and response.status_code not in (204, 206, 304)
        and not response.direct_passthrough
        and "Content-Encoding" not in response.headers
        and (response.mimetype or "").startswith(COMPRESSIBLE)
    )


def _validate(response):
    """Tag a cacheable text answer with a strong ETag of the bytes it sends.

    The tag is a hash of the body as sent, so the brotli, gzip and plain
    variants have different tags, and so have a page and the htmx fragment of
    the same URL. A client that sends the tag back in ``If-None-Match`` gets
    304 with no body. Answers without a cache policy are to be checked on
    every use. Answers marked no-store get no tag: the browser never keeps
    them, and their CSRF token changes with every rendering anyway.
    """
    if (
        request.method not in ("GET", "HEAD")
        or response.status_code != 200
        or response.direct_passthrough
        or response.cache_control.no_store
        or not (response.mimetype or "").startswith(COMPRESSIBLE)
    ):
        return response
    if "Cache-Control" not in response.headers:
        response.cache_control.no_cache = True
    response.add_etag(overwrite=True)
    return response.make_conditional(request)


@lru_cache(maxsize=128)
def _static_packed(_digest: bytes, data: bytes, encoding: str) -> bytes:
    """Compress a static file once, at the highest level, and keep the result."""
    return _pack(data, encoding, best=True)
