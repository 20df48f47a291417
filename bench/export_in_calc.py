"""Open the admin CSV export in a real spreadsheet and read back what it shows.

Usage::

    apt-get install --no-install-recommends libreoffice-calc-nogui
    .venv/bin/python bench/export_in_calc.py

Registers one official through the app (on a scratch SQLite database) with a
name typed as a formula, exports the queue as a national admin, lets
LibreOffice Calc import the file the way a double click does in an
Indonesian-locale office (``;`` separator, UTF-8, formulas evaluated, as
Excel does) and save it as XLSX, then reads the cells from the XLSX and
prints them. Exits non-zero when the NIK or the phone lost a digit, a name
lost its accents, or the typed formula was evaluated.
"""

import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import zipfile
from html import unescape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import update  # noqa: E402

from pamong import create_app  # noqa: E402
from pamong.accounts.models import PENDING, User  # noqa: E402
from pamong.extensions import db  # noqa: E402
from tests.helpers import Official  # noqa: E402

NIK = "5203015204850001"
PHONE = "+6281234567890"
NAME = "Ni Luh Putu Ayu Ṣekar’"
FORMULA_NAME = '=HYPERLINK("http://contoh.invalid";"klik")'
ADMIN_PASSWORD = secrets.token_urlsafe(16)

#: LibreOffice CSV import options: separator ``;``, quote ``"``, UTF-8, from
#: line 1, default column types, Indonesian locale, evaluate formulas.
CSV_FILTER = "CSV:59,34,76,1,,1057,false,true,false,false,false,false,true"


def export_csv(folder: Path) -> bytes:
    """Register two officials on a scratch database and export the queue."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'calc.sqlite3'}",
            "UPLOAD_FOLDER": str(folder / "uploads"),
            "RATELIMIT_ENABLED": False,
            "MAIL_SUPPRESS_SEND": True,
            "OUTBOX_WORKER": False,
        }
    )
    runner = app.test_cli_runner()
    runner.invoke(args=["db", "upgrade"])
    runner.invoke(args=["wilayah", "import"])

    plain = Official(app.test_client(), email="ni.luh@example.id", name=NAME)
    plain.register()
    hostile = Official(app.test_client(), email="rumus@example.id", name="Rumus")
    hostile.identity["nik"] = NIK[:-1] + "2"
    hostile.register()
    with app.app_context():
        db.session.execute(update(User).values(state=PENDING))
        db.session.execute(
            update(User)
            .where(User.email == "rumus@example.id")
            .values(name=FORMULA_NAME)
        )
        db.session.commit()

    runner.invoke(
        args=["create-admin", "nasional@example.id", "--password", ADMIN_PASSWORD]
        + ["--level", "nasional"]
    )
    admin = Official(
        app.test_client(), email="nasional@example.id", password=ADMIN_PASSWORD
    )
    admin.log_in()
    return admin.client.get("/admin/ekspor.csv").data


def read_xlsx(path: Path) -> list[dict[str, str]]:
    """Return the shown values of each row of the first sheet, by header."""
    with zipfile.ZipFile(path) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        shared = book.read("xl/sharedStrings.xml").decode()
    strings = [
        unescape(re.sub(r"<[^>]+>", "", item))
        for item in re.findall(r"<si>(.*?)</si>", shared, re.S)
    ]

    rows = []
    for row in re.findall(r"<row[^>]*>(.*?)</row>", sheet, re.S):
        values = {}
        cells = re.findall(r'<c r="([A-Z]+)\d+"([^>]*)>(.*?)</c>', row, re.S)
        for column, kind, body in cells:
            value = unescape(re.search(r"<v>(.*?)</v>", body, re.S).group(1))
            values[column] = strings[int(value)] if 't="s"' in kind else value
        rows.append(values)
    header, *body = rows
    return [
        {name: values.get(column, "") for column, name in header.items()}
        for values in body
    ]


def main() -> int:
    """Export, convert with LibreOffice, check the cells; 0 when all hold."""
    soffice = shutil.which("soffice")
    if soffice is None:
        print("soffice not found: apt-get install libreoffice-calc-nogui")
        return 2

    folder = Path(tempfile.mkdtemp(prefix="pamong-calc-"))
    source = folder / "ekspor.csv"
    source.write_bytes(export_csv(folder))
    subprocess.run(
        [soffice, "--headless", "--norestore", f"--infilter={CSV_FILTER}"]
        + ["--convert-to", "xlsx", "--outdir", str(folder), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    rows = {row["Email"]: row for row in read_xlsx(folder / "ekspor.xlsx")}

    plain, hostile = rows["ni.luh@example.id"], rows["rumus@example.id"]
    checks = {
        "NIK keeps 16 digits as text": plain["NIK"] == NIK,
        "phone keeps +62 and every digit": plain["No HP"] == PHONE,
        "name keeps its accents": plain["Nama"] == NAME,
        "typed formula stays text": hostile["Nama"].lstrip("'") == FORMULA_NAME,
    }
    print(f"LibreOffice Calc import of {source.name} ({source.stat().st_size} B):")
    for column in ("Nama", "NIK", "No HP", "Kode desa", "Tanggal SK"):
        print(f"  {column:<10} {plain[column]!r}")
    print(f"  {'Nama 2':<10} {hostile['Nama']!r}")
    for label, ok in checks.items():
        print(f"  [{'ok' if ok else 'FAIL'}] {label}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
