"""Storing an uploaded SK: size limit, PDF check, random name, SHA-256."""

import hashlib
import logging
import os
import secrets
import tempfile
from pathlib import Path

from flask import current_app

from pamong.accounts.models import User
from pamong.documents.models import Document
from pamong.documents.pdfcheck import Busy, check_pdf, check_slot
from pamong.extensions import db

log = logging.getLogger(__name__)

CHUNK = 64 * 1024


#: Defaults of the settings of :func:`check_places`, used when the
#: configuration does not name them.
PDF_CHECK_PLACES = 2
PDF_CHECK_WAIT_SECONDS = 20


class Refused(Exception):
    """The file cannot be accepted; ``str(error)`` tells the official why."""


class CheckBusy(Refused):
    """No place to check the file came free in time; the file is not at fault."""


def storage_path(storage_name: str) -> Path:
    """Return where a stored file lives, under the upload folder."""
    return Path(current_app.config["UPLOAD_FOLDER"]) / storage_name[:2] / storage_name


def store_sk(owner: User, stream, filename: str) -> Document:
    """Check and store an uploaded SK; add its row to the session.

    :param stream: a readable binary stream, read in chunks.
    :raises Refused: when the file is too big, empty or not an openable PDF.
    """
    folder = _private_folder(Path(current_app.config["UPLOAD_FOLDER"]))
    temporary = folder / f".part-{secrets.token_hex(16)}"
    try:
        size, digest = _copy_limited(stream, temporary)
        return _keep(owner, temporary, filename, size, digest)
    finally:
        temporary.unlink(missing_ok=True)


def store_sk_file(owner: User, path: Path, filename: str) -> Document:
    """Check and store an SK that is already complete on disk (moved, not copied).

    :raises Refused: as :func:`store_sk`.
    """
    size = path.stat().st_size
    if size > current_app.config["SK_MAX_BYTES"]:
        raise Refused(_too_big_message())
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
    return _keep(owner, path, filename, size, digest.hexdigest())


def _copy_limited(stream, target: Path) -> tuple[int, str]:
    """Copy a stream to ``target`` while hashing it, up to the size limit."""
    limit = current_app.config["SK_MAX_BYTES"]
    digest = hashlib.sha256()
    size = 0
    handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(handle, "wb") as out:
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            size += len(chunk)
            if size > limit:
                raise Refused(_too_big_message())
            digest.update(chunk)
            out.write(chunk)
    return size, digest.hexdigest()


def _keep(owner: User, path: Path, filename: str, size: int, digest: str) -> Document:
    """Run the PDF check, then move the file under a random name.

    The stored file and its folder are readable by the application only.

    :raises CheckBusy: when no place to check the file came free in time.
    """
    config = current_app.config
    try:
        with check_places():
            result = check_pdf(
                path,
                seconds=config["PDF_CHECK_SECONDS"],
                memory_mb=config["PDF_CHECK_MEMORY_MB"],
            )
    except Busy as error:
        log.info("SK of user %s not checked: server busy", owner.id)
        raise CheckBusy(str(error)) from error
    if not result.ok:
        log.info("SK refused for user %s: %s", owner.id, result.reason)
        raise Refused(result.message)

    storage_name = secrets.token_hex(16) + ".pdf"
    final = storage_path(storage_name)
    _private_folder(final.parent)
    os.chmod(path, 0o600)
    os.replace(path, final)

    document = Document(
        owner_id=owner.id,
        storage_name=storage_name,
        original_name=safe_name(filename),
        sha256=digest,
        size=size,
        pages=result.pages,
        has_text=result.has_text,
    )
    db.session.add(document)
    db.session.flush()
    log.info("SK stored for user %s: document %s", owner.id, document.id)
    return document


def check_places():
    """Return the context that holds one of the host's places to check a PDF.

    ``PDF_CHECK_PLACES`` checks run at once across every worker process;
    a request waits up to ``PDF_CHECK_WAIT_SECONDS`` for a place.
    """
    config = current_app.config
    return check_slot(
        places_folder(),
        config.get("PDF_CHECK_PLACES", PDF_CHECK_PLACES),
        config.get("PDF_CHECK_WAIT_SECONDS", PDF_CHECK_WAIT_SECONDS),
    )


def places_folder() -> Path:
    """Return the folder of the lock files that stand for the places.

    ``PDF_CHECK_PLACES_FOLDER`` if set; otherwise a folder in the system's
    temporary folder named after the upload folder, so that the worker
    processes of one installation share it and two installations do not.
    """
    config = current_app.config
    if config.get("PDF_CHECK_PLACES_FOLDER"):
        return Path(config["PDF_CHECK_PLACES_FOLDER"])
    upload_folder = os.path.abspath(config["UPLOAD_FOLDER"])
    tag = hashlib.sha256(upload_folder.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"pamong-pdfcheck-{os.getuid()}-{tag}"


def _private_folder(folder: Path) -> Path:
    """Make ``folder`` (and the upload folder above it) usable by the owner only."""
    upload_folder = Path(current_app.config["UPLOAD_FOLDER"])
    for path in (upload_folder, folder):
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        if path.stat().st_mode & 0o777 != 0o700:
            os.chmod(path, 0o700)
    return folder


def _too_big_message() -> str:
    """Explain the size limit and what to do about it."""
    return (
        "Berkas lebih dari 10 MB. Perkecil PDF (misalnya pindai dengan resolusi "
        "lebih rendah atau hitam-putih), lalu unggah lagi."
    )


def safe_name(filename: str) -> str:
    """Keep a display name for the file without path parts or odd characters.

    Both kinds of slash count as path separators, and a name of dots only is
    no name.
    """
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name.replace('"', "") if ch.isprintable()).strip()
    if not name.strip("."):
        return "sk.pdf"
    return name[:200]


def discard_file(storage_name: str) -> None:
    """Remove a stored file whose row is gone."""
    storage_path(storage_name).unlink(missing_ok=True)
    log.info("Stored file removed: %s", storage_name)


def may_open(user: User, document: Document) -> bool:
    """The owner, and admins whose scope holds the owner's lokasi tugas."""
    if document.owner_id == user.id:
        return True
    if not user.is_admin:
        return False

    from pamong.admin.scope import can_see

    return can_see(user, db.session.get(User, document.owner_id))
