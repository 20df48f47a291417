"""Resumable uploads kept on disk until complete, then stored as an SK.

Each upload has its own folder ``UPLOAD_FOLDER/tus/<user id>/<upload id>/``:

- ``data``: the bytes received so far, each piece written at its offset;
- ``info.json``: the sidecar (owner, declared length, offset reached, file
  name and type, expiry, and once complete the verdict). It is always
  replaced whole, written to a temporary file and renamed, so a reader never
  sees half of it;
- ``lock``: held with ``flock`` by the one request that writes, so two PATCH
  requests for the same upload never interleave, even across worker
  processes. A second writer is told 423 at once rather than made to wait.

The offset in the sidecar is raised only after the data up to it is on disk;
a crash between the two loses the last piece, which the client sends again
after asking for the offset. A piece cut off by a lost connection is kept up
to the last byte that arrived, as the protocol recommends.

When the last byte arrives the file goes through the checks of the plain form
upload (:func:`pamong.documents.services.store_sk_file`) and, if accepted, is
attached to the profile. The final PATCH is answered 204 whatever the verdict:
tus clients treat any other status as a failed transfer and would retry bytes
that arrived fine. The verdict is kept in the sidecar and reported by
:func:`verdict`, which the page asks for once the transfer is done.

An upload expires :data:`TUS_EXPIRY_HOURS` after the last byte received (or
after its verdict); it then answers 410 until :func:`remove_expired` deletes
it, after which it is unknown (404).
"""

import contextlib
import fcntl
import json
import logging
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from werkzeug.exceptions import ClientDisconnected

from pamong.accounts.models import User
from pamong.core.templating import file_size
from pamong.documents.models import Document
from pamong.documents.pdfcheck import MESSAGES
from pamong.documents.services import (
    CheckBusy,
    Refused,
    discard_file,
    safe_name,
    store_sk_file,
)
from pamong.extensions import db
from pamong.registration import services as registration
from pamong.registration.steps import SK_AFTER_SUBMISSION, sk_step_still_open
from pamong.uploads.tus import UploadError

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
UPLOAD_ID = re.compile(r"[0-9a-f]{32}")

UPLOADING = "uploading"
CHECKING = "checking"
STORED = "stored"
REFUSED = "refused"

#: Declared file types taken as a PDF, or as "unknown" and left to the check.
PDF_TYPES = {
    "",
    "application/pdf",
    "application/x-pdf",
    "application/acrobat",
    "text/pdf",
    "text/x-pdf",
    "application/octet-stream",
    "binary/octet-stream",
}

NOT_FOUND = "Unggahan tidak ditemukan. Pilih berkas SK lagi."
GONE = "Unggahan sudah kedaluwarsa. Pilih berkas SK lagi."
STEP_CLOSED = "Langkah 3 belum dapat diisi, atau pendaftaran sudah terkirim."
WRONG_OFFSET = "Posisi unggahan tidak cocok. Tanyakan posisi terakhir, lalu lanjutkan."
BUSY = "Unggahan ini sedang diproses. Coba lagi sebentar lagi."
TOO_MANY = (
    "Terlalu banyak unggahan yang sedang berjalan. Tunggu salah satu selesai, "
    "lalu coba lagi."
)
BAD_NAME = "Nama berkas tidak sah. Ganti nama berkas, lalu pilih lagi."
INTERRUPTED = "Unggahan terputus. Bagian yang sudah sampai disimpan."
NOT_DONE = "Unggahan belum selesai."
LOST = "Unggahan tidak lengkap di server. Pilih berkas SK lagi."
CLOSED_MEANWHILE = SK_AFTER_SUBMISSION


@dataclass
class Upload:
    """The sidecar of one upload, as stored in ``info.json``."""

    id: str
    user_id: int
    length: int
    offset: int = 0
    filename: str = "sk.pdf"
    filetype: str = ""
    created_at: float = 0.0
    expires_at: float = 0.0
    state: str = UPLOADING
    message: str | None = None
    document: dict | None = None

    @property
    def complete(self) -> bool:
        """Whether every byte has arrived."""
        return self.offset >= self.length

    @property
    def metadata(self) -> dict[str, str]:
        """The metadata to echo in ``Upload-Metadata``."""
        pairs = {"filename": self.filename}
        if self.filetype:
            pairs["filetype"] = self.filetype
        return pairs


def now() -> float:
    """Return the current time in seconds since the epoch."""
    return time.time()


def _expiry_seconds() -> int:
    """Return how long an upload lives after its last activity."""
    return current_app.config["TUS_EXPIRY_HOURS"] * 3600


def root() -> Path:
    """Return the folder holding every upload in progress."""
    return Path(current_app.config["UPLOAD_FOLDER"]) / "tus"


def _user_folder(user_id: int) -> Path:
    """Return the folder of one official's uploads."""
    return root() / str(int(user_id))


def _folder(user_id: int, upload_id: str) -> Path:
    """Return an upload's folder; an id of the wrong shape is simply unknown."""
    if not UPLOAD_ID.fullmatch(upload_id):
        raise UploadError(404, NOT_FOUND)
    return _user_folder(user_id) / upload_id


def _read(folder: Path) -> Upload | None:
    """Load a sidecar, or ``None`` when it is missing or unreadable."""
    try:
        data = json.loads((folder / "info.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        log.warning("Unreadable tus sidecar in %s", folder.name)
        return None

    known = {item.name for item in fields(Upload)}
    if not isinstance(data, dict) or not {"id", "user_id", "length"} <= set(data):
        return None
    return Upload(**{key: value for key, value in data.items() if key in known})


def _write(folder: Path, upload: Upload) -> None:
    """Replace the sidecar in one step: write a temporary file, then rename."""
    temporary = folder / f".info-{secrets.token_hex(4)}.tmp"
    try:
        with temporary.open("w", encoding="utf-8") as out:
            json.dump(asdict(upload), out, ensure_ascii=False)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, folder / "info.json")
    finally:
        temporary.unlink(missing_ok=True)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold the upload's lock while writing, or refuse at once.

    :raises UploadError: 423 when another request holds it, 404 when the
        upload's folder is gone.
    """
    try:
        handle = os.open(folder / "lock", os.O_RDWR | os.O_CREAT, 0o600)
    except (FileNotFoundError, NotADirectoryError) as error:
        raise UploadError(404, NOT_FOUND) from error
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise UploadError(423, BUSY) from error
        yield
    finally:
        os.close(handle)


def _discard(folder: Path) -> bool:
    """Remove an upload's folder unless a request is writing to it."""
    try:
        with _locked(folder):
            shutil.rmtree(folder, ignore_errors=True)
    except UploadError:
        return False
    return True


def _locate(user: User, upload_id: str) -> tuple[Path, Upload]:
    """Find an upload of ``user`` that has not expired.

    :raises UploadError: 404 when unknown or someone else's, 410 when expired
        (and then it is removed).
    """
    folder = _folder(user.id, upload_id)
    upload = _read(folder)
    if upload is None or upload.user_id != user.id or upload.id != upload_id:
        raise UploadError(404, NOT_FOUND)
    if upload.expires_at <= now():
        _discard(folder)
        raise UploadError(410, GONE)
    return folder, upload


def find(user: User, upload_id: str) -> Upload:
    """Return the upload ``upload_id`` of ``user``.

    :raises UploadError: 404 or 410, as :func:`_locate`.
    """
    return _locate(user, upload_id)[1]


def create(user: User, length: int, metadata: dict[str, str]) -> Upload:
    """Reserve room for an SK of ``length`` bytes sent by ``user``.

    Expired uploads are cleared now and then on the way. An official keeps at
    most ``TUS_MAX_UNFINISHED`` unfinished uploads: a new one pushes out the
    one that has been idle longest, because a phone only ever continues its
    latest and should never be locked out by pieces it has forgotten.

    :raises UploadError: 403 when step 3 is closed to ``user``; 400 for an
        empty file or a bad name; 415 for a declared type that is not a PDF;
        429 when every unfinished upload is busy.
    """
    if not registration.may_open_step(user, 3):
        raise UploadError(403, STEP_CLOSED)
    if length == 0:
        raise UploadError(400, MESSAGES["empty"])
    filename, filetype = _describe(metadata)

    maybe_clean()
    _make_room(user)
    started = now()
    upload = Upload(
        id=secrets.token_hex(16),
        user_id=user.id,
        length=length,
        filename=filename,
        filetype=filetype,
        created_at=started,
        expires_at=started + _expiry_seconds(),
    )
    folder = _user_folder(user.id) / upload.id
    folder.mkdir(parents=True, mode=0o700)
    (folder / "data").touch(mode=0o600)
    _write(folder, upload)
    log.info("tus upload %s created for user %s: %d bytes", upload.id, user.id, length)
    return upload


def _describe(metadata: dict[str, str]) -> tuple[str, str]:
    """Check the file name and type a client declared; return them.

    The type is only a label the phone chose: a PDF label or none at all is
    left to the real check of the content, anything else is refused early so
    that a photo is not sent over 2G only to be refused at the end.
    """
    filename = metadata.get("filename", "").strip() or "sk.pdf"
    if len(filename) > 255 or not filename.isprintable():
        raise UploadError(400, BAD_NAME)
    filename = safe_name(filename)
    filetype = metadata.get("filetype", "").strip().lower()
    if filetype not in PDF_TYPES:
        raise UploadError(415, MESSAGES["not_pdf"])
    return filename, filetype


def _make_room(user: User) -> None:
    """Keep fewer than the allowed unfinished uploads of ``user`` on disk.

    :raises UploadError: 429 when room cannot be made because they are busy.
    """
    limit = current_app.config["TUS_MAX_UNFINISHED"]
    unfinished = []
    for folder, upload in _uploads_of(user.id):
        if upload.expires_at <= now():
            _discard(folder)
        elif upload.state == UPLOADING:
            unfinished.append((upload.expires_at, folder))

    excess = len(unfinished) - limit + 1
    for _idle_since, folder in sorted(unfinished):
        if excess <= 0:
            break
        if _discard(folder):
            log.info("tus upload %s dropped to make room", folder.name)
            excess -= 1
    if excess > 0:
        raise UploadError(429, TOO_MANY)


def _uploads_of(user_id: int) -> list[tuple[Path, Upload]]:
    """Return the folders and sidecars of one official's uploads."""
    base = _user_folder(user_id)
    if not base.is_dir():
        return []
    found = []
    for folder in sorted(base.iterdir()):
        upload = _read(folder) if folder.is_dir() else None
        if upload is not None:
            found.append((folder, upload))
    return found


def append(
    user: User,
    upload_id: str,
    offset: int,
    content_length: int | None,
    stream: BinaryIO,
) -> Upload:
    """Write one piece of the file at ``offset``; finish it if it is the last.

    A piece of nothing at the end of an upload whose verdict is in is
    answered with the offset, as for any complete upload.

    :param content_length: the declared size of the piece, if any.
    :param stream: the request body, read in chunks and never all at once.
    :raises UploadError: 403 when step 3 has closed meanwhile; 404/410 as
        :func:`find`; 423 while another request writes; 409 when ``offset``
        is not the offset reached; 413 when the piece would pass the declared
        length; 400 when the connection broke off (what arrived is kept).
    """
    folder, _upload = _locate(user, upload_id)
    if not registration.may_open_step(user, 3):
        raise UploadError(403, STEP_CLOSED)

    with _locked(folder):
        folder, upload = _locate(user, upload_id)
        if offset != upload.offset:
            raise UploadError(409, WRONG_OFFSET)
        room = upload.length - upload.offset
        if content_length is not None and content_length > room:
            raise UploadError(413, too_long_message(upload.length))
        if upload.state in (STORED, REFUSED):
            if stream.read(1):
                raise UploadError(413, too_long_message(upload.length))
            return upload

        received, interrupted = _receive(stream, folder / "data", upload)
        if received:
            upload.offset += received
            upload.expires_at = now() + _expiry_seconds()
        if upload.complete and upload.state == UPLOADING:
            upload.state = CHECKING
        _write(folder, upload)

        if interrupted:
            log.info("tus upload %s interrupted at %d", upload.id, upload.offset)
            raise UploadError(400, INTERRUPTED)
        if upload.state == CHECKING:
            upload = _finish(user, folder, upload)
    return upload


def too_long_message(length: int) -> str:
    """Say that more bytes came than the size declared at the start."""
    return (
        "Data yang dikirim lebih besar dari ukuran berkas yang disebut di awal "
        f"({file_size(length)}). Pilih berkas SK lagi."
    )


def _receive(stream: BinaryIO, path: Path, upload: Upload) -> tuple[int, bool]:
    """Copy the body to ``path`` at the offset; return bytes kept and whether cut.

    Anything left in the file past the offset from an earlier broken piece is
    dropped first. A body longer than the room left (possible only without a
    Content-Length) is refused whole.
    """
    offset = upload.offset
    room = upload.length - offset
    received = 0
    interrupted = False
    with path.open("r+b") as out:
        out.seek(offset)
        out.truncate(offset)
        try:
            while received < room:
                chunk = stream.read(min(CHUNK, room - received))
                if not chunk:
                    break
                out.write(chunk)
                received += len(chunk)
            overflow = received == room and stream.read(1)
        except (ClientDisconnected, OSError):
            interrupted, overflow = True, False
        if overflow:
            out.truncate(offset)
            raise UploadError(413, too_long_message(upload.length))
        out.flush()
        os.fsync(out.fileno())
    return received, interrupted


def _finish(user: User, folder: Path, upload: Upload) -> Upload:
    """Check the complete file like a form upload; keep the verdict.

    Called with the lock held. An accepted file leaves the folder for the
    document store and is attached to the profile, if step 3 is still open
    once the account is locked; a refused one is deleted. When the server is
    too busy to check it, the file stays and the verdict is worked out when
    it is next asked for.
    """
    data = folder / "data"
    try:
        document = store_sk_file(user, data, upload.filename)
    except CheckBusy as error:
        db.session.rollback()
        upload.message = str(error)
        _write(folder, upload)
        log.info("tus upload %s of user %s: check deferred", upload.id, user.id)
        return upload
    except Refused as error:
        db.session.rollback()
        upload.state, upload.message = REFUSED, str(error)
    except FileNotFoundError:
        db.session.rollback()
        upload.state, upload.message = REFUSED, LOST
    else:
        if sk_step_still_open(user):
            _attach(user, document, upload)
        else:
            storage_name = document.storage_name
            db.session.rollback()
            discard_file(storage_name)
            upload.state, upload.message = REFUSED, CLOSED_MEANWHILE
    data.unlink(missing_ok=True)
    upload.expires_at = now() + _expiry_seconds()
    _write(folder, upload)
    log.info("tus upload %s of user %s: %s", upload.id, user.id, upload.state)
    return upload


def _attach(user: User, document: Document, upload: Upload) -> None:
    """Put the accepted file on the profile and note it in the sidecar."""
    registration.attach_sk(user, document)
    upload.state = STORED
    upload.message = stored_message(document)
    upload.document = {
        "id": document.id,
        "name": document.original_name,
        "size": document.size,
        "pages": document.pages,
        "sha256": document.sha256,
    }


def stored_message(document: Document) -> str:
    """Say which SK is now on the profile, as the step 3 page does."""
    return (
        f"SK tersimpan: {document.original_name} ({file_size(document.size)}, "
        f"{document.pages} halaman)."
    )


def verdict(user: User, upload_id: str) -> dict:
    """Tell how an upload ended: stored, refused, or not yet.

    A verdict left pending by a request that died is worked out here.

    :raises UploadError: 404 or 410, as :func:`find`.
    """
    folder, upload = _locate(user, upload_id)
    if upload.state == CHECKING:
        with contextlib.suppress(UploadError), _locked(folder):
            folder, upload = _locate(user, upload_id)
            if upload.state == CHECKING:
                upload = _finish(user, folder, upload)

    message = upload.message
    if upload.state == UPLOADING or (upload.state == CHECKING and not message):
        message = NOT_DONE
    return {
        "state": upload.state,
        "ok": upload.state == STORED,
        "message": message,
        "document": upload.document,
        "offset": upload.offset,
        "length": upload.length,
    }


def terminate(user: User, upload_id: str) -> None:
    """Delete an upload and what arrived of it.

    :raises UploadError: 404 or 410 as :func:`find`; 423 while a request
        writes to it.
    """
    folder, upload = _locate(user, upload_id)
    with _locked(folder):
        shutil.rmtree(folder, ignore_errors=True)
    log.info(
        "tus upload %s terminated at %d of %d", upload.id, upload.offset, upload.length
    )


def remove_all_of(user_id: int) -> int:
    """Delete every upload of one official, finished or not; return how many.

    For the deletion of an account: no piece of an SK may stay behind, so
    uploads being written to are removed too.
    """
    base = _user_folder(user_id)
    if not base.is_dir():
        return 0
    count = sum(1 for folder in base.iterdir() if folder.is_dir())
    shutil.rmtree(base, ignore_errors=True)
    log.info("tus uploads of user %s removed: %d", user_id, count)
    return count


def remove_expired() -> int:
    """Delete every expired upload not being written to; return how many.

    A folder without a readable sidecar (a creation cut short) counts as
    expired once it is older than the expiry time.
    """
    base = root()
    if not base.is_dir():
        return 0
    moment = now()
    removed = 0
    for user_folder in base.iterdir():
        if not user_folder.is_dir() or not user_folder.name.isdigit():
            continue
        for folder in user_folder.iterdir():
            if folder.is_dir() and _expired(folder, moment) and _discard(folder):
                removed += 1
        with contextlib.suppress(OSError):
            user_folder.rmdir()
    if removed:
        log.info("tus clean-up removed %d expired uploads", removed)
    return removed


def _expired(folder: Path, moment: float) -> bool:
    """Tell whether an upload folder's time has run out."""
    upload = _read(folder)
    if upload is not None:
        return upload.expires_at <= moment
    try:
        return folder.stat().st_mtime + _expiry_seconds() <= moment
    except FileNotFoundError:
        return False


def maybe_clean() -> None:
    """Run :func:`remove_expired` if the last run is long enough ago.

    The time of the last run is the modification time of a marker file, so
    that several worker processes share it.
    """
    base = root()
    base.mkdir(parents=True, exist_ok=True)
    marker = base / ".last-cleanup"
    moment = now()
    interval = current_app.config["TUS_CLEANUP_MINUTES"] * 60
    try:
        if marker.stat().st_mtime + interval > moment:
            return
    except FileNotFoundError:
        pass
    marker.touch()
    os.utime(marker, (moment, moment))
    remove_expired()
