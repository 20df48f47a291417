"""Check that an uploaded SK Jabatan is a PDF that can be opened and read.

Real and hostile PDFs can make a parser hang or eat all memory, so pypdf only
ever sees the file in a separate process with a wall-clock limit, a memory
limit and a processor-time limit. :func:`check_pdf` is what the rest of the
application calls; run as a program, this module is the child process: it
opens the file named on its command line and prints one JSON line.

The child is started from this file's path rather than with ``-m``, because
importing the :mod:`pamong` package would import Flask and slow every check.
It imports only the standard library and pypdf.
"""

import argparse
import contextlib
import io
import json
import logging
import os
import resource
import signal
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

HEAD_BYTES = 1024
MAX_PAGES_TOUCHED = 500
TEXT_PAGES = 3
TEXT_LIMIT = 4000

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

#: Actions a document viewer would run by itself or on a click.
RISKY_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/GoToE"}


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

    :param seconds: wall-clock limit for the child; the processor-time limit
        is one second more.
    :param memory_mb: address-space limit for the child, in megabytes.
    """
    started = time.monotonic()
    reason = _precheck(Path(path))
    if reason is not None:
        return _verdict({"reason": reason}, started, "precheck")

    reply, detail = _run_child(Path(path), seconds, memory_mb)
    return _verdict(reply, started, detail)


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

    A child that runs out of time is killed with its whole process group. A
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
            stdout, stderr = process.communicate(timeout=seconds)
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
    resource.setrlimit(resource.RLIMIT_CPU, (seconds + 1, seconds + 2))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _inspect(path: Path) -> dict:
    """Open and read the PDF; return the reply, naming the error if any."""
    from pypdf.errors import DependencyError, LimitReachedError

    try:
        return _read(path)
    except DependencyError:
        return {"reason": "password", "error": "DependencyError"}
    except (MemoryError, RecursionError, LimitReachedError) as error:
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

    if _has_active_content(reader, min(pages, MAX_PAGES_TOUCHED)):
        return {"reason": "active"}

    text = _extract_text(reader, min(pages, TEXT_PAGES))
    has_text = any(character.isalnum() for character in text)
    return {"reason": None, "pages": pages, "has_text": has_text, "text": text}


def _has_active_content(reader, pages: int) -> bool:
    """Tell whether the PDF carries scripts, launch actions or embedded files.

    Looks at the document catalog (names tree, open action, additional
    actions) and at the pages' own actions and link annotations.
    """
    root = reader.trailer["/Root"].get_object()
    names = root.get("/Names")
    names = names.get_object() if names is not None else {}
    if "/JavaScript" in names or "/EmbeddedFiles" in names:
        return True
    if "/AA" in root or _is_risky(root.get("/OpenAction")):
        return True

    for index in range(pages):
        page = reader.pages[index]
        if "/AA" in page:
            return True
        annotations = page.get("/Annots")
        annotations = annotations.get_object() if annotations is not None else []
        for annotation in annotations:
            annotation = annotation.get_object()
            if "/AA" in annotation or _is_risky(annotation.get("/A")):
                return True
            if annotation.get("/Subtype") == "/FileAttachment":
                return True
    return False


def _is_risky(action) -> bool:
    """Tell whether an action (or a chain of them) runs something."""
    seen = 0
    while action is not None and seen < 32:
        action = action.get_object()
        if not hasattr(action, "get"):
            return False
        if action.get("/S") in RISKY_ACTIONS:
            return True
        action = action.get("/Next")
        if isinstance(action, list):
            return any(_is_risky(item) for item in action[:32])
        seen += 1
    return False


def _extract_text(reader, count: int) -> str:
    """Return up to :data:`TEXT_LIMIT` printable characters from the first pages."""
    parts: list[str] = []
    for index in range(count):
        parts.append(_page_text(reader.pages[index]))
        if sum(len(part) for part in parts) >= TEXT_LIMIT:
            break

    text = "\n".join(part.strip() for part in parts if part.strip())
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t")
    return text[:TEXT_LIMIT]


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
