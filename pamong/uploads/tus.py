"""The tus 1.0.0 wire format: request headers read, responses written.

Nothing here knows about users or storage; :mod:`pamong.uploads.services`
does. Error bodies are one short line of plain text in Bahasa Indonesia, so a
client can show them as they are, and small enough that the gzip step in
:mod:`pamong.core.security` leaves them alone.
"""

import base64
import binascii
import re

from flask import Response
from werkzeug.datastructures import Headers
from werkzeug.http import http_date

VERSION = "1.0.0"
EXTENSIONS = ("creation", "termination", "expiration")
OFFSET_STREAM = "application/offset+octet-stream"

#: Longest ``Upload-Metadata`` header accepted, in characters.
METADATA_MAX = 2048

NUMBER = re.compile(r"[0-9]{1,15}")
METADATA_KEY = re.compile(r"[\x21-\x2b\x2d-\x7e]{1,64}")

BAD_REQUEST = "Permintaan unggahan tidak sah"
WRONG_VERSION = "Versi protokol tus tidak didukung; gunakan 1.0.0."
WRONG_TYPE = f"Bagian unggahan harus dikirim sebagai {OFFSET_STREAM}."
NO_DEFER = "Ukuran berkas harus disebut saat unggahan dibuat (Upload-Length)."


class UploadError(Exception):
    """A request the protocol or the rules refuse: an HTTP status and why.

    ``message`` is shown to the official; ``headers`` go on the response.
    """

    def __init__(self, status: int, message: str, headers: dict | None = None):
        """Keep the status, the message and any extra response headers."""
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def too_big_message(maximum: int) -> str:
    """Explain the size limit and what to do about it."""
    megabytes = maximum // (1024 * 1024)
    return (
        f"Berkas lebih dari {megabytes} MB. Perkecil PDF (misalnya pindai dengan "
        "resolusi lebih rendah atau hitam-putih), lalu unggah lagi."
    )


def upload_length(headers: Headers, maximum: int) -> int:
    """Read ``Upload-Length``: required, a whole number, at most ``maximum``.

    :raises UploadError: 400 when missing, deferred or malformed; 413 when
        larger than ``maximum``.
    """
    if "Upload-Defer-Length" in headers:
        raise UploadError(400, NO_DEFER)
    length = _number(headers.get("Upload-Length"), "Upload-Length")
    if length > maximum:
        raise UploadError(413, too_big_message(maximum))
    return length


def upload_offset(headers: Headers) -> int:
    """Read ``Upload-Offset``, a whole number.

    :raises UploadError: 400 when missing or malformed.
    """
    return _number(headers.get("Upload-Offset"), "Upload-Offset")


def _number(value: str | None, name: str) -> int:
    """Parse a header holding a non-negative integer in plain digits."""
    if value is None or not NUMBER.fullmatch(value.strip()):
        raise UploadError(400, f"{BAD_REQUEST}: {name} harus berupa angka.")
    return int(value.strip())


def upload_metadata(headers: Headers) -> dict[str, str]:
    """Decode ``Upload-Metadata``: comma-separated keys, each with base64 value.

    :raises UploadError: 400 when a key repeats or is malformed, or a value is
        not base64 of UTF-8 text.
    """
    raw = headers.get("Upload-Metadata", "")
    if len(raw) > METADATA_MAX:
        raise UploadError(400, f"{BAD_REQUEST}: Upload-Metadata terlalu panjang.")

    pairs: dict[str, str] = {}
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        key, _space, value = item.partition(" ")
        if not METADATA_KEY.fullmatch(key) or key in pairs:
            raise UploadError(400, f"{BAD_REQUEST}: kunci Upload-Metadata salah.")
        try:
            pairs[key] = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as error:
            raise UploadError(
                400, f"{BAD_REQUEST}: nilai Upload-Metadata bukan base64."
            ) from error
    return pairs


def encode_metadata(pairs: dict[str, str]) -> str:
    """Write metadata back in the ``Upload-Metadata`` form."""
    return ",".join(
        f"{key} {base64.b64encode(value.encode('utf-8')).decode('ascii')}"
        for key, value in pairs.items()
    )


def require_offset_stream(mimetype: str) -> None:
    """Insist that a PATCH body is declared as a piece of the file.

    :raises UploadError: 415 for any other content type.
    """
    if mimetype != OFFSET_STREAM:
        raise UploadError(415, WRONG_TYPE)


def require_version(value: str | None) -> None:
    """Insist on ``Tus-Resumable: 1.0.0``.

    :raises UploadError: 412 with ``Tus-Version`` for anything else.
    """
    if value != VERSION:
        raise UploadError(412, WRONG_VERSION, {"Tus-Version": VERSION})


def error(status: int, message: str, headers: dict | None = None) -> Response:
    """Answer a refused request with one line of plain text."""
    return Response(message + "\n", status, headers, mimetype="text/plain")


def capabilities(maximum: int) -> Response:
    """Answer OPTIONS: the version, the extensions and the largest upload."""
    return Response(
        status=204,
        headers={
            "Tus-Version": VERSION,
            "Tus-Extension": ",".join(EXTENSIONS),
            "Tus-Max-Size": str(maximum),
        },
    )


def created(location: str, expires_at: float) -> Response:
    """Answer a creation: where the upload lives and when it expires."""
    return Response(
        status=201,
        headers={"Location": location, "Upload-Expires": http_date(expires_at)},
    )


def described(
    offset: int, length: int, metadata: dict[str, str], expires_at: float
) -> Response:
    """Answer HEAD: how much has arrived of how much, never to be cached."""
    headers = {
        "Upload-Offset": str(offset),
        "Upload-Length": str(length),
        "Upload-Expires": http_date(expires_at),
    }
    if metadata:
        headers["Upload-Metadata"] = encode_metadata(metadata)
    return Response(status=200, headers=headers)


def appended(offset: int, expires_at: float) -> Response:
    """Answer PATCH: the new offset and the new expiry."""
    return Response(
        status=204,
        headers={"Upload-Offset": str(offset), "Upload-Expires": http_date(expires_at)},
    )


def no_content() -> Response:
    """Answer a termination."""
    return Response(status=204)
