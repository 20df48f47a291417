"""Error pages for 4xx and 5xx, in Bahasa Indonesia, page or fragment."""

import logging

from flask import Flask, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from pamong.core.http import is_htmx
from pamong.extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: "Permintaan tidak dapat diproses. Silakan muat ulang halaman lalu coba lagi.",
    403: "Anda tidak memiliki akses ke halaman ini.",
    404: "Halaman tidak ditemukan.",
    405: "Cara membuka halaman ini tidak didukung.",
    413: "Berkas terlalu besar. SK Jabatan paling besar 10 MB.",
    429: "Terlalu banyak percobaan. Tunggu sebentar lalu coba lagi.",
    500: "Terjadi kesalahan di server. Data Anda aman; silakan coba lagi.",
}


def init_app(app: Flask) -> None:
    """Register one handler for HTTP errors and one for unexpected ones."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(DataError, _bad_value)
    app.register_error_handler(OverflowError, _bad_value)
    app.register_error_handler(Exception, _server_error)


def render_error(code: int, message: str | None = None):
    """Render the error page (or fragment) for ``code``."""
    text = message or MESSAGES.get(code, MESSAGES[400])
    template = "errors/_error.html" if is_htmx() else "errors/error.html"
    response = make_response(render_template(template, code=code, message=text), code)
    response.vary.add("HX-Request")
    return response


def _http_error(error: HTTPException):
    """Answer an HTTP error with a friendly page."""
    return render_error(error.code or 500)


def _csrf_error(_error: CSRFError):
    """Explain an expired form and invite the official to send it again."""
    return render_error(
        400,
        "Formulir sudah kedaluwarsa. Kembali ke halaman sebelumnya, muat ulang, "
        "lalu kirim lagi.",
    )


def _too_large(_error: RequestEntityTooLarge):
    """Refuse an oversized upload with a page, after reading what was sent."""
    _drain(request.environ.get("wsgi.input"), request.content_length)
    return render_error(413)


def _drain(stream, length: int | None, limit: int = 64 * 1024 * 1024) -> None:
    """Read and discard the rest of a request body so the client sees our reply.

    Only the declared ``Content-Length`` is read (the raw input may be the
    socket itself); bodies without one, or larger than ``limit``, are left.
    """
    if stream is None or not length or length > limit:
        return
    remaining = length
    try:
        while remaining > 0:
            chunk = stream.read(min(65536, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
    except (OSError, ValueError):
        pass


def _bad_value(_error: Exception):
    """Answer input the database cannot hold (NUL bytes, huge numbers) with 400."""
    db.session.rollback()
    return render_error(
        400, "Isian berisi karakter atau angka yang tidak dapat diproses. Periksa lagi."
    )


def _server_error(error: Exception):
    """Roll back, log the failure, and show a calm page."""
    if isinstance(error, HTTPException):
        return _http_error(error)
    db.session.rollback()
    log.exception("Unhandled error")
    return render_error(500)
