"""Sample uploads for the PDF checker, built at test time.

Nothing binary is kept in the repository: each builder writes one file into a
folder it is given and returns its path. Good files come from a small PDF
written by hand (so every byte offset is known) or from pypdf's writer; the
hostile ones are raw bytes.
"""

import random
import zlib
from collections.abc import Callable
from pathlib import Path

from pypdf import PdfReader, PdfWriter

TEXT = "SK Kepala Desa"
USER_PASSWORD = "rahasia"
OWNER_PASSWORD = "pemilik-dokumen"

FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
PAGE = (
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
    b" /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
)
CONTENT = b"BT /F1 24 Tf 72 720 Td (" + TEXT.encode("ascii") + b") Tj ET"


def stream(data: bytes, entries: bytes = b"") -> bytes:
    """Return the body of a stream object holding ``data``."""
    head = b"<< /Length %d %s>>" % (len(data), entries)
    return head + b"\nstream\n" + data + b"\nendstream"


def good_objects() -> list[bytes]:
    """Return the five objects of a one-page PDF that says :data:`TEXT`."""
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        PAGE,
        FONT,
        stream(CONTENT),
    ]


def body(objects: list[bytes]) -> tuple[bytes, list[int]]:
    """Write the header and numbered objects; return them and their offsets."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    return bytes(out), offsets


def xref_section(offsets: list[int], trailer: bytes = b"") -> bytes:
    """Return a classic xref table for ``offsets`` and its trailer."""
    rows = [b"xref\n0 %d\n" % (len(offsets) + 1), b"0000000000 65535 f \n"]
    rows += [b"%010d 00000 n \n" % offset for offset in offsets]
    size = len(offsets) + 1
    rows.append(b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (size, trailer))
    return b"".join(rows)


def assemble(
    objects: list[bytes], *, startxref_shift: int = 0, eof: bool = True
) -> bytes:
    """Build a whole PDF file from its objects, optionally slightly broken."""
    head, offsets = body(objects)
    tail = b"startxref\n%d\n" % (len(head) + startxref_shift)
    if eof:
        tail += b"%%EOF\n"
    return head + xref_section(offsets) + tail


def good_bytes() -> bytes:
    """Return the bytes of the good one-page PDF."""
    return assemble(good_objects())


def write(folder: Path, name: str, data: bytes) -> Path:
    """Write ``data`` to ``folder/name`` and return the path."""
    path = Path(folder) / name
    path.write_bytes(data)
    return path


def good(folder: Path) -> Path:
    """A correct one-page PDF with a text layer."""
    return write(folder, "good.pdf", good_bytes())


def _encrypted(folder: Path, name: str, user: str, algorithm: str) -> Path:
    """Encrypt the good PDF with pypdf's writer."""
    writer = PdfWriter(clone_from=PdfReader(good(folder)))
    writer.encrypt(
        user_password=user, owner_password=OWNER_PASSWORD, algorithm=algorithm
    )
    path = Path(folder) / name
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def permissions_rc4(folder: Path) -> Path:
    """Owner password only (empty user password), RC4-128."""
    return _encrypted(folder, "permissions-rc4.pdf", "", "RC4-128")


def permissions_aes128(folder: Path) -> Path:
    """Owner password only (empty user password), AES-128."""
    return _encrypted(folder, "permissions-aes128.pdf", "", "AES-128")


def permissions_aes256(folder: Path) -> Path:
    """Owner password only (empty user password), AES-256."""
    return _encrypted(folder, "permissions-aes256.pdf", "", "AES-256")


def password(folder: Path) -> Path:
    """Needs the user password to open, AES-128."""
    return _encrypted(folder, "password.pdf", USER_PASSWORD, "AES-128")


def password_rc4(folder: Path) -> Path:
    """Needs the user password to open, RC4-128."""
    return _encrypted(folder, "password-rc4.pdf", USER_PASSWORD, "RC4-128")


def no_eof(folder: Path) -> Path:
    """The good PDF without its ``%%EOF`` marker."""
    return write(folder, "no-eof.pdf", assemble(good_objects(), eof=False))


def startxref_off(folder: Path) -> Path:
    """The good PDF whose ``startxref`` points a few bytes too far."""
    data = assemble(good_objects(), startxref_shift=3)
    return write(folder, "startxref-off.pdf", data)


def truncated(folder: Path) -> Path:
    """The good PDF cut in half: no page content, xref or ``%%EOF``."""
    data = good_bytes()
    return write(folder, "truncated.pdf", data[: len(data) // 2])


def junk_after_header(folder: Path) -> Path:
    """A PDF header followed by random bytes."""
    junk = random.Random(7).randbytes(8192)
    return write(folder, "junk.pdf", b"%PDF-1.7\n" + junk)


def zeros(folder: Path) -> Path:
    """Four kilobytes of zero bytes."""
    return write(folder, "zeros.pdf", bytes(4096))


def empty(folder: Path) -> Path:
    """A file of length zero."""
    return write(folder, "empty.pdf", b"")


def text_file(folder: Path) -> Path:
    """A plain text file renamed to ``.pdf``."""
    text = "Surat Keputusan Kepala Desa\nNomor 12 Tahun 2024\n" * 20
    return write(folder, "surat.pdf", text.encode())


def png_file(folder: Path) -> Path:
    """The start of a PNG image named ``.pdf``."""
    header = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00"
    return write(folder, "scan-png.pdf", header + bytes(2000))


def jpeg_file(folder: Path) -> Path:
    """The start of a JPEG photo named ``.pdf``."""
    header = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return write(folder, "foto.pdf", header + bytes(2000))


def xref_prev_self(folder: Path) -> Path:
    """A trailer whose ``/Prev`` points back at its own xref table."""
    head, offsets = body(good_objects())
    xref = xref_section(offsets, b"/Prev %d " % len(head))
    data = head + xref + b"startxref\n%d\n%%%%EOF\n" % len(head)
    return write(folder, "xref-prev-self.pdf", data)


def xref_prev_pair(folder: Path) -> Path:
    """Two xref sections whose ``/Prev`` entries point at each other."""
    head, offsets = body(good_objects())
    first = len(head)
    width = len(xref_section(offsets, b"/Prev %010d " % 0))
    second = first + width
    data = (
        head
        + xref_section(offsets, b"/Prev %010d " % second)
        + xref_section(offsets, b"/Prev %010d " % first)
        + b"startxref\n%d\n%%%%EOF\n" % second
    )
    return write(folder, "xref-prev-pair.pdf", data)


def pages_kids_self(folder: Path) -> Path:
    """A page tree node that lists itself among its kids."""
    objects = good_objects()
    objects[1] = b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>"
    return write(folder, "pages-kids-self.pdf", assemble(objects))


def pages_parent_loop(folder: Path) -> Path:
    """Two page tree nodes that are each other's only kid."""
    objects = good_objects()
    objects[1] = b"<< /Type /Pages /Kids [6 0 R] /Count 1 >>"
    objects.append(b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>")
    return write(folder, "pages-loop.pdf", assemble(objects))


def length_self_ref(folder: Path) -> Path:
    """A content stream whose ``/Length`` is an object referring to itself."""
    objects = good_objects()
    objects[4] = b"<< /Length 6 0 R >>\nstream\n" + CONTENT + b"\nendstream"
    objects.append(b"6 0 R")
    return write(folder, "length-self.pdf", assemble(objects))


def many_pages(folder: Path, count: int = 600) -> Path:
    """A long document: ``count`` pages, each with forty lines of text."""
    lines = b"".join(
        b"(Baris %02d Surat Keputusan Kepala Desa tentang Pengangkatan) Tj T*\n" % n
        for n in range(40)
    )
    content = b"BT /F1 10 Tf 12 TL 40 800 Td\n" + lines + b"ET"
    kids = b" ".join(b"%d 0 R" % (6 + n) for n in range(count))
    objects = good_objects()
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count)
    objects[4] = stream(content)
    objects[2] = b"null"
    objects += [PAGE] * count
    return write(folder, "many-pages.pdf", assemble(objects))


def nested_arrays(folder: Path) -> Path:
    """A page tree node holding arrays nested a hundred thousand deep."""
    depth = 100_000
    objects = good_objects()
    objects[1] = (
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 /Junk "
        + b"[" * depth
        + b"]" * depth
        + b" >>"
    )
    return write(folder, "nested-arrays.pdf", assemble(objects))


def xobject_fanout(folder: Path, calls: int = 1000, shows: int = 100_000) -> Path:
    """A two-kilobyte page that is slow to read: a big form drawn many times.

    The form XObject shows ``shows`` strings and the page draws it ``calls``
    times; each drawing is parsed again, so extracting the text takes hours.
    """
    form = b"BT /F1 12 Tf " + b"(a) Tj " * shows + b"ET"
    resources = b"/Resources << /Font << /F1 4 0 R >> >>"
    objects = good_objects()
    objects[2] = PAGE.replace(b">> >>", b">> /XObject << /X0 6 0 R >> >>")
    objects[4] = stream(zlib.compress(b"/X0 Do\n" * calls), b"/Filter /FlateDecode ")
    objects.append(
        stream(
            zlib.compress(form),
            b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] %s "
            b"/Filter /FlateDecode " % resources,
        )
    )
    return write(folder, "xobject-fanout.pdf", assemble(objects))


def adler32_repeat(adler: int, byte: int, count: int) -> int:
    """Return the Adler-32 checksum after ``count`` more copies of ``byte``."""
    low, high = adler & 0xFFFF, adler >> 16
    high = (high + count * low + byte * count * (count + 1) // 2) % 65521
    low = (low + count * byte) % 65521
    return (high << 16) | low


def deflate_bomb(folder: Path, gigabytes: int = 1) -> Path:
    """A page content stream of about a megabyte per gigabyte it inflates to.

    After a short text operator the stream holds blanks. Each mebibyte of
    blanks is compressed once with a full flush, which makes its compressed
    form independent of what came before, and then repeated; the checksum at
    the end is computed rather than by reading a gigabyte.
    """
    chunk = b" " * (1 << 20)
    count = gigabytes * 1024
    compressor = zlib.compressobj(9)
    head = compressor.compress(CONTENT + b"\n") + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    final = compressor.flush()[:-4]
    adler = adler32_repeat(zlib.adler32(CONTENT + b"\n"), ord(" "), len(chunk) * count)
    data = head + block * count + final + adler.to_bytes(4, "big")

    objects = good_objects()
    objects[4] = stream(data, b"/Filter /FlateDecode ")
    return write(folder, "bomb.pdf", assemble(objects))


def _with_catalog(folder: Path, name: str, catalog: bytes, extra=()) -> Path:
    """The good PDF with another catalog and extra objects after the five."""
    objects = good_objects()
    objects[0] = catalog
    return write(folder, name, assemble([*objects, *extra]))


def javascript_open(folder: Path) -> Path:
    """A PDF whose viewer runs a script when it is opened."""
    return _with_catalog(
        folder,
        "js-open.pdf",
        b"<< /Type /Catalog /Pages 2 0 R "
        b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> >>",
    )


def javascript_names(folder: Path) -> Path:
    """A PDF with a document-level script in its names tree."""
    return _with_catalog(
        folder,
        "js-names.pdf",
        b"<< /Type /Catalog /Pages 2 0 R /Names << /JavaScript 6 0 R >> >>",
        [b"<< /Names [(a) << /S /JavaScript /JS (app.alert\\(1\\)) >>] >>"],
    )


def embedded_file(folder: Path) -> Path:
    """A PDF carrying an embedded file."""
    return _with_catalog(
        folder,
        "embedded.pdf",
        b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 6 0 R >> >>",
        [b"<< /Names [] >>"],
    )


def open_view_action(folder: Path) -> Path:
    """A harmless open action (show page 1) that scanners often write."""
    return _with_catalog(
        folder,
        "open-view.pdf",
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit] >>",
    )


def javascript_outline(folder: Path) -> Path:
    """A script on a bookmark, run when the official clicks it."""
    return _with_catalog(
        folder,
        "js-outline.pdf",
        b"<< /Type /Catalog /Pages 2 0 R /Outlines 6 0 R /PageMode /UseOutlines >>",
        [
            b"<< /Type /Outlines /First 7 0 R /Last 7 0 R /Count 1 >>",
            b"<< /Title (Klik) /Parent 6 0 R "
            b"/A << /S /JavaScript /JS (app.alert\\(2\\)) >> >>",
        ],
    )


def javascript_field(folder: Path) -> Path:
    """A calculate script on a form field found only through the AcroForm."""
    return _with_catalog(
        folder,
        "js-field.pdf",
        b"<< /Type /Catalog /Pages 2 0 R "
        b"/AcroForm << /Fields [6 0 R] /CO [6 0 R] >> >>",
        [
            b"<< /FT /Tx /T (f) /AA << /C 7 0 R >> >>",
            b"<< /S /JavaScript /JS 8 0 R >>",
            stream(b"app.alert(3)"),
        ],
    )


def javascript_rendition(folder: Path) -> Path:
    """An open action of type Rendition that carries a script."""
    return _with_catalog(
        folder,
        "js-rendition.pdf",
        b"<< /Type /Catalog /Pages 2 0 R "
        b"/OpenAction << /S /Rendition /JS (app.alert\\(4\\)) >> >>",
    )


def javascript_late_page(folder: Path, count: int = 502) -> Path:
    """A script link on the last of many pages, past the pages walked for text."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", FONT, stream(CONTENT)]
    kids = []
    for index in range(count):
        link = b""
        if index == count - 1:
            link = (
                b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 99 99] "
                b"/A << /S /JavaScript /JS (app.alert\\(5\\)) >> >>]"
            )
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R %s>>" % link
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), count)
    return write(folder, "js-late-page.pdf", assemble(objects))


def javascript_hex_name(folder: Path) -> Path:
    """A script whose key is spelt with a hex escape (``/J#53`` is ``/JS``)."""
    return _with_catalog(
        folder,
        "js-hex.pdf",
        b"<< /Type /Catalog /Pages 2 0 R /Foo 6 0 R >>",
        [b"<< /S /Jav#61Script /J#53 (app.alert\\(7\\)) >>"],
    )


def javascript_unreferenced(folder: Path) -> Path:
    """A script object that nothing points to, as a viewer may still find it."""
    return _with_catalog(
        folder,
        "js-loose.pdf",
        b"<< /Type /Catalog /Pages 2 0 R >>",
        [b"<< /S /JavaScript /JS (app.alert\\(8\\)) >>"],
    )


def xfa_form(folder: Path) -> Path:
    """An XFA form, whose XML may carry scripts."""
    return _with_catalog(
        folder,
        "xfa.pdf",
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [] /XFA 6 0 R >> >>",
        [stream(b"<xdp:xdp/>")],
    )


def launch_action(folder: Path) -> Path:
    """A bookmark that starts a program."""
    return _with_catalog(
        folder,
        "launch.pdf",
        b"<< /Type /Catalog /Pages 2 0 R /Outlines 6 0 R >>",
        [
            b"<< /Type /Outlines /First 7 0 R /Last 7 0 R /Count 1 >>",
            b"<< /Title (Buka) /Parent 6 0 R /A << /S /Launch /F (cmd.exe) >> >>",
        ],
    )


def remote_goto_action(folder: Path) -> Path:
    """A bookmark that opens a file on a network share (and leaks a password hash)."""
    return _with_catalog(
        folder,
        "gotor.pdf",
        b"<< /Type /Catalog /Pages 2 0 R /Outlines 6 0 R >>",
        [
            b"<< /Type /Outlines /First 7 0 R /Last 7 0 R /Count 1 >>",
            b"<< /Title (Lampiran) /Parent 6 0 R "
            b"/A << /S /GoToR /F (\\\\10.0.0.1\\share\\x.pdf) /D [0 /Fit] >> >>",
        ],
    )


def file_uri_link(folder: Path) -> Path:
    """A link whose address is a local file, not a web page."""
    return _with_catalog(
        folder,
        "file-uri.pdf",
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>",
        [b"<< /S /URI /URI (file:///C:/Windows/System32/calc.exe) >>"],
    )


def three_d_script(folder: Path) -> Path:
    """A 3D annotation whose model runs a script when it is shown."""
    return _with_catalog(
        folder,
        "3d.pdf",
        b"<< /Type /Catalog /Pages 2 0 R /Foo 6 0 R >>",
        [
            b"<< /Type /Annot /Subtype /3D /Rect [0 0 100 100] /3DD 7 0 R >>",
            stream(b"U3D", b"/Type /3D /Subtype /U3D /OnInstantiate 8 0 R"),
            stream(b"app.alert(9)"),
        ],
    )


def movie_action(folder: Path) -> Path:
    """An action that plays a movie by itself."""
    return _with_catalog(
        folder,
        "movie.pdf",
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>",
        [b"<< /S /Movie /T (film) >>"],
    )


def bookmarks_and_form(folder: Path) -> Path:
    """What office programs write: bookmarks, a web link and a plain form field."""
    objects = good_objects()
    objects[0] = (
        b"<< /Type /Catalog /Pages 2 0 R /Outlines 6 0 R /PageMode /UseOutlines "
        b"/AcroForm << /Fields [8 0 R] /DA (/Helv 0 Tf 0 g) >> "
        b"/Lang (id-ID) /MarkInfo << /Marked true >> >>"
    )
    objects[2] = PAGE[:-2] + (
        b"/Annots [8 0 R << /Type /Annot /Subtype /Link /Rect [72 700 300 730] "
        b"/A << /S /URI /URI (https://example.id/) >> >>] >>"
    )
    extra = [
        b"<< /Type /Outlines /First 7 0 R /Last 7 0 R /Count 1 >>",
        b"<< /Title (Menimbang) /Parent 6 0 R /Dest [3 0 R /XYZ 0 842 0] "
        b"/A << /S /GoTo /D [3 0 R /Fit] >> >>",
        b"<< /FT /Tx /T (nomor) /V (141/12/2024) /Type /Annot /Subtype /Widget "
        b"/Rect [72 600 300 620] /P 3 0 R >>",
    ]
    return write(folder, "office.pdf", assemble([*objects, *extra]))


def text_heavy(folder: Path, pages: int = 3, shows: int = 300_000) -> Path:
    """A small file whose few pages hold so much text that reading it takes long."""
    content = b"BT /F1 1 Tf " + b"(ab) Tj 0 1 Td " * shows + b"ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",
        FONT,
        stream(zlib.compress(content, 9), b"/Filter /FlateDecode "),
    ]
    kids = []
    for _ in range(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), pages)
    return write(folder, "text-heavy.pdf", assemble(objects))


SAMPLES: dict[str, Callable[[Path], Path]] = {
    "good": good,
    "permissions_rc4": permissions_rc4,
    "permissions_aes128": permissions_aes128,
    "permissions_aes256": permissions_aes256,
    "password": password,
    "password_rc4": password_rc4,
    "no_eof": no_eof,
    "startxref_off": startxref_off,
    "truncated": truncated,
    "junk_after_header": junk_after_header,
    "zeros": zeros,
    "empty": empty,
    "text_file": text_file,
    "png_file": png_file,
    "jpeg_file": jpeg_file,
    "xref_prev_self": xref_prev_self,
    "xref_prev_pair": xref_prev_pair,
    "pages_kids_self": pages_kids_self,
    "pages_parent_loop": pages_parent_loop,
    "length_self_ref": length_self_ref,
    "many_pages": many_pages,
    "nested_arrays": nested_arrays,
    "xobject_fanout": xobject_fanout,
    "deflate_bomb": deflate_bomb,
    "javascript_open": javascript_open,
    "javascript_names": javascript_names,
    "embedded_file": embedded_file,
    "open_view_action": open_view_action,
    "javascript_outline": javascript_outline,
    "javascript_field": javascript_field,
    "javascript_rendition": javascript_rendition,
    "javascript_late_page": javascript_late_page,
    "javascript_hex_name": javascript_hex_name,
    "javascript_unreferenced": javascript_unreferenced,
    "xfa_form": xfa_form,
    "launch_action": launch_action,
    "remote_goto_action": remote_goto_action,
    "file_uri_link": file_uri_link,
    "three_d_script": three_d_script,
    "movie_action": movie_action,
    "bookmarks_and_form": bookmarks_and_form,
    "text_heavy": text_heavy,
}
