"""The tus endpoints: OPTIONS and POST at ``/unggah/``; HEAD, PATCH and DELETE
at ``/unggah/<id>``; and the verdict at ``/unggah/<id>/hasil``.

Every answer carries ``Tus-Resumable`` and ``Cache-Control: no-store``. CSRF
protection stays on: clients send the page's token in ``X-CSRFToken``.
"""

from flask import current_app, jsonify, request, url_for
from flask_limiter import RateLimitExceeded
from flask_login import current_user

from pamong.accounts.access import official_required
from pamong.extensions import limiter
from pamong.uploads import bp, services, tus
from pamong.uploads.tus import UploadError

SIGNED_OUT = "Sesi Anda sudah berakhir. Muat ulang halaman, lalu masuk lagi."
TOO_OFTEN = (
    "Terlalu banyak unggahan SK baru dalam waktu singkat. Tunggu sebentar, lalu "
    "coba lagi."
)

#: Uploads one account may start, unless ``TUS_CREATE_LIMIT`` says otherwise.
CREATE_LIMIT = "30 per hour"


def per_account() -> str:
    """Rate-limit key: the logged-in account."""
    return f"user:{current_user.id}" if current_user.is_authenticated else "anon"


def create_limit() -> str:
    """Return how many uploads one account may start, from the configuration."""
    return current_app.config.get("TUS_CREATE_LIMIT", CREATE_LIMIT)


@bp.before_request
def check_request():
    """Turn away anonymous requests and other protocol versions early.

    A tus client cannot follow the login page that ``official_required``
    would redirect to, so it gets 401 instead. OPTIONS is open to all.
    """
    if request.method == "OPTIONS":
        return None
    if not current_user.is_authenticated:
        return tus.error(401, SIGNED_OUT)
    if request.endpoint != "uploads.verdict":
        tus.require_version(request.headers.get("Tus-Resumable"))
    return None


@bp.after_request
def protocol_headers(response):
    """Name the protocol version and forbid caching on every answer."""
    response.headers["Tus-Resumable"] = tus.VERSION
    response.cache_control.no_store = True
    return response


@bp.errorhandler(UploadError)
def refused(error: UploadError):
    """Answer a refused request with its status and a one-line reason."""
    return tus.error(error.status, error.message, error.headers)


@bp.errorhandler(RateLimitExceeded)
def too_often(_error: RateLimitExceeded):
    """Answer a request over the limit in the tus way, with a plain reason."""
    return tus.error(429, TOO_OFTEN)


@bp.route("/", methods=["OPTIONS"])
def capabilities():
    """Tell tus clients the version, extensions and largest size on offer."""
    return tus.capabilities(current_app.config["SK_MAX_BYTES"])


@bp.route("/", methods=["POST"], provide_automatic_options=False)
@official_required
@limiter.limit(create_limit, key_func=per_account)
def create():
    """Creation: reserve room for one SK of ``Upload-Length`` bytes.

    Each upload ends in a costly PDF check, so an account may start only
    ``TUS_CREATE_LIMIT`` of them; the pieces of a started one are not
    limited.
    """
    length = tus.upload_length(request.headers, current_app.config["SK_MAX_BYTES"])
    metadata = tus.upload_metadata(request.headers)

    upload = services.create(current_user, length, metadata)
    location = url_for("uploads.offset", upload_id=upload.id)
    return tus.created(location, upload.expires_at)


@bp.route("/<upload_id>", methods=["HEAD"])
@official_required
def offset(upload_id: str):
    """Say how many bytes of the upload have arrived."""
    upload = services.find(current_user, upload_id)
    return tus.described(
        upload.offset, upload.length, upload.metadata, upload.expires_at
    )


@bp.route("/<upload_id>", methods=["PATCH"])
@official_required
def append(upload_id: str):
    """Take the next piece of the file, streamed to disk."""
    tus.require_offset_stream(request.mimetype)
    start = tus.upload_offset(request.headers)

    upload = services.append(
        current_user, upload_id, start, request.content_length, request.stream
    )
    return tus.appended(upload.offset, upload.expires_at)


@bp.route("/<upload_id>", methods=["DELETE"])
@official_required
def terminate(upload_id: str):
    """Termination: drop the upload and what arrived of it."""
    services.terminate(current_user, upload_id)
    return tus.no_content()


@bp.route("/<upload_id>/hasil")
@official_required
def verdict(upload_id: str):
    """Report whether the complete file was stored as the SK, and if not why."""
    return jsonify(services.verdict(current_user, upload_id))
