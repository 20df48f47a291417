"""Check that an uploaded SK Jabatan is a PDF that can be opened and read.

Real and hostile PDFs can make a parser hang or eat all memory, so pypdf only
ever sees the file in a separate process with a processor-time limit, a memory
limit and a looser wall-clock limit (for a child that hangs without working).
:func:`check_pdf` is what the rest of the application calls; run as a
program, this module is the child process: it opens the file named on its
command line and prints one JSON line.

Checks are costly, so at most a few run at once on one host:
:func:`check_slot` hands out places that every worker process shares, and a
request that waits too long for one gets :class:`Busy` rather than a verdict.

The child is started from this file's path rather than with ``-m``, because
importing the :mod:`pamong` package would import Flask and slow every check.
It imports only the standard library and pypdf.
"""

import argparse
import collections
import contextlib
import fcntl
import io
import json
import logging
import os
import resource
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

HEAD_BYTES = 1024
MAX_PAGES_TOUCHED = 500
TEXT_PAGES = 3
TEXT_LIMIT = 4000

#: Processor seconds the child may spend on the text of the first pages. A
#: page whose text takes longer is costly to draw as well, and too complex.
TEXT_SECONDS = 2.0

#: Most dictionary and array entries looked at for scripts in one file.
MAX_ENTRIES_WALKED = 3_000_000

#: The wall-clock limit is this many times the processor-time limit, plus
#: :data:`WALL_EXTRA` seconds, so a busy machine does not refuse a file.
WALL_FACTOR = 2
WALL_EXTRA = 1

#: Seconds between two tries for a free place in :func:`check_slot`.
SLOT_POLL = 0.01

CHILD = Path(__file__).resolve()
ROOT = CHILD.parents[2]

MESSAGES = {
    "not_pdf": (
        "Berkas ini bukan PDF. Unggah SK Jabatan dalam format PDF (hasil pindai "
        "atau foto yang disimpan sebagai PDF)."
    ),
    "damaged": (
        "Berkas PDF ini rusak dan tidak dapat dibuka. Simpan ulang atau pindai "
        "ulang SK Jabatan, lalu unggah lagi."
    ),
    "password": (
        "PDF ini dikunci dengan kata sandi. Unggah SK Jabatan tanpa kata sandi."
    ),
    "too_complex": (
        "PDF ini tidak dapat diperiksa dalam waktu wajar. Simpan ulang SK sebagai "
        'PDF biasa (misalnya dengan "Cetak ke PDF"), lalu unggah lagi.'
    ),
    "empty": "Berkas kosong. Pilih berkas SK Jabatan yang benar.",
    "active": (
        "PDF ini berisi skrip atau berkas sisipan, yang tidak boleh ada di SK. "
        'Simpan ulang SK sebagai PDF biasa (misalnya dengan "Cetak ke PDF"), lalu '
        "unggah lagi."
    ),
}

#: Told when no place to check a file came free in time; the file is not at
#: fault.
BUSY_MESSAGE = (
    "Server sedang sibuk memeriksa berkas lain. Coba lagi sebentar lagi; berkas "
    "SK Anda tidak bermasalah."
)

#: Actions a document viewer would run by itself or on a click.
RISKY_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/ImportData",
    "/SubmitForm",
    "/GoToE",
    "/Rendition",
    "/RichMediaExecute",
    "/GoToR",
    "/GoTo3DView",
    "/Movie",
    "/Sound",
}

#: Addresses a link may lead to; a file: or network address is refused.
SAFE_URI_SCHEMES = ("http://", "https://", "mailto:")

#: Keys that hold a script, an embedded file, an XFA form (which may carry
#: scripts) or media content wherever they appear.
RISKY_KEYS = {
    "/JS",
    "/JavaScript",
    "/EmbeddedFiles",
    "/EmbeddedFile",
    "/EF",
    "/XFA",
    "/RichMediaContent",
    "/RichMediaSettings",
    "/3DD",
    "/OnInstantiate",
}

#: Values of ``/Type`` or ``/Subtype`` that mean the same.
RISKY_TYPES = {
    "/EmbeddedFile",
    "/FileAttachment",
    "/RichMedia",
    "/3D",
    "/Screen",
    "/Movie",
    "/Sound",
}


class Busy(Exception):
    """No place to check a file came free in time; try again later."""


@dataclass(frozen=True)
class PdfCheck:
    """The verdict on one uploaded file.

    ``reason`` is ``None`` when the file is accepted, otherwise one of the keys
    of :data:`MESSAGES`; ``message`` then tells the official what to do.
    """

    ok: bool
    reason: str | None
    message: str | None
    pages: int
    has_text: bool
    text_sample: str


def check_pdf(
    path: str | os.PathLike, *, seconds: int = 8, memory_mb: int = 512
) -> PdfCheck:
    """Check the file at ``path`` in a child process and return the verdict.

    :param seconds: processor-time limit for the child. The wall-clock limit
        is :data:`WALL_FACTOR` times that plus :data:`WALL_EXTRA`, so that a
        child that waits for a busy processor is not cut short.
    :param memory_mb: address-space limit for the child, in megabytes.
    """
    started = time.monotonic()
    reason = _precheck(Path(path))
    if reason is not None:
        return _verdict({"reason": reason}, started, "precheck")

    reply, detail = _run_child(Path(path), seconds, memory_mb)
    return _verdict(reply, started, detail)


@contextlib.contextmanager
def check_slot(folder: str | os.PathLike, places: int, wait: float) -> Iterator[None]:
    """Hold one of ``places`` places to check a file, shared by every process.

    Each place is a lock file in ``folder`` held with ``flock``, so the limit
    holds across the worker processes of one host and a place is freed when
    its holder dies. Within a process, requests line up first and take their
    turn in order of arrival, so a stream of requests cannot push an earlier
    one aside.

    :param wait: seconds to wait for a free place.
    :raises Busy: when none came free in time.
    """
    base = Path(folder)
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    deadline = time.monotonic() + wait
    with _LINE.turn(deadline):
        handle = _take_place(base, max(int(places), 1))
        while handle is None:
            if time.monotonic() >= deadline:
                log.warning("PDF check refused: all %d places busy", places)
                raise Busy(BUSY_MESSAGE)
            time.sleep(SLOT_POLL)
            handle = _take_place(base, max(int(places), 1))
    try:
        yield
    finally:
        os.close(handle)


class _Line:
    """The requests of one process waiting for a place, first come first served."""

    def __init__(self) -> None:
        """Start with nobody waiting."""
        self._guard = threading.Lock()
        self._waiting: collections.deque[threading.Event] = collections.deque()

    @contextlib.contextmanager
    def turn(self, deadline: float) -> Iterator[None]:
        """Wait until every earlier request has left the line.

        :raises Busy: when the deadline passes first.
        """
        mine = threading.Event()
        with self._guard:
            self._waiting.append(mine)
            if self._waiting[0] is mine:
                mine.set()
        try:
            if not mine.wait(max(deadline - time.monotonic(), 0)):
                log.warning("PDF check refused: too many waiting")
                raise Busy(BUSY_MESSAGE)
            yield
        finally:
            with self._guard:
                self._waiting.remove(mine)
                if self._waiting:
                    self._waiting[0].set()


_LINE = _Line()


def _take_place(base: Path, places: int) -> int | None:
    """Lock the first free place file; return its descriptor, or ``None``."""
    for number in range(places):
        handle = os.open(base / f"place-{number}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(handle)
            continue
        return handle
    return None


def _precheck(path: Path) -> str | None:
    """Reject empty files and files without a PDF header, without parsing."""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if not head:
        return "empty"
    if b"%PDF-" not in head:
        return "not_pdf"
    return None


def _run_child(path: Path, seconds: int, memory_mb: int) -> tuple[dict, str]:
    """Run the child on ``path``; return its reply and a note for the log.

    A child that runs out of wall-clock time is killed with its whole process group. A
    child that dies or answers nonsense has met a limit or crashed inside the
    parser, and the file counts as too complex.
    """
    command = [
        sys.executable,
        "-P",
        str(CHILD),
        os.path.abspath(path),
        f"--seconds={seconds}",
        f"--memory-mb={memory_mb}",
    ]
    with subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        close_fds=True,
        start_new_session=True,
        cwd=ROOT,
        env=_child_env(),
    ) as process:
        try:
            stdout, stderr = process.communicate(
                timeout=seconds * WALL_FACTOR + WALL_EXTRA
            )
        except subprocess.TimeoutExpired:
            _kill_group(process)
            process.communicate()
            return {"reason": "too_complex"}, "timeout"
        except BaseException:
            _kill_group(process)
            raise

    reply = _parse_reply(stdout)
    if process.returncode != 0 or reply is None:
        return {"reason": "too_complex"}, _crash_note(process.returncode, stderr)
    return reply, reply.get("error") or "child"


def _crash_note(returncode: int, stderr: bytes) -> str:
    """Describe a failed child by its exit status and exception class only.

    The rest of a traceback may quote bytes of the file, which stay out of
    the log.
    """
    lines = stderr.decode("ascii", "replace").strip().splitlines()
    error = lines[-1].split(":", 1)[0][:80] if lines else "no error output"
    return f"child exit {returncode}, {error}"


def _child_env() -> dict[str, str]:
    """Return the few environment variables the child needs."""
    env = {"PATH": os.environ.get("PATH", os.defpath), "LC_ALL": "C.UTF-8"}
    if "PYTHONPATH" in os.environ:
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return env


def _kill_group(process: subprocess.Popen) -> None:
    """Kill the child and anything it started; it is not yet reaped."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _parse_reply(stdout: bytes) -> dict | None:
    """Read the child's JSON line; return ``None`` if it is not well formed."""
    lines = stdout.strip().splitlines()
    try:
        reply = json.loads(lines[-1]) if lines else None
    except ValueError:
        return None
    if not isinstance(reply, dict):
        return None

    reason = reply.get("reason")
    if reason is not None and reason not in MESSAGES:
        return None
    if not isinstance(reply.get("pages", 0), int):
        return None
    if not isinstance(reply.get("text", ""), str):
        return None
    return reply


def _verdict(reply: dict, started: float, detail: str) -> PdfCheck:
    """Turn a reply into a :class:`PdfCheck` and log the outcome."""
    reason = reply.get("reason")
    ok = reason is None
    text = reply.get("text", "")[:TEXT_LIMIT] if ok else ""
    check = PdfCheck(
        ok=ok,
        reason=reason,
        message=None if ok else MESSAGES[reason],
        pages=max(int(reply.get("pages", 0)), 0) if ok else 0,
        has_text=ok and bool(reply.get("has_text")),
        text_sample=text,
    )

    elapsed = (time.monotonic() - started) * 1000
    log.info(
        "PDF check: %s, %d pages, text %s, %.0f ms (%s)",
        reason or "ok",
        check.pages,
        "yes" if check.has_text else "no",
        elapsed,
        detail,
    )
    if detail == "DependencyError":
        log.warning("pypdf cannot decrypt AES: install the cryptography package")
    return check


def main(argv: list[str] | None = None) -> int:
    """Open the PDF named on the command line and print one JSON line."""
    parser = argparse.ArgumentParser(description="Check one PDF (child process).")
    parser.add_argument("path")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--memory-mb", type=int, default=512)
    args = parser.parse_args(argv)

    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    _limit_resources(args.seconds, args.memory_mb)
    reply = _inspect(Path(args.path))
    sys.stdout.write(json.dumps(reply, ensure_ascii=True) + "\n")
    return 0


def _limit_resources(seconds: int, memory_mb: int) -> None:
    """Cap this process's memory and processor time, and forbid core dumps.

    Set here rather than in a ``preexec_fn``, which is unsafe in a threaded
    web server.
    """
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


class _TextBudgetSpent(BaseException):
    """The processor time for the text sample ran out.

    Not an :class:`Exception`, so that no handler inside pypdf swallows it.
    """


def _inspect(path: Path) -> dict:
    """Open and read the PDF; return the reply, naming the error if any."""
    from pypdf.errors import DependencyError, LimitReachedError

    try:
        return _read(path)
    except DependencyError:
        return {"reason": "password", "error": "DependencyError"}
    except (MemoryError, RecursionError, LimitReachedError, _TextBudgetSpent) as error:
        return {"reason": "too_complex", "error": type(error).__name__}
    except Exception as error:  # noqa: BLE001 - any parser failure means damaged
        return {"reason": "damaged", "error": type(error).__name__}


def _read(path: Path) -> dict:
    """Count and walk the pages, then take text from the first ones.

    A file without any ``%%EOF`` marker gets one appended: viewers open such
    files, and pypdf would otherwise refuse them even when not strict.
    """
    from pypdf import PasswordType, PdfReader

    data = path.read_bytes()
    if b"%%EOF" not in data:
        data += b"\n%%EOF\n"
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        return {"reason": "password"}

    pages = len(reader.pages)
    if pages == 0:
        return {"reason": "damaged", "error": "no pages"}
    for index in range(min(pages, MAX_PAGES_TOUCHED)):
        page = reader.pages[index]
        page.get("/Contents")
        page.get("/Resources")

    if _has_active_content(reader):
        return {"reason": "active"}

    text = _extract_text(reader, min(pages, TEXT_PAGES))
    has_text = any(character.isalnum() for character in text)
    return {"reason": None, "pages": pages, "has_text": has_text, "text": text}


def _has_active_content(reader) -> bool:
    """Tell whether the PDF carries scripts, launch actions or embedded files.

    Every object is looked at once, wherever it hangs (catalog, pages,
    bookmarks, form fields, names trees, or nowhere at all): the objects the
    cross-reference table lists and everything reachable from the trailer.
    Stream data is not decoded; object streams are read by pypdf itself.

    :raises LimitReachedError: when the file has more entries than
        :data:`MAX_ENTRIES_WALKED`.
    """
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    seen: set[tuple[int, int]] = set()
    pending: list = [reader.trailer, *_listed_objects(reader)]
    entries = 0
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = _resolve(reader, item)
        if isinstance(item, DictionaryObject):
            if _is_risky_dictionary(item):
                return True
            values = list(item.values())
        elif isinstance(item, ArrayObject):
            values = list(item)
        else:
            continue
        entries += len(values) + 1
        if entries > MAX_ENTRIES_WALKED:
            from pypdf.errors import LimitReachedError

            raise LimitReachedError("too many entries")
        pending.extend(
            value
            for value in values
            if isinstance(value, DictionaryObject | ArrayObject | IndirectObject)
        )
    return False


def _listed_objects(reader) -> list:
    """Return a reference to every object the cross-reference table lists."""
    from pypdf.generic import IndirectObject

    listed = [
        IndirectObject(number, generation, reader)
        for generation, numbers in reader.xref.items()
        for number in numbers
    ]
    listed += [IndirectObject(number, 0, reader) for number in reader.xref_objStm]
    return listed


def _resolve(reader, reference):
    """Load one object; one that cannot be read is skipped, as a viewer would.

    Running into a limit is not skipped. pypdf notes the objects it is
    reading, to find loops, and forgets the note when reading fails; the
    notes are put back so that a later read of the same object is not taken
    for a loop.
    """
    from pypdf.errors import DependencyError, LimitReachedError

    reading = getattr(reader, "_known_objects", None)
    before = set(reading) if isinstance(reading, set) else None
    try:
        return reader.get_object(reference)
    except (MemoryError, RecursionError, DependencyError):
        raise
    except LimitReachedError as error:
        if not str(error).startswith("Detected loop"):
            raise
        _forget_reads(reading, before)
    except Exception:  # noqa: BLE001 - an unreadable object holds nothing to run
        _forget_reads(reading, before)
    return None


def _forget_reads(reading: set | None, before: set | None) -> None:
    """Put pypdf's notes of the objects being read back as they were."""
    if reading is not None and before is not None:
        reading.clear()
        reading.update(before)


def _is_risky_dictionary(item) -> bool:
    """Tell whether one dictionary is a script, a risky action or a file."""
    if any(key in RISKY_KEYS for key in item):
        return True
    if item.get("/S") in RISKY_ACTIONS:
        return True
    if item.get("/S") == "/URI" and not _safe_uri(item.get("/URI")):
        return True
    return item.get("/Type") in RISKY_TYPES or item.get("/Subtype") in RISKY_TYPES


def _safe_uri(value) -> bool:
    """Tell whether a link's address is a web page or a mail address."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return str(value or "").strip().lower().startswith(SAFE_URI_SCHEMES)


def _extract_text(reader, count: int) -> str:
    """Return up to :data:`TEXT_LIMIT` printable characters from the first pages.

    :raises _TextBudgetSpent: after :data:`TEXT_SECONDS` of processor time.
    """
    parts: list[str] = []
    with _text_budget(TEXT_SECONDS):
        for index in range(count):
            parts.append(_page_text(reader.pages[index]))
            if sum(len(part) for part in parts) >= TEXT_LIMIT:
                break

    text = "\n".join(part.strip() for part in parts if part.strip())
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t")
    return text[:TEXT_LIMIT]


@contextlib.contextmanager
def _text_budget(seconds: float) -> Iterator[None]:
    """Raise :class:`_TextBudgetSpent` after ``seconds`` of processor time."""

    def spent(_signum, _frame):
        raise _TextBudgetSpent

    previous = signal.signal(signal.SIGPROF, spent)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def _page_text(page) -> str:
    """Return the text of one page, or nothing if it cannot be extracted.

    A page whose text cannot be extracted counts as a page without text, as a
    viewer would still show it; running into a limit or lacking the means to
    decrypt does not.
    """
    from pypdf.errors import DependencyError, LimitReachedError

    try:
        return page.extract_text() or ""
    except (MemoryError, RecursionError, LimitReachedError, DependencyError):
        raise
    except Exception:  # noqa: BLE001 - a bad text layer is not a bad PDF
        return ""


if __name__ == "__main__":
    sys.exit(main())
