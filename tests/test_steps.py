"""The sign-up page and the three registration steps, field by field.

Every refusal must come back as the same page with a message in Bahasa
Indonesia next to the field, everything typed still filled in, and nothing
saved. Uploads, SK access and garbage input are covered too.
"""

import hashlib
import io
import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from pamong.accounts.models import User
from pamong.core.time import today
from pamong.documents.models import Document
from pamong.documents.pdfcheck import MESSAGES
from pamong.extensions import db
from pamong.registration.models import Profile
from pamong.wilayah.models import KELURAHAN, Village
from tests import pdf_samples
from tests.conftest import csrf_from
from tests.helpers import DESA, KABUPATEN, KECAMATAN, PROVINSI, Official
from tests.pages import Page

#: Statuses a request may end in; 500 is never one of them.
HANDLED = (200, 302, 400, 413, 422)
#: A form that was refused is shown again, as a page.
REFUSED = (200, 422)

STEP1 = "/daftar/identitas"
CHECK_MAIL = "/daftar/periksa-email"
STEP2 = "/daftar/jabatan"
STEP3 = "/daftar/lokasi"


def in_days(days: int) -> str:
    """Return the ISO date ``days`` from today in WIT."""
    return (today() + timedelta(days=days)).isoformat()


# Reading pages ---------------------------------------------------------------


def assert_typed_values_kept(page: Page, sent: dict, skip: tuple = ()) -> None:
    """Check that every value the official typed or chose is shown again."""
    for name, value in sent.items():
        if name in skip or value is None or name == "csrf_token":
            continue
        if name in page.checked or name in ("gender", "is_pns"):
            assert page.checked.get(name) == {value}, name
        elif name in ("education", "position"):
            assert page.selected.get(name) == value, name
        else:
            assert page.values.get(name) == value, name


# Reading the database --------------------------------------------------------


def snapshot(app, email: str):
    """Return the account and its profile as plain values, or ``None``."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            return None
        profile = user.profile
        columns = Profile.__table__.columns
        return SimpleNamespace(
            id=user.id,
            email=user.email,
            state=user.state,
            email_verified_at=user.email_verified_at,
            profile=(
                SimpleNamespace(**{c.key: getattr(profile, c.key) for c in columns})
                if profile is not None
                else None
            ),
        )


def count(app, model) -> int:
    """Count the rows of a table."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def document_of(app, email: str) -> Document | None:
    """Return the SK row of an official, detached from the session."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        document = user.profile.sk_document if user.profile else None
        db.session.expunge_all()
        return document


def files_under(folder) -> list[Path]:
    """Return every file below a folder."""
    return sorted(path for path in Path(folder).rglob("*") if path.is_file())


def without(data: dict, *names: str) -> dict:
    """Return a copy of ``data`` with ``names`` left out, as a browser would."""
    return {key: value for key, value in data.items() if key not in names}


def merged(base: dict, overrides: dict) -> dict:
    """Apply overrides; an override of ``None`` leaves the field out."""
    data = {**base, **overrides}
    return {key: value for key, value in data.items() if value is not None}


def signed_up(client, **fields) -> Official:
    """Return an official who has signed up and is logged in."""
    official = Official(client, **fields)
    assert official.sign_up().status_code == 302
    return official


def at_step3(client, **fields) -> Official:
    """Return an official who has saved steps 1 and 2."""
    official = signed_up(client, **fields)
    assert official.step1().headers["Location"] == STEP2
    assert official.step2().headers["Location"] == STEP3
    return official


def admin_client(app, runner) -> Official:
    """Create an admin with the CLI and return them logged in."""
    result = runner.invoke(
        args=["create-admin", "admin@pamong.test", "--password", "admin-rahasia-1"]
    )
    assert "admin@pamong.test" in result.output
    admin = Official(
        app.test_client(), email="admin@pamong.test", password="admin-rahasia-1"
    )
    assert admin.log_in().status_code == 302
    return admin


def sign_up_data(official: Official) -> dict:
    """Return the Daftar form as the official fills it in."""
    return {
        "email": official.email,
        "name": official.name,
        "password": official.password,
        "privacy": "y",
    }


# Sign-up ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        pytest.param(
            {"email": "siti.aminah@"}, "email", "tidak valid", id="invalid-email"
        ),
        pytest.param(
            {"email": "siti aminah"}, "email", "tidak valid", id="email-with-space"
        ),
        pytest.param({"email": ""}, "email", "Isi alamat email", id="empty-email"),
        pytest.param(
            {"password": "kopi"}, "password", "minimal 8", id="short-password"
        ),
        pytest.param(
            {"privacy": None}, "privacy", "Pemberitahuan Privasi", id="no-privacy-tick"
        ),
        pytest.param({"name": ""}, "name", "Isi nama lengkap", id="empty-name"),
        pytest.param({"name": "   "}, "name", "Isi nama lengkap", id="blank-name"),
        pytest.param({"name": "Siti 4minah"}, "name", "huruf", id="name-with-digit"),
    ],
)
def test_sign_up_refuses_bad_field(app, client, overrides, field, fragment):
    """A bad field: 200, Bahasa message at the field, input kept, no account."""
    official = Official(client)
    sent = merged(sign_up_data(official), overrides)
    response = official.post("/daftar", sent)

    assert response.status_code == 200
    page = Page(response.data)
    assert fragment in page.errors.get(field, ""), page.errors
    assert_typed_values_kept(page, sent, skip=("password", "privacy"))
    assert official.password not in page.text
    assert count(app, User) == 0


def test_sign_up_with_same_email_in_other_case_makes_no_second_account(
    app, client, mailbox
):
    """An address differing only in case is taken: the same answer, one account."""
    signed_up(client)
    second = Official(app.test_client(), email="SITI.Aminah@Example.id")
    response = second.sign_up(verify=False)

    assert response.status_code == 302
    assert response.headers["Location"] == CHECK_MAIL
    assert count(app, User) == 1
    assert mailbox.wait_for("siti.aminah@example.id", "Email Anda sudah terdaftar")


def test_sign_up_accepts_email_with_plus(app, client):
    """A sub-addressed email such as name+desa@… creates the account."""
    official = Official(client, email="siti.aminah+desa@example.id")
    response = official.sign_up()

    assert response.status_code == 302
    assert response.headers["Location"] == CHECK_MAIL
    account = snapshot(app, "siti.aminah+desa@example.id")
    assert account.state == "registered"
    assert account.email_verified_at is not None
    assert client.get(STEP1).status_code == 200


# Step 1: identity -----------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        pytest.param({"phone": "12345"}, "phone", "Nomor HP", id="bad-phone"),
        pytest.param({"phone": ""}, "phone", "Isi nomor HP", id="empty-phone"),
        pytest.param(
            {"phone": "+1 202 555 0100"}, "phone", "Nomor HP", id="foreign-phone"
        ),
        pytest.param(
            {"birth_place": "12345"}, "birth_place", "Tempat lahir", id="place-digits"
        ),
        pytest.param(
            {"birth_date": in_days(7)}, "birth_date", "masa depan", id="future-birth"
        ),
        pytest.param(
            {"birth_date": in_days(-365 * 10)},
            "birth_date",
            "17 tahun",
            id="ten-years-old",
        ),
        pytest.param(
            {"birth_date": "2001-02-29"}, "birth_date", "kalender", id="no-such-date"
        ),
        pytest.param(
            {"birth_date": ""}, "birth_date", "Isi tanggal lahir", id="no-birth-date"
        ),
        pytest.param({"nik": "520301520485000"}, "nik", "16 angka", id="nik-15"),
        pytest.param({"nik": "52030152048500O1"}, "nik", "angka", id="nik-letter"),
        pytest.param({"nik": "9903015204850001"}, "nik", "provinsi", id="nik-prov"),
        pytest.param({"nik": "5203013104850001"}, "nik", "kalender", id="nik-31-apr"),
        pytest.param({"nik": "5203015204850000"}, "nik", "0000", id="nik-serial"),
        pytest.param({"nik": ""}, "nik", "Isi NIK", id="nik-empty"),
        pytest.param(
            {"gender": None}, "gender", "Pilih jenis kelamin", id="missing-gender"
        ),
        pytest.param({"gender": "X"}, "gender", "Pilih", id="invalid-gender"),
        pytest.param(
            {"education": None},
            "education",
            "Pilih pendidikan",
            id="missing-education",
        ),
        pytest.param(
            {"education": ""}, "education", "Pilih pendidikan", id="empty-education"
        ),
        pytest.param({"education": "99"}, "education", "Pilih", id="invalid-education"),
    ],
)
def test_identity_refuses_bad_field(app, client, overrides, field, fragment):
    """A bad field: Bahasa message at the field, all input kept, nothing saved."""
    official = signed_up(client)
    sent = merged(official.identity, overrides)
    response = official.post(STEP1, sent)

    assert response.status_code in REFUSED
    page = Page(response.data)
    assert fragment in page.errors.get(field, ""), page.errors
    assert_typed_values_kept(
        page, sent, skip=(field,) if field in ("gender", "education") else ()
    )
    account = snapshot(app, official.email)
    assert account.profile is None or account.profile.identity_done_at is None


def test_identity_shows_every_error_at_once(app, client):
    """A bad phone and a bad NIK are both pointed out in the same answer."""
    official = signed_up(client)
    response = official.step1(phone="12345", nik="520301520485000")

    assert response.status_code in REFUSED
    page = Page(response.data)
    assert "Nomor HP" in page.errors.get("phone", "")
    assert "16 angka" in page.errors.get("nik", ""), page.errors
    assert snapshot(app, official.email).profile is None


@pytest.mark.parametrize(
    ("overrides", "flag", "warning", "admin_note"),
    [
        pytest.param(
            {"birth_date": "1985-04-13"},
            "nik_date_mismatch",
            "berbeda dengan tanggal lahir",
            "Tanggal lahir di NIK",
            id="birth-date",
        ),
        pytest.param(
            {"gender": "L"},
            "nik_gender_mismatch",
            "berbeda dengan jenis kelamin",
            "jenis kelamin di NIK",
            id="gender",
        ),
    ],
)
def test_identity_soft_mismatch_needs_confirmation(
    app, client, runner, overrides, flag, warning, admin_note
):
    """A mismatch warns first; once confirmed it is saved, flagged, shown to admin."""
    official = signed_up(client)
    first = official.step1(**overrides)

    assert first.status_code in REFUSED
    page = Page(first.data)
    assert warning in page.text
    assert b'id="warning-summary"' in first.data
    assert 'name="confirm_nik"' in page.text
    assert_typed_values_kept(page, merged(official.identity, overrides))
    assert snapshot(app, official.email).profile is None

    confirmed = official.step1(**overrides, confirm_nik="y")
    assert confirmed.status_code == 302
    assert confirmed.headers["Location"] == STEP2
    profile = snapshot(app, official.email).profile
    assert profile.identity_done_at is not None
    assert getattr(profile, flag) is True
    other = {"nik_date_mismatch", "nik_gender_mismatch"} - {flag}
    assert getattr(profile, other.pop()) is False
    assert profile.nik == official.identity["nik"]

    admin = admin_client(app, runner)
    account = snapshot(app, official.email)
    admin_page = admin.client.get(f"/admin/akun/{account.id}")
    assert admin_page.status_code == 200
    admin_text = " ".join(admin_page.data.decode().split())
    assert admin_note in admin_text
    assert "onfirmasi" in admin_text


def test_identity_without_mismatch_has_no_flags(app, client):
    """A NIK that agrees with the birth date and gender saves without any flag."""
    official = signed_up(client)
    assert official.step1().headers["Location"] == STEP2
    profile = snapshot(app, official.email).profile
    assert profile.nik_date_mismatch is False
    assert profile.nik_gender_mismatch is False


@pytest.mark.parametrize(
    "nik",
    [
        pytest.param("5203015204850001", id="same-digits"),
        pytest.param("5203 0152 0485 0001", id="with-spaces"),
    ],
)
def test_identity_refuses_nik_of_another_account(app, client, nik):
    """A NIK already used elsewhere is refused at the NIK field; nothing saved."""
    first = signed_up(client)
    assert first.step1().headers["Location"] == STEP2

    second = signed_up(app.test_client(), email="ahmad@example.id", name="Ahmad")
    sent = {**second.identity, "nik": nik, "phone": "0813-1111-2222"}
    response = second.post(STEP1, sent)

    assert response.status_code in REFUSED
    page = Page(response.data)
    assert "sudah dipakai akun lain" in page.errors.get("nik", ""), page.errors
    assert_typed_values_kept(page, sent)
    account = snapshot(app, second.email)
    assert account.profile is None or account.profile.identity_done_at is None
    assert snapshot(app, first.email).profile.phone == "+6281234567890"


# Step 2: position -----------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        pytest.param({"tmt": in_days(7)}, "tmt", "masa depan", id="future-tmt"),
        pytest.param({"tmt": "1995-04-12"}, "tmt", "terlalu dekat", id="tmt-at-age-10"),
        pytest.param({"tmt": ""}, "tmt", "Isi tanggal TMT", id="missing-tmt"),
        pytest.param({"tmt": "kemarin"}, "tmt", "Tulis tanggal", id="garbage-tmt"),
        pytest.param(
            {"position": None}, "position", "Pilih jabatan", id="missing-position"
        ),
        pytest.param(
            {"position": ""}, "position", "Pilih jabatan", id="empty-position"
        ),
        pytest.param(
            {"position": "presiden"}, "position", "Pilih", id="invalid-position"
        ),
        pytest.param({"is_pns": None}, "is_pns", "Pilih Ya atau Tidak", id="no-pns"),
    ],
)
def test_position_refuses_bad_field(app, client, overrides, field, fragment):
    """A bad field: Bahasa message at the field, input kept, step not saved."""
    official = signed_up(client)
    official.step1()
    sent = merged(official.position, overrides)
    response = official.post(STEP2, sent)

    assert response.status_code in REFUSED
    page = Page(response.data)
    assert fragment in page.errors.get(field, ""), page.errors
    assert_typed_values_kept(page, sent, skip=("position",))
    profile = snapshot(app, official.email).profile
    assert profile.position_done_at is None
    assert profile.position is None


# Step 3: location and SK ---------------------------------------------------


def send_step3(official: Official, pdf: bytes, filename: str = "sk.pdf", **fields):
    """Send step 3 with exactly these file bytes (even none at all)."""
    data = {
        "provinsi": PROVINSI,
        "kabupaten": KABUPATEN,
        "kecamatan": KECAMATAN,
        "desa": DESA,
        "sk_number": "188.45/123/DPMD/2021",
        "sk_date": "2020-12-28",
        **fields,
        "sk_file": (io.BytesIO(pdf), filename),
    }
    return official.post(STEP3, data, content_type="multipart/form-data")


def kelurahan_code(app) -> str:
    """Return the code of a kelurahan in Kecamatan Selong, Lombok Timur."""
    with app.app_context():
        code = db.session.scalar(
            select(Village.code)
            .where(Village.district_code == "52.03.07", Village.kind == KELURAHAN)
            .order_by(Village.code)
        )
    assert code and code.split(".")[3].startswith("1")
    return code


def assert_not_submitted(app, email: str) -> None:
    """The registration is still open and step 3 has not been saved."""
    account = snapshot(app, email)
    assert account.state == "registered"
    assert account.profile.location_done_at is None
    assert account.profile.village_code is None


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        pytest.param(
            {"kecamatan": "52.03.07", "desa": "KELURAHAN"},
            "desa",
            "Pilih desa",
            id="kelurahan-as-desa",
        ),
        pytest.param(
            {"desa": "52.03.02.2001"}, "desa", "Pilih desa", id="desa-of-other-kec"
        ),
        pytest.param({"desa": "52.03.01.2999"}, "desa", "Pilih desa", id="no-desa"),
        pytest.param({"desa": ""}, "desa", "Pilih desa", id="empty-desa"),
        pytest.param(
            {"kecamatan": "52.01.01"},
            "kecamatan",
            "Pilih kecamatan",
            id="kec-of-other-kab",
        ),
        pytest.param(
            {"provinsi": "99"}, "provinsi", "Pilih provinsi", id="unknown-province"
        ),
    ],
)
def test_location_refuses_bad_region(app, client, overrides, field, fragment):
    """A kelurahan, a stale or forged region: message at the level, no submit."""
    official = at_step3(client)
    if overrides.get("desa") == "KELURAHAN":
        overrides = {**overrides, "desa": kelurahan_code(app)}
    response = official.step3(**overrides)

    assert response.status_code in REFUSED
    page = Page(response.data)
    assert fragment in page.errors.get(field, ""), page.errors
    assert page.values["sk_number"] == "188.45/123/DPMD/2021"
    assert_not_submitted(app, official.email)


def test_location_requires_sk_file(app, client):
    """Without a file the SK field says to upload the PDF; nothing submitted."""
    official = at_step3(client)
    response = official.step3(pdf=False)

    assert response.status_code in REFUSED
    page = Page(response.data)
    assert "Unggah SK Jabatan" in page.errors.get("sk_file", ""), page.errors
    assert_not_submitted(app, official.email)


@pytest.mark.parametrize(
    ("builder", "reason"),
    [
        pytest.param(pdf_samples.text_file, "not_pdf", id="text-named-pdf"),
        pytest.param(pdf_samples.png_file, "not_pdf", id="png-named-pdf"),
        pytest.param(pdf_samples.empty, "empty", id="empty-file"),
        pytest.param(pdf_samples.password, "password", id="password-aes"),
        pytest.param(pdf_samples.password_rc4, "password", id="password-rc4"),
    ],
)
def test_location_refuses_bad_sk_file(app, client, tmp_path, builder, reason):
    """A file that is not an openable PDF: pdfcheck's message, nothing kept."""
    official = at_step3(client)
    response = send_step3(official, builder(tmp_path).read_bytes())

    assert response.status_code in REFUSED
    page = Page(response.data)
    assert page.errors.get("sk_file") == " ".join(MESSAGES[reason].split())
    assert_not_submitted(app, official.email)
    assert snapshot(app, official.email).profile.sk_document_id is None
    assert count(app, Document) == 0
    assert files_under(app.config["UPLOAD_FOLDER"]) == []


@pytest.mark.parametrize(
    "builder",
    [
        pytest.param(pdf_samples.permissions_rc4, id="rc4"),
        pytest.param(pdf_samples.permissions_aes128, id="aes128"),
        pytest.param(pdf_samples.permissions_aes256, id="aes256"),
    ],
)
def test_location_accepts_permission_only_pdf(app, client, tmp_path, builder):
    """A PDF locked only against editing opens without a password: accepted."""
    official = at_step3(client)
    response = official.step3(pdf=builder(tmp_path).read_bytes())

    assert response.status_code == 302
    assert response.headers["Location"] == "/status"
    account = snapshot(app, official.email)
    assert account.state == "pending"
    assert account.profile.village_code == DESA
    assert account.profile.sk_document_id is not None


def test_location_keeps_good_sk_when_number_missing(app, client):
    """The SK is kept while the number is missing; a resend without file works."""
    official = at_step3(client)
    response = official.step3(sk_number="")

    assert response.status_code in REFUSED
    page = Page(response.data)
    assert "Isi nomor SK" in page.errors.get("sk_number", ""), page.errors
    assert "sk_file" not in page.errors
    assert "SK tersimpan" in page.text
    kept = snapshot(app, official.email).profile.sk_document_id
    assert kept is not None
    assert_not_submitted(app, official.email)

    again = official.step3(pdf=False)
    assert again.status_code == 302
    assert again.headers["Location"] == "/status"
    account = snapshot(app, official.email)
    assert account.state == "pending"
    assert account.profile.sk_document_id == kept
    assert count(app, Document) == 1


def test_location_reports_refused_replacement_sk(app, client, tmp_path):
    """A bad new file is refused with its message, not swapped for the kept SK."""
    official = at_step3(client)
    assert official.step3(sk_number="").status_code in REFUSED
    kept = snapshot(app, official.email).profile.sk_document_id
    assert kept is not None

    text = pdf_samples.text_file(tmp_path).read_bytes()
    response = send_step3(official, text, filename="sk-baru.pdf")

    assert response.status_code in REFUSED
    page = Page(response.data)
    assert page.errors.get("sk_file") == " ".join(MESSAGES["not_pdf"].split())
    assert_not_submitted(app, official.email)
    assert snapshot(app, official.email).profile.sk_document_id == kept


@pytest.mark.parametrize(
    ("sk_date", "fragment"),
    [
        pytest.param(in_days(7), "masa depan", id="future"),
        pytest.param("1990-01-01", "terlalu dekat", id="at-age-4"),
        pytest.param("", "Isi tanggal SK", id="missing"),
        pytest.param("31/04/2020", "kalender", id="no-such-date"),
    ],
)
def test_location_refuses_bad_sk_date(app, client, sk_date, fragment):
    """An SK date in the future, too early or not a date is refused at the field."""
    official = at_step3(client)
    response = official.step3(sk_date=sk_date)

    assert response.status_code in REFUSED
    page = Page(response.data)
    assert fragment in page.errors.get("sk_date", ""), page.errors
    assert page.values["sk_date"] == sk_date
    assert_not_submitted(app, official.email)


# Upload size -----------------------------------------------------------------


def padded_pdf(size: int) -> bytes:
    """Return a valid one-page PDF of exactly ``size`` bytes."""
    base = len(pdf_samples.good_bytes())
    content = pdf_samples.CONTENT + b"\n" + b" " * (size - base - 1)
    objects = pdf_samples.good_objects()
    objects[4] = pdf_samples.stream(content)
    data = pdf_samples.assemble(objects)
    grown = len(data) - size
    if grown:
        content = content[: len(content) - grown]
        objects[4] = pdf_samples.stream(content)
        data = pdf_samples.assemble(objects)
    assert len(data) == size
    return data


@pytest.mark.parametrize(
    "htmx",
    [pytest.param(False, id="page"), pytest.param(True, id="htmx-fragment")],
)
def test_body_over_request_limit_gets_friendly_413(app, client, htmx):
    """A body over MAX_CONTENT_LENGTH: 413 with a Bahasa page naming 10 MB."""
    official = at_step3(client)
    size = 11 * 1024 * 1024
    assert size > app.config["MAX_CONTENT_LENGTH"]
    token = csrf_from(client.get(STEP3).data)
    response = client.post(
        STEP3,
        data={
            "csrf_token": token,
            "provinsi": PROVINSI,
            "kabupaten": KABUPATEN,
            "kecamatan": KECAMATAN,
            "desa": DESA,
            "sk_number": "188.45/123/DPMD/2021",
            "sk_date": "2020-12-28",
            "sk_file": (io.BytesIO(b"%PDF-1.4\n" + bytes(size)), "sk.pdf"),
        },
        content_type="multipart/form-data",
        headers={"HX-Request": "true"} if htmx else {},
    )

    assert response.status_code == 413
    text = response.data.decode()
    assert "10 MB" in text
    assert "Berkas terlalu besar" in text
    assert count(app, Document) == 0
    assert_not_submitted(app, official.email)


def test_sk_one_byte_over_10_mb_refused_at_field(app, client):
    """10 MB + 1 byte fits the request but not the SK limit: message at sk_file."""
    assert app.config["SK_MAX_BYTES"] == 10 * 1024 * 1024
    size = app.config["SK_MAX_BYTES"] + 1
    data = b"%PDF-1.4\n" + b" " * (size - 9)
    assert len(data) == size < app.config["MAX_CONTENT_LENGTH"] - 4096
    official = at_step3(client)
    response = official.step3(pdf=data)

    assert response.status_code in REFUSED
    page = Page(response.data)
    assert "lebih dari 10 MB" in page.errors.get("sk_file", ""), page.errors
    assert count(app, Document) == 0
    assert files_under(app.config["UPLOAD_FOLDER"]) == []
    assert_not_submitted(app, official.email)


@pytest.mark.parametrize(
    ("size", "accepted"),
    [
        pytest.param(2000, True, id="exactly-the-limit"),
        pytest.param(2001, False, id="one-byte-over"),
    ],
)
def test_sk_size_limit_boundary(app, client, size, accepted):
    """SK_MAX_BYTES itself is allowed; one byte more is refused at the field."""
    app.config["SK_MAX_BYTES"] = 2000
    official = at_step3(client)
    response = official.step3(pdf=padded_pdf(size))

    if accepted:
        assert response.status_code == 302
        assert document_of(app, official.email).size == size
    else:
        assert response.status_code in REFUSED
        page = Page(response.data)
        assert "Berkas lebih dari" in page.errors.get("sk_file", ""), page.errors
        assert count(app, Document) == 0
        assert_not_submitted(app, official.email)


# SK access --------------------------------------------------------------------


def registered_with_sk(client, pdf: bytes, filename: str = "SK Kaur Keuangan.pdf"):
    """Walk the whole path with a given SK file and return the official."""
    official = at_step3(client)
    response = official.step3(pdf=pdf, filename=filename)
    assert response.headers["Location"] == "/status"
    return official


@pytest.mark.parametrize(
    ("viewer", "status"),
    [
        pytest.param("owner", 200, id="owner"),
        pytest.param("admin", 200, id="admin"),
        pytest.param("other-official", 404, id="other-official"),
        pytest.param("anonymous", 302, id="anonymous"),
    ],
)
def test_sk_opens_only_for_owner_and_admin(app, client, runner, viewer, status):
    """Owner and admin see the PDF inline, never cached; others cannot."""
    pdf = padded_pdf(3000)
    official = registered_with_sk(client, pdf)
    document = document_of(app, official.email)
    url = f"/dokumen/{document.id}"

    if viewer == "owner":
        browser = client
    elif viewer == "admin":
        browser = admin_client(app, runner).client
    elif viewer == "other-official":
        browser = signed_up(app.test_client(), email="ahmad@example.id").client
    else:
        browser = app.test_client()
    response = browser.get(url)

    assert response.status_code == status
    if status == 200:
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("inline")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response.headers["Cache-Control"]
        assert response.data == pdf
    elif status == 302:
        assert response.headers["Location"].startswith("/masuk")
    else:
        assert pdf not in response.data


def test_sk_unknown_document_is_404(app, client):
    """A document id that does not exist answers 404 for a logged-in official."""
    signed_up(client)
    assert client.get("/dokumen/999999").status_code == 404


@pytest.mark.parametrize(
    ("filename", "shown"),
    [
        pytest.param("SK Kaur Keuangan.pdf", "SK Kaur Keuangan.pdf", id="plain"),
        pytest.param("../../../sk-jabatan.pdf", "sk-jabatan.pdf", id="path-parts"),
    ],
)
def test_sk_stored_under_random_name_with_sha256(app, client, filename, shown):
    """The SK lies under UPLOAD_FOLDER with a random name and its true SHA-256."""
    pdf = padded_pdf(2500)
    official = registered_with_sk(client, pdf, filename=filename)
    document = document_of(app, official.email)
    folder = Path(app.config["UPLOAD_FOLDER"]).resolve()

    stored = files_under(folder)
    assert len(stored) == 1
    path = stored[0].resolve()
    assert path.is_relative_to(folder)
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", path.name)
    assert path.name == document.storage_name
    assert Path(filename).name not in {p.name for p in stored}
    assert path.read_bytes() == pdf
    assert document.sha256 == hashlib.sha256(pdf).hexdigest()
    assert document.size == len(pdf)
    assert document.original_name == shown


# Verification link -------------------------------------------------------------


def test_verification_link_refused_after_email_change(app, client, mailbox):
    """A link mailed to an old address no longer verifies: 400, tidak berlaku."""
    official = Official(client)
    official.sign_up(verify=False)
    mail = mailbox.wait_for(official.email, "Verifikasi email")
    link = next(link for link in mail.links() if "/verifikasi/" in link)
    path = "/" + link.split("/", 3)[3]

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == official.email))
        user.email = "siti.baru@example.id"
        db.session.commit()

    opened = client.get(path)
    assert opened.status_code == 400
    assert "tidak berlaku" in opened.data.decode()
    pressed = client.post(path, data={"csrf_token": _any_csrf(client)})
    assert pressed.status_code == 400
    account = snapshot(app, "siti.baru@example.id")
    assert account.email_verified_at is None
    assert account.state == "registered"
    assert client.get(STEP1).status_code == 302


def _any_csrf(client) -> str:
    """Return the CSRF token of the Masuk page in this client's session."""
    page = client.get("/masuk")
    return csrf_from(page.data)


# Never a server error ----------------------------------------------------------

GARBAGE = {
    "ten-thousand": "x" * 10_000,
    "nul-byte": "Siti\x00Aminah",
    "emoji": "\U0001f600\U0001f1ee\U0001f1e9",
    "sql": "'; DROP TABLE users; --",
    "letters-150": "W" + "a" * 149,
}

FIELDS = {
    "sign-up": ("email", "name", "password", "privacy"),
    "login": ("email", "password"),
    "step1": (
        "phone",
        "birth_place",
        "birth_date",
        "gender",
        "nik",
        "education",
        "confirm_nik",
    ),
    "step2": ("is_pns", "position", "tmt"),
    "step3": (
        "provinsi",
        "kabupaten",
        "kecamatan",
        "desa",
        "sk_number",
        "sk_date",
        "sk_file",
    ),
}

SWEEP = [
    pytest.param(step, name, value, id=f"{step}-{name}-{label}")
    for step, names in FIELDS.items()
    for name in names
    for label, value in GARBAGE.items()
]


@pytest.mark.parametrize(("step", "field", "value"), SWEEP)
def test_garbage_never_causes_server_error(app, client, step, field, value):
    """Garbage in any field is answered as a page or redirect, never a 500."""
    official = Official(client)
    if step == "sign-up":
        response = official.sign_up(**{field: value})
    elif step == "login":
        signed_up(app.test_client())
        sent = {"email": official.email, "password": official.password, field: value}
        response = official.post("/masuk", sent)
    elif step == "step1":
        signed_up(client)
        response = official.step1(**{field: value})
    elif step == "step2":
        signed_up(client)
        official.step1()
        response = official.step2(**{field: value})
    elif field == "sk_file":
        at_step3(client)
        response = official.step3(filename=value + ".pdf")
    else:
        at_step3(client)
        response = official.step3(**{field: value})

    assert response.status_code in HANDLED
    assert b"Terjadi kesalahan di server" not in response.data


@pytest.mark.parametrize(
    "length",
    [
        pytest.param(100, id="100"),
        pytest.param(101, id="101"),
        pytest.param(150, id="150"),
    ],
)
def test_long_birth_place_saved_whole_or_refused(app, client, length):
    """A long place name is stored exactly as typed or refused at the field."""
    place = "K" + "a" * (length - 1)
    official = signed_up(client)
    response = official.step1(birth_place=place)

    assert response.status_code in (302, *REFUSED)
    if response.status_code == 302:
        assert snapshot(app, official.email).profile.birth_place == place
    else:
        assert "Tempat lahir" in Page(response.data).errors.get("birth_place", "")


def test_nul_byte_in_a_repeated_key_is_refused(client):
    """A NUL hidden in the second value of a repeated field gets the 400 page."""
    official = signed_up(client)
    token = csrf_from(client.get("/daftar/identitas").data)

    response = client.post(
        "/daftar/identitas",
        data={
            **official.identity,
            "csrf_token": token,
            "nik": [official.identity["nik"], "5203\x00"],
        },
    )

    assert response.status_code == 400
    assert snapshot(client.application, official.email).profile is None
