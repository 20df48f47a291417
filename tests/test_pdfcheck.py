"""The PDF checker on good, slightly broken and hostile uploads."""

import logging
import os
import resource
import sys
import time
from pathlib import Path

import pytest

from pamong.documents import pdfcheck
from pamong.documents.pdfcheck import MESSAGES, PdfCheck, check_pdf
from tests import pdf_samples

SECONDS = 4
PARENT_GROWTH_MB = 64

EXPECTED = {
    "good": (True, None),
    "permissions_rc4": (True, None),
    "permissions_aes128": (True, None),
    "permissions_aes256": (True, None),
    "password": (False, "password"),
    "password_rc4": (False, "password"),
    "no_eof": (True, None),
    "startxref_off": (True, None),
    "truncated": (False, "damaged"),
    "junk_after_header": (False, "damaged"),
    "zeros": (False, "not_pdf"),
    "empty": (False, "empty"),
    "text_file": (False, "not_pdf"),
    "png_file": (False, "not_pdf"),
    "jpeg_file": (False, "not_pdf"),
    "xref_prev_self": (True, None),
    "xref_prev_pair": (True, None),
    "pages_kids_self": (False, "damaged"),
    "pages_parent_loop": (False, "damaged"),
    "length_self_ref": (True, None),
    "many_pages": (True, None),
    "nested_arrays": (False, "damaged"),
    "xobject_fanout": (False, "too_complex"),
    "deflate_bomb": (False, "too_complex"),
    "javascript_open": (False, "active"),
    "javascript_names": (False, "active"),
    "embedded_file": (False, "active"),
    "open_view_action": (True, None),
    "javascript_outline": (False, "active"),
    "javascript_field": (False, "active"),
    "javascript_rendition": (False, "active"),
    "javascript_late_page": (False, "active"),
    "javascript_hex_name": (False, "active"),
    "javascript_unreferenced": (False, "active"),
    "xfa_form": (False, "active"),
    "launch_action": (False, "active"),
    "remote_goto_action": (False, "active"),
    "file_uri_link": (False, "active"),
    "three_d_script": (False, "active"),
    "movie_action": (False, "active"),
    "bookmarks_and_form": (True, None),
    "text_heavy": (False, "too_complex"),
}

READABLE = {
    "good",
    "permissions_rc4",
    "permissions_aes128",
    "permissions_aes256",
    "no_eof",
    "startxref_off",
    "xref_prev_self",
    "xref_prev_pair",
    "open_view_action",
    "bookmarks_and_form",
}


def max_rss_mb() -> float:
    """Return this process's peak resident memory in megabytes."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_every_sample_has_an_expectation():
    """The table below covers every sample the builders know."""
    assert set(EXPECTED) == set(pdf_samples.SAMPLES)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_verdict(name, tmp_path):
    """Each sample gets its verdict, in bounded time and parent memory."""
    path = pdf_samples.SAMPLES[name](tmp_path)
    rss_before = max_rss_mb()
    started = time.monotonic()

    check = check_pdf(path, seconds=SECONDS)

    elapsed = time.monotonic() - started
    assert (check.ok, check.reason) == EXPECTED[name]
    assert elapsed < SECONDS + 3
    assert max_rss_mb() - rss_before < PARENT_GROWTH_MB
    if check.ok:
        assert check.message is None
        assert check.pages >= 1
    else:
        assert check.message == MESSAGES[check.reason]
        assert (check.pages, check.has_text, check.text_sample) == (0, False, "")
    if name in READABLE:
        assert check.has_text
        assert pdf_samples.TEXT in check.text_sample


def test_good_pdf_with_default_limits(tmp_path):
    """A normal one-page SK passes with the limits the application uses."""
    check = check_pdf(pdf_samples.good(tmp_path))

    assert check == PdfCheck(
        ok=True,
        reason=None,
        message=None,
        pages=1,
        has_text=True,
        text_sample=pdf_samples.TEXT,
    )


def test_path_may_be_a_string(tmp_path):
    """Callers may pass a plain string path."""
    assert check_pdf(str(pdf_samples.good(tmp_path))).ok


def test_text_sample_is_bounded(tmp_path):
    """A long document reports all its pages but only a bounded text sample."""
    check = check_pdf(pdf_samples.many_pages(tmp_path), seconds=SECONDS)

    assert check.pages == 600
    assert check.has_text
    assert len(check.text_sample) == pdfcheck.TEXT_LIMIT
    assert check.text_sample.startswith("Baris 00 Surat Keputusan")


def test_page_without_text_layer(tmp_path):
    """A readable page whose content cannot be read is kept, without text."""
    check = check_pdf(pdf_samples.length_self_ref(tmp_path), seconds=SECONDS)

    assert check.ok
    assert not check.has_text
    assert check.text_sample == ""


def test_memory_limit_stops_the_bomb(tmp_path, caplog):
    """Under a tight memory limit the bomb fails on memory, not pypdf's cap."""
    caplog.set_level(logging.INFO, logger=pdfcheck.__name__)

    check = check_pdf(pdf_samples.deflate_bomb(tmp_path), memory_mb=128)

    assert check.reason == "too_complex"
    assert "MemoryError" in caplog.text


def test_outcome_is_logged_without_content(tmp_path, caplog):
    """The log names the verdict but never the text of the document."""
    caplog.set_level(logging.INFO, logger=pdfcheck.__name__)

    check_pdf(pdf_samples.good(tmp_path))

    assert "PDF check: ok" in caplog.text
    assert pdf_samples.TEXT not in caplog.text


def test_missing_file_raises(tmp_path):
    """A path that does not exist is the caller's mistake, not a verdict."""
    with pytest.raises(FileNotFoundError):
        check_pdf(tmp_path / "hilang.pdf")


def fake_child(monkeypatch, tmp_path: Path, source: str) -> Path:
    """Make the checker run ``source`` instead of the real child."""
    script = tmp_path / "fake_child.py"
    script.write_text(source)
    monkeypatch.setattr(pdfcheck, "CHILD", script)
    return pdf_samples.good(tmp_path)


def test_child_killed_by_signal_is_too_complex(monkeypatch, tmp_path):
    """A child that dies from a signal, as on a processor limit, is a failure."""
    source = "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"
    path = fake_child(monkeypatch, tmp_path, source)

    assert check_pdf(path).reason == "too_complex"


def test_child_crash_is_logged_without_its_message(monkeypatch, tmp_path, caplog):
    """A traceback may quote the file, so only the exception class is logged."""
    caplog.set_level(logging.INFO, logger=pdfcheck.__name__)
    source = "raise ValueError('isi rahasia dari berkas')\n"
    path = fake_child(monkeypatch, tmp_path, source)

    assert check_pdf(path).reason == "too_complex"
    assert "child exit 1, ValueError" in caplog.text
    assert "rahasia" not in caplog.text


@pytest.mark.parametrize(
    "output",
    [
        "",
        "bukan json",
        "[1, 2]",
        '{"reason": "lain"}',
        '{"reason": null, "pages": "x"}',
    ],
)
def test_child_nonsense_is_too_complex(monkeypatch, tmp_path, output):
    """Output that is not a well-formed reply is never taken as a pass."""
    source = f"print({output!r})\n"
    path = fake_child(monkeypatch, tmp_path, source)

    assert check_pdf(path).reason == "too_complex"


def test_missing_aes_support_is_reported(monkeypatch, tmp_path, caplog):
    """Without an AES provider pypdf cannot read the file, and the log says so."""
    caplog.set_level(logging.INFO, logger=pdfcheck.__name__)
    source = (
        "import runpy, sys\n"
        "sys.modules['cryptography'] = sys.modules['Crypto'] = None\n"
        f"runpy.run_path({str(pdfcheck.CHILD)!r}, run_name='__main__')\n"
    )
    fake_child(monkeypatch, tmp_path, source)

    check = check_pdf(pdf_samples.permissions_aes128(tmp_path))

    assert check.reason == "password"
    assert "install the cryptography package" in caplog.text


def process_gone(pid: int) -> bool:
    """Tell whether ``pid`` has exited (a zombie waiting to be reaped counts)."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return status.rsplit(")", 1)[1].split()[0] in {"Z", "X"}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_timeout_kills_the_whole_process_group(monkeypatch, tmp_path):
    """On timeout the child and anything it started are killed."""
    source = (
        "import subprocess, sys, time\n"
        "from pathlib import Path\n"
        "helper = subprocess.Popen([sys.executable, '-c', 'import time; "
        "time.sleep(60)'])\n"
        "Path(sys.argv[1]).with_suffix('.pid').write_text(str(helper.pid))\n"
        "time.sleep(60)\n"
    )
    path = fake_child(monkeypatch, tmp_path, source)
    started = time.monotonic()

    check = check_pdf(path, seconds=1)

    assert check.reason == "too_complex"
    assert time.monotonic() - started < 4
    helper = int(path.with_suffix(".pid").read_text())
    deadline = time.monotonic() + 3
    while not process_gone(helper) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process_gone(helper)


def test_child_environment_is_minimal(monkeypatch):
    """The child gets no secrets from the web process's environment."""
    monkeypatch.setenv("PAMONG_SECRET_KEY", "jangan-bocor")

    env = pdfcheck._child_env()

    assert "PAMONG_SECRET_KEY" not in env
    assert env["PATH"] == os.environ["PATH"]


def test_child_waiting_for_the_processor_is_not_cut_short(monkeypatch, tmp_path):
    """The limit is processor time: a child that waits longer still answers."""
    source = (
        "import json, time\n"
        "time.sleep(1.5)\n"
        "print(json.dumps({'reason': None, 'pages': 1, 'has_text': False}))\n"
    )
    path = fake_child(monkeypatch, tmp_path, source)

    check = check_pdf(path, seconds=1)

    assert check.ok
    assert check.pages == 1


def test_processor_limit_ends_a_busy_child(tmp_path):
    """A child that computes past its processor time is stopped: too complex."""
    check = check_pdf(pdf_samples.xobject_fanout(tmp_path), seconds=1)

    assert check.reason == "too_complex"
