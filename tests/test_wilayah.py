"""Wilayah: the import of the Kemendagri codes, the lists, and the htmx fragments.

The ``app`` and ``client`` fixtures hold the full shipped release. Tests that
change data build their own small database from one province instead.
"""

import csv
import gzip
import io
from pathlib import Path

import pytest
from flask import Flask, render_template_string
from sqlalchemy import func, select

from pamong import wilayah
from pamong.core import database
from pamong.extensions import db
from pamong.wilayah import services
from pamong.wilayah.models import DESA_ADAT, District, Province, Regency, Village

RELEASE = {
    "provinces": 38,
    "regencies": 514,
    "districts": 7285,
    "villages": 83762,
}
DESA_COUNT = 75266
FILES = ("provinces", "regencies", "districts", "villages")
FRAGMENT_BUDGET = 1500

#: Kecamatan Keruak, Kabupaten Lombok Timur, and one of its desa.
KERUAK = "52.03.01"
DESA_KERUAK = ("52.03.01.2007", "Keruak")
#: Kecamatan Selong: eleven kelurahan and the desa Danggen Timur.
SELONG = "52.03.07"
KELURAHAN_PANCOR = "52.03.07.1001"
#: Kecamatan Ampenan, Kota Mataram: kelurahan only.
AMPENAN = "52.71.01"
KELURAHAN_AMPENAN_SELATAN = "52.71.01.1004"
#: Kecamatan Sentani, Kabupaten Jayapura, with desa adat.
SENTANI = "91.03.01"
DESA_ADAT_YOBOI = "91.03.01.3007"

GARBAGE = ["", "'; drop table villages; --", "99", "99.99", "5" * 500, "52.03.01.2"]


def read_shipped(stem: str) -> list[list[str]]:
    """Return the rows, header first, of one shipped data file."""
    path = services.DATA_DIR / f"{stem}.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


def write_release(folder: Path, edit=None, packed: bool = False) -> Path:
    """Write the shipped data of provinsi 52 (NTB) to ``folder`` as a release.

    :param edit: called with the file stem and its rows (header first) to
        change them before they are written.
    :param packed: write ``.csv.gz`` files rather than plain ``.csv``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for stem in FILES:
        header, *rows = read_shipped(stem)
        rows = [header] + [row for row in rows if row[0].startswith("52")]
        if edit:
            edit(stem, rows)

        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows(rows)
        if packed:
            (folder / f"{stem}.csv.gz").write_bytes(
                gzip.compress(text.getvalue().encode())
            )
        else:
            (folder / f"{stem}.csv").write_text(text.getvalue(), encoding="utf-8")
    return folder


@pytest.fixture
def scratch(tmp_path):
    """Give an app context on an empty SQLite database with the wilayah tables."""
    app = Flask(__name__)
    app.config.update(
        TESTING=True,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'wilayah.sqlite3'}",
    )
    db.init_app(app)
    database.init_app(app)
    wilayah.init_app(app)
    tables = [model.__table__ for model in (Province, Regency, District, Village)]
    with app.app_context():
        db.metadata.create_all(db.engine, tables=tables)
        yield app
        db.session.remove()
        db.engine.dispose()


def fragment_size(response) -> int:
    """Return the bytes on the wire, gzip-compressed as the app sends them."""
    if response.headers.get("Content-Encoding") == "gzip":
        return len(response.data)
    return len(gzip.compress(response.data, compresslevel=9))


def test_shipped_release_is_complete(app):
    """All four levels are loaded, and 75,266 of the villages are desa."""
    with app.app_context():
        assert services.counts() == {**RELEASE, "desa": DESA_COUNT}
        assert len(services.province_codes()) == 38
        assert "52" in services.province_codes()


def test_importing_again_changes_nothing(app):
    """A second import of the same release adds and updates nothing."""
    with app.app_context():
        report = services.import_wilayah()

    for level, total in RELEASE.items():
        assert report[level] == {
            "total": total,
            "added": 0,
            "updated": 0,
            "missing": 0,
        }


def test_newer_release_adds_and_renames(scratch, tmp_path):
    """A release with one renamed and one new desa updates one row, adds one."""
    first = services.import_wilayah(write_release(tmp_path / "v1", packed=True))
    assert first["provinces"]["added"] == 1
    assert first["villages"]["added"] == first["villages"]["total"] > 1000

    def edit(stem, rows):
        """Rename Keruak and add a desa to its kecamatan."""
        if stem == "villages":
            for row in rows:
                if row[0] == DESA_KERUAK[0]:
                    row[2] = "Keruak Baru"
            rows.append(["52.03.01.2099", KERUAK, "Desa Percobaan"])

    report = services.import_wilayah(write_release(tmp_path / "v2", edit))

    assert report["villages"]["updated"] == 1
    assert report["villages"]["added"] == 1
    assert report["villages"]["missing"] == 0
    for level in ("provinces", "regencies", "districts"):
        assert report[level]["added"] == report[level]["updated"] == 0
    listed = services.desa(KERUAK)
    assert (DESA_KERUAK[0], "Keruak Baru") in listed
    assert ("52.03.01.2099", "Desa Percobaan") in listed


def test_codes_left_out_of_a_release_are_kept(scratch, tmp_path):
    """A village missing from a newer release is counted, never deleted."""
    services.import_wilayah(write_release(tmp_path / "v1"))

    def drop_keruak(stem, rows):
        """Leave the desa Keruak out of the villages file."""
        if stem == "villages":
            rows[:] = [row for row in rows if row[0] != DESA_KERUAK[0]]

    report = services.import_wilayah(write_release(tmp_path / "v2", drop_keruak))

    assert report["villages"]["missing"] == 1
    assert services.village_chain(DESA_KERUAK[0]) is not None


def _set(stem, index, column, value):
    """Make an edit that sets one cell of one data row of ``stem``."""

    def edit(name, rows):
        """Apply the change when ``name`` is the file being edited."""
        if name == stem:
            rows[index][column] = value

    return edit


def _drop_column(name, rows):
    """Remove the ``name`` column from the districts file."""
    if name == "districts":
        for row in rows:
            del row[2]


def _duplicate(name, rows):
    """Repeat the first regency."""
    if name == "regencies":
        rows.append(list(rows[1]))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_set("provinces", 1, 0, "5"), "not a provinces code"),
        (_set("villages", 1, 0, "52.01.01.9001"), "not a villages code"),
        (_set("villages", 1, 1, "52.01.02"), "not the prefix"),
        (_set("regencies", 1, 2, ""), "name must hold"),
        (_set("districts", 1, 2, "x" * 101), "name must hold"),
        (_set("regencies", 1, 0, "53.01"), "not the prefix"),
        (_drop_column, "missing column"),
        (_duplicate, "appears twice"),
    ],
)
def test_bad_release_is_refused_whole(scratch, tmp_path, edit, message):
    """A release with one bad row raises a clear error and writes nothing."""
    folder = write_release(tmp_path / "bad", edit)

    with pytest.raises(services.WilayahDataError, match=message):
        services.import_wilayah(folder)
    assert services.counts()["provinces"] == 0


def test_release_missing_a_file_is_refused(scratch, tmp_path):
    """A folder without a villages file names what it lacks."""
    folder = write_release(tmp_path / "partial")
    (folder / "villages.csv").unlink()

    with pytest.raises(services.WilayahDataError, match="villages.csv"):
        services.import_wilayah(folder)


def test_cli_import_reports_each_level(scratch, tmp_path):
    """``flask wilayah import --source`` loads a release and prints the counts."""
    runner = scratch.test_cli_runner()
    folder = write_release(tmp_path / "v1")

    result = runner.invoke(args=["wilayah", "import", "--source", str(folder)])

    assert result.exit_code == 0, result.output
    assert "villages" in result.output
    assert "added" in result.output
    assert services.counts()["provinces"] == 1

    bad = write_release(tmp_path / "bad", _duplicate)
    result = runner.invoke(args=["wilayah", "import", "--source", str(bad)])
    assert result.exit_code != 0
    assert "appears twice" in result.output


def test_desa_of_lombok_timur_is_listed(app):
    """A desa of Kabupaten Lombok Timur is in the list of its kecamatan."""
    with app.app_context():
        listed = services.desa(KERUAK)
        assert DESA_KERUAK in listed
        assert [name for _code, name in listed] == sorted(
            (name for _code, name in listed), key=str.casefold
        )


def test_kelurahan_are_never_listed(app):
    """Kelurahan are left out of desa lists; desa adat are kept."""
    with app.app_context():
        assert services.desa(AMPENAN) == []
        assert [code for code, _name in services.desa(SELONG)] == ["52.03.07.2012"]
        assert DESA_ADAT_YOBOI in {code for code, _name in services.desa(SENTANI)}

        for code, _name in services.districts("52.71"):
            assert services.desa(code) == []


def test_village_chain(app):
    """A desa code leads to its four levels; a kelurahan or garbage to None."""
    with app.app_context():
        province, regency, district, village = services.village_chain(DESA_KERUAK[0])
        assert (province.code, regency.code, district.code) == ("52", "52.03", KERUAK)
        assert regency.name == "Kabupaten Lombok Timur"
        assert village.name == DESA_KERUAK[1]

        assert services.village_chain(DESA_ADAT_YOBOI)[3].kind == DESA_ADAT
        assert services.village_chain(KELURAHAN_AMPENAN_SELATAN) is None
        assert services.village_chain(KELURAHAN_PANCOR) is None
        for garbage in GARBAGE:
            assert services.village_chain(garbage) is None


@pytest.mark.parametrize("garbage", GARBAGE)
def test_lists_of_unknown_parents_are_empty(app, garbage):
    """Malformed or unknown parent codes give empty lists."""
    with app.app_context():
        assert services.regencies(garbage) == []
        assert services.districts(garbage) == []
        assert services.desa(garbage) == []


def test_cascade_keeps_only_consistent_choices(app):
    """A choice outside its parent is dropped with everything below it."""
    with app.app_context():
        kept, lists = services.cascade(
            {"provinsi": "52", "kabupaten": "52.03", "kecamatan": AMPENAN}
        )

    assert kept == {"provinsi": "52", "kabupaten": "52.03"}
    assert set(lists) == {"provinsi", "kabupaten", "kecamatan"}
    assert (KERUAK, "Keruak") in lists["kecamatan"]


def test_kabupaten_fragment_resets_lower_lists(client):
    """The kabupaten answer holds options and empties kecamatan and desa."""
    response = client.get(
        "/wilayah/kabupaten?provinsi=52&selected=52.03",
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "<html" not in html
    assert html.startswith('<option value="">— Pilih kabupaten/kota —</option>')
    assert '<option value="52.03" selected>Kabupaten Lombok Timur</option>' in html
    assert '<select id="kecamatan" hx-swap-oob="innerHTML">' in html
    assert "— Pilih kabupaten/kota dulu —" in html
    assert '<select id="desa" hx-swap-oob="innerHTML">' in html
    assert "— Pilih kecamatan dulu —" in html
    assert "HX-Request" in response.headers["Vary"]
    assert response.cache_control.public
    assert response.cache_control.max_age == 86400


def test_kecamatan_fragment_resets_desa(client):
    """The kecamatan answer empties the desa list only."""
    html = client.get("/wilayah/kecamatan?kabupaten=52.03").get_data(as_text=True)

    assert f'<option value="{KERUAK}">Keruak</option>' in html
    assert '<select id="desa" hx-swap-oob="innerHTML">' in html
    assert 'id="kecamatan"' not in html


def test_desa_fragment_lists_desa_only(client):
    """The desa answer has no reset and no kelurahan."""
    html = client.get(f"/wilayah/desa?kecamatan={SELONG}").get_data(as_text=True)

    assert html == (
        '<option value="">— Pilih desa —</option>'
        '<option value="52.03.07.2012">Danggen Timur</option>'
    )


def test_desa_fragment_of_kecamatan_without_desa(client):
    """A kecamatan of kelurahan only says there is no desa to pick."""
    html = client.get(f"/wilayah/desa?kecamatan={AMPENAN}").get_data(as_text=True)

    assert html == '<option value="">— Tidak ada desa di kecamatan ini —</option>'


@pytest.mark.parametrize("garbage", GARBAGE)
@pytest.mark.parametrize(
    ("path", "param", "placeholder"),
    [
        ("/wilayah/kabupaten", "provinsi", "— Pilih provinsi dulu —"),
        ("/wilayah/kecamatan", "kabupaten", "— Pilih kabupaten/kota dulu —"),
        ("/wilayah/desa", "kecamatan", "— Pilih kecamatan dulu —"),
    ],
)
def test_garbage_parent_gives_only_the_placeholder(
    client, path, param, placeholder, garbage
):
    """Unknown or hostile parent codes answer the placeholder, never an error."""
    response = client.get(path, query_string={param: garbage, "selected": garbage})
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert html.startswith(f'<option value="">{placeholder}</option>')
    assert html.count("<option") == 1 + html.count("<select")


def test_fragments_fit_the_budget(app, client):
    """The largest desa list and the largest kabupaten list stay under 1.5 KB."""
    with app.app_context():
        count = func.count(Village.code)
        kecamatan = db.session.scalar(
            select(Village.district_code)
            .where(Village.kind.in_(services.VILLAGE_KINDS))
            .group_by(Village.district_code)
            .order_by(count.desc())
            .limit(1)
        )
        provinsi = db.session.scalar(
            select(Regency.province_code)
            .group_by(Regency.province_code)
            .order_by(func.count(Regency.code).desc())
            .limit(1)
        )
    headers = {"HX-Request": "true", "Accept-Encoding": "gzip"}

    desa = client.get(f"/wilayah/desa?kecamatan={kecamatan}", headers=headers)
    kabupaten = client.get(f"/wilayah/kabupaten?provinsi={provinsi}", headers=headers)

    assert desa.status_code == kabupaten.status_code == 200
    assert fragment_size(desa) <= FRAGMENT_BUDGET
    assert fragment_size(kabupaten) <= FRAGMENT_BUDGET


def test_cascade_macro_renders_labelled_selects(app):
    """The macro ties labels to selects, wires htmx, and shows errors."""
    source = (
        '{% from "wilayah/_cascade.html" import cascade %}'
        "{{ cascade(selected, lists, errors) }}"
    )
    with app.test_request_context():
        selected, lists = services.cascade({"provinsi": "52", "kabupaten": "52.03"})
        html = render_template_string(
            source,
            selected=selected,
            lists=lists,
            errors={"kecamatan": "Pilih kecamatan."},
        )

    for field, label in (
        ("provinsi", "Provinsi"),
        ("kabupaten", "Kabupaten/Kota"),
        ("kecamatan", "Kecamatan"),
        ("desa", "Desa"),
    ):
        assert f'<label for="{field}">{label}</label>' in html
        assert f'<select id="{field}" name="{field}"' in html
    assert 'hx-get="/wilayah/kabupaten"' in html
    assert 'hx-target="#kecamatan"' in html
    assert 'hx-get="/wilayah/desa"' in html
    assert html.count('hx-trigger="change"') == 3
    assert '<option value="52.03" selected>Kabupaten Lombok Timur</option>' in html
    assert 'aria-describedby="kecamatan-error"' in html
    assert '<p class="error" id="kecamatan-error">Pilih kecamatan.</p>' in html
    assert "— Pilih kecamatan dulu —" in html
    assert (
        '<noscript>\n  <button type="submit" name="pilih_wilayah" value="1">'
        "Tampilkan pilihan</button>\n</noscript>"
    ) in html
