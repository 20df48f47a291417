"""Property-based tests of every form and query string: no input gives a 500.

Each test draws inputs with Hypothesis (deterministically, no example
database) and checks the same properties: the answer is a page, a redirect or
a refusal, never a server error; a refused form shows what was typed, escaped,
with a message in Bahasa Indonesia at the field; and a refused form saves
nothing. The NIK keeps all 16 digits on every page and in every download.
"""

import csv
import io
import itertools
import json
import re
from datetime import date, timedelta
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, update
from werkzeug.datastructures import MultiDict

from pamong.accounts.models import PENDING, REGISTERED, AccountEvent, User
from pamong.accounts.services import normalise_email
from pamong.core.time import today
from pamong.extensions import db
from pamong.mailer.models import OutboxMail
from pamong.registration import validators as rules
from pamong.registration.choices import EDUCATION, POSITIONS
from pamong.registration.models import Profile
from tests.admin_helpers import BALI, BARAT, TIMUR, login_admin, seed
from tests.conftest import csrf_from
from tests.fuzz_helpers import (
    BAD_UTF8,
    assert_echoed,
    assert_escaped,
    assert_handled,
    assert_indonesian,
    assert_refused,
    edge_dates,
    first,
    form,
    fuzz,
    has_nul,
    iso,
    maybe,
    nasty_text,
    nik_like,
    plus_emails,
    query_string,
    query_values,
    raw_form,
    typed_nik,
    valid_names,
    valid_niks,
    valid_phones,
)
from tests.helpers import Official
from tests.pages import Page

pytestmark = [
    pytest.mark.usefixtures("admin_tables"),
    # The mail sender's thread draws Message-IDs from ``random`` while
    # Hypothesis draws an example; Hypothesis takes that for the strategy.
    pytest.mark.filterwarnings("ignore:Do not use the `random` module"),
]

STEP1 = "/daftar/identitas"
STEP2 = "/daftar/jabatan"
STEP3 = "/daftar/lokasi"

#: Numbers that keep generated addresses apart within one test.
SERIALS = itertools.count()

#: A choice a browser may send: a real one, nothing, or anything at all.
EDUCATION_CODES = [code for code, _label in EDUCATION]
POSITION_CODES = [code for code, _label in POSITIONS]


@pytest.fixture
def admin_tables(app):
    """Empty the admin desk's tables around each test, as the admin tests do."""
    from tests.admin_helpers import _empty

    _empty(app)
    yield
    _empty(app)


# Reading the database --------------------------------------------------------


def snapshot(app, email: str) -> dict | None:
    """Return an account and its profile as plain values, or ``None``."""
    with app.app_context():
        user = db.session.scalar(
            select(User).where(User.email == normalise_email(email))
        )
        if user is None:
            return None
        values = {
            column.key: getattr(user, column.key)
            for column in User.__table__.columns
            if column.key not in ("updated_at", "failed_logins", "locked_until")
        }
        if user.profile is not None:
            values.update(
                {
                    f"profile.{column.key}": getattr(user.profile, column.key)
                    for column in Profile.__table__.columns
                    if column.key != "updated_at"
                }
            )
        return values


def count_users(app) -> int:
    """Count every account."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def reopen_step3(app, email: str) -> None:
    """Put a submitted official back before step 3, as if never handed in."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        user.state = REGISTERED
        user.submitted_at = None
        user.profile.location_done_at = None
        user.profile.village_code = None
        db.session.commit()


def make_pending(app, user_id: int) -> None:
    """Put an official back in the queue."""
    with app.app_context():
        db.session.execute(
            update(User)
            .where(User.id == user_id)
            .values(state=PENDING, rejection_reason=None)
        )
        db.session.commit()


def state_of(app, user_id: int) -> tuple[str, str | None]:
    """Return an account's state and rejection reason."""
    with app.app_context():
        user = db.session.get(User, user_id)
        return user.state, user.rejection_reason


# Officials at each step ------------------------------------------------------


def token_for(client, url: str) -> str:
    """Return the CSRF token of the form at ``url``."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return csrf_from(page.data)


@pytest.fixture
def official(client) -> Official:
    """An official who has signed up and is logged in."""
    person = Official(client)
    assert person.sign_up().status_code == 302
    return person


@pytest.fixture
def at_step2(official) -> Official:
    """An official who has saved step 1."""
    assert official.step1().headers["Location"] == STEP2
    return official


@pytest.fixture
def at_step3(at_step2) -> Official:
    """An official who has saved step 2 and stored an SK, but not handed in."""
    assert at_step2.step2().headers["Location"] == STEP3
    response = at_step2.step3(sk_number="")
    assert response.status_code == 200
    assert "sk_number" in Page(response.data).errors
    return at_step2


@pytest.fixture
def admin(app, runner) -> Official:
    """A national admin, logged in."""
    return login_admin(app, runner)


# Sign-up, login and getting back in ------------------------------------------


@fuzz(60)
@given(
    email=maybe(st.one_of(nasty_text(), plus_emails())),
    name=maybe(st.one_of(nasty_text(), valid_names())),
    password=maybe(st.one_of(nasty_text(), st.just("kopi-tubruk-2026"))),
    privacy=maybe(st.sampled_from(["y", "", "on", "\x00", "false"])),
)
def test_sign_up_refuses_or_saves_whole(app, email, name, password, privacy):
    """Daftar: any input is saved whole or shown again with a message."""
    client = app.test_client()
    token = token_for(client, "/daftar")
    sent = {"email": email, "name": name, "password": password, "privacy": privacy}
    before = count_users(app)

    response = client.post("/daftar", data=form(sent, token))

    if has_nul(sent):
        assert_handled(response, (400,))
        assert count_users(app) == before
        return
    assert_handled(response, (200, 302))
    if response.status_code == 302:
        saved = snapshot(app, email)
        assert saved["email"] == normalise_email(email)
        assert saved["name"] == rules.clean_name(name)
        assert count_users(app) == before + 1
        return
    page = Page(response.data)
    assert_refused(page)
    assert_echoed(page, sent, ("email", "name"))
    assert_escaped(page.text, f"{email}{name}")
    assert count_users(app) == before


@fuzz(6)
@given(email=plus_emails(), name=valid_names())
def test_sign_up_accepts_real_names_and_one_account_per_address(app, email, name):
    """Apostrophes, dots, one word; ``+tag`` and capitals: one account, any case."""
    email = f"x{next(SERIALS)}{email}"
    official = Official(app.test_client(), email=email, name=name)
    response = official.sign_up()
    assert response.status_code == 302, Page(response.data).errors
    saved = snapshot(app, email)
    assert saved["email"] == email.strip().lower()
    assert saved["name"] == " ".join(name.split())

    for variant in (email.upper(), email.swapcase()):
        again = Official(app.test_client(), email=variant, name=name)
        answer = again.sign_up(verify=False)
        assert answer.status_code == 302
        assert answer.headers["Location"] == "/daftar/periksa-email"
    with app.app_context():
        same = select(func.count()).where(func.lower(User.email) == email.lower())
        assert db.session.scalar(same) == 1

    login = Official(app.test_client(), email=email.swapcase()).log_in()
    assert login.status_code == 302


def test_verification_link_works_for_plus_and_capitals(app, client, mailbox):
    """The mailed link of a ``+tag`` address typed in capitals verifies it."""
    email = "Siti.Aminah+Desa@Example.ID"
    official = Official(client, email=email)
    official.sign_up(verify=False)

    mail = mailbox.wait_for(email.lower(), "Verifikasi email")
    link = next(link for link in mail.links() if "/verifikasi/" in link)
    path = "/" + link.split("/", 3)[3]
    page = client.get(path)
    assert page.status_code == 200
    done = client.post(
        path,
        data={
            "csrf_token": csrf_from(page.data),
            "name": official.name,
            "password": official.password,
        },
    )
    assert done.headers["Location"] == STEP1
    saved = snapshot(app, email)
    assert saved["email_verified_at"] is not None
    official.step1()
    official.step2()
    assert official.step3().headers["Location"] == "/status"
    assert snapshot(app, email)["state"] == PENDING


@fuzz(40)
@given(
    email=maybe(
        st.one_of(
            nasty_text(),
            st.sampled_from(
                ["SITI.AMINAH@EXAMPLE.ID", " siti.aminah@example.id ", "siti@x"]
            ),
        )
    ),
    password=maybe(st.one_of(nasty_text(), st.just("kopi-tubruk-2026"))),
    remember=maybe(st.sampled_from(["y", "", "\x00"])),
)
def test_login_never_fails(app, official, email, password, remember):
    """Masuk: a redirect for the right pair, else the email back and a message."""
    client = app.test_client()
    token = token_for(client, "/masuk")
    sent = {"email": email, "password": password, "remember": remember}

    response = client.post("/masuk", data=form(sent, token))

    if has_nul(sent):
        assert_handled(response, (400,))
        return
    assert_handled(response, (200, 302))
    if response.status_code == 302:
        assert normalise_email(email) == official.email
        assert password == official.password
        return
    page = Page(response.data)
    assert_refused(page)
    assert_echoed(page, sent, ("email",))
    assert_escaped(page.text, email or "")


@fuzz(30)
@given(email=maybe(st.one_of(nasty_text(), plus_emails())))
def test_forgot_password_never_fails(app, email):
    """Lupa sandi: the same calm answer for any address, escaped."""
    client = app.test_client()
    token = token_for(client, "/lupa-sandi")
    sent = {"email": email}

    response = client.post("/lupa-sandi", data=form(sent, token))

    if has_nul(sent):
        assert_handled(response, (400,))
        return
    assert_handled(response, (200,))
    page = Page(response.data)
    if page.errors:
        assert_refused(page, ("email",))
        assert_echoed(page, sent, ("email",))
    else:
        assert "Periksa email Anda" in page.text
    assert_escaped(page.text, email or "")


@fuzz(40)
@given(token=nasty_text(), method=st.sampled_from(["get", "post"]))
def test_mailed_links_with_any_token_never_fail(app, token, method):
    """Reset, unlock and verification links with a forged token are refused."""
    client = app.test_client()
    csrf = token_for(client, "/masuk")
    path = quote(token, safe="")
    for prefix, refused in (
        ("/sandi-baru/", 400),
        ("/buka-kunci/", 200),
        ("/verifikasi/", 400),
    ):
        if method == "get":
            response = client.get(prefix + path)
        else:
            response = client.post(prefix + path, data={"csrf_token": csrf})
        assert_handled(response, (refused, 404, 405))


@fuzz(25)
@given(password=maybe(nasty_text()), extra=query_values())
def test_reset_password_form_never_fails(app, official, password, extra):
    """Sandi baru: a weak or odd password is refused in Indonesian, never a 500.

    The outbox is emptied first, so the hourly cap on reset mails to one
    address never leaves the example holding an older, spent link.
    """
    client = app.test_client()
    with app.app_context():
        db.session.execute(delete(OutboxMail))
        db.session.commit()
    official.post("/lupa-sandi", {"email": official.email})
    with app.app_context():
        body = db.session.scalars(
            select(OutboxMail.body).order_by(OutboxMail.id.desc())
        ).first()
    path = re.search(r"/sandi-baru/\S+", body).group(0)
    token = token_for(client, path)
    sent = {"password": password, **dict(extra)}
    sent.pop("csrf_token", None)

    response = client.post(path, data=form(sent, token))

    if has_nul(sent):
        assert_handled(response, (400,))
        return
    assert_handled(response, (200, 302))
    if response.status_code == 200:
        assert_refused(Page(response.data), ("password",))
    else:
        login = Official(app.test_client(), password=password).log_in()
        assert login.status_code == 302


@fuzz(15)
@given(extra=query_values())
def test_resend_verification_and_deletion_request_never_fail(app, official, extra):
    """The resend form and the deletion request take any field without a 500."""
    token = token_for(official.client, STEP1)
    for path in ("/verifikasi/kirim-ulang", "/data-saya/hapus"):
        sent = {key: value for key, value in extra if key != "csrf_token"}
        response = official.client.post(path, data=form(sent, token))
        assert_handled(response, (200, 302, 400))


# Registration steps ----------------------------------------------------------


def one_or_two(strategy) -> st.SearchStrategy:
    """Draw a single value, or the key sent twice with two values."""
    return st.one_of(strategy, st.lists(strategy, min_size=2, max_size=2))


def sent_value(value):
    """Return what a form field reads of a value: the first when repeated."""
    return value[0] if isinstance(value, list) else value


@fuzz(80)
@given(
    phone=maybe(one_or_two(st.one_of(valid_phones(), nasty_text()))),
    birth_place=maybe(st.one_of(valid_names(), nasty_text())),
    birth_date=maybe(edge_dates()),
    gender=maybe(st.one_of(st.sampled_from(["L", "P", "", "l", "X"]), nasty_text())),
    nik=maybe(
        st.one_of(
            valid_niks().flatmap(typed_nik),
            st.just("5203015204850001").flatmap(nik_like),
            nasty_text(),
        )
    ),
    education=maybe(st.one_of(st.sampled_from(EDUCATION_CODES), nasty_text())),
    confirm_nik=maybe(st.sampled_from(["y", ""])),
)
def test_step1_saves_whole_or_nothing(
    app, official, phone, birth_place, birth_date, gender, nik, education, confirm_nik
):
    """Identitas: saved whole and clean, or refused with the input kept."""
    token = token_for(official.client, STEP1)
    sent = {
        "phone": phone,
        "birth_place": birth_place,
        "birth_date": birth_date,
        "gender": gender,
        "nik": nik,
        "education": education,
        "confirm_nik": confirm_nik,
    }
    before = snapshot(app, official.email)

    response = official.client.post(STEP1, data=form(sent, token))

    if has_nul(sent):
        assert_handled(response, (400,))
        assert snapshot(app, official.email) == before
        return
    assert_handled(response, (200, 302))
    after = snapshot(app, official.email)
    if response.status_code == 302:
        _assert_identity_saved(after, sent)
        return
    assert after == before
    page = Page(response.data)
    if not page.errors:
        assert 'class="warning"' in page.text
    else:
        assert_refused(page)
    assert_echoed(page, sent, ("phone", "birth_place", "birth_date", "nik"))
    if sent_value(gender) in ("L", "P"):
        assert page.checked.get("gender") == {sent_value(gender)}
    if sent_value(education) in EDUCATION_CODES:
        assert page.selected.get("education") == education
    assert_escaped(page.text, f"{phone}{birth_place}{birth_date}{nik}")


def _assert_identity_saved(after: dict, sent: dict) -> None:
    """Check that a saved step 1 holds the cleaned form of each value sent."""
    if sent["phone"] is not None:
        assert after["profile.phone"] == rules.check_phone(sent_value(sent["phone"]))
    if sent["birth_place"] is not None:
        assert after["profile.birth_place"] == rules.clean_name(sent["birth_place"])
    if sent["birth_date"] is not None:
        assert after["profile.birth_date"] == rules.parse_date(sent["birth_date"])
    if sent["nik"] is not None:
        assert after["profile.nik"] == rules.clean_nik(sent["nik"])
        assert re.fullmatch(r"[0-9]{16}", after["profile.nik"])
    if sent["gender"] is not None:
        assert after["profile.gender"] == sent["gender"]
    if sent["education"] is not None:
        assert after["profile.education"] == sent["education"]


def years_before(day: date, years: int) -> date:
    """Return the date ``years`` before ``day``; 29 Feb becomes 28 Feb."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@st.composite
def identities(draw) -> dict:
    """Draw a step 1 that must be accepted: right NIK, any spelling of it."""
    now = today()
    born = draw(
        st.one_of(
            st.sampled_from(
                [
                    years_before(now, 17),
                    years_before(now, 100) + timedelta(days=1),
                    date(1988, 2, 29),
                    date(2000, 2, 29),
                ]
            ),
            st.dates(years_before(now, 99), years_before(now, 18)),
        )
    )
    gender = draw(st.sampled_from("LP"))
    nik = draw(valid_niks(born, gender))
    return {
        "phone": draw(valid_phones()),
        "birth_place": draw(valid_names()),
        "birth_date": draw(st.sampled_from([iso(born), f"{born:%d/%m/%Y}"])),
        "gender": gender,
        "nik": draw(typed_nik(nik)),
        "education": draw(st.sampled_from(EDUCATION_CODES)),
        "clean_nik": nik,
    }


@fuzz(30)
@given(identity=identities())
def test_step1_accepts_every_real_identity(app, official, identity):
    """Names with apostrophes or one word, NIK with spaces, 29 Feb: all saved."""
    nik = identity.pop("clean_nik")
    response = official.step1(**identity)
    assert response.status_code == 302, Page(response.data).errors
    saved = snapshot(app, official.email)
    assert saved["profile.nik"] == nik
    assert not saved["profile.nik_date_mismatch"]
    assert not saved["profile.nik_gender_mismatch"]
    assert Page(official.client.get(STEP1).data).values["nik"] == nik


@fuzz(15)
@given(
    nik=st.one_of(
        st.sampled_from(["1100000101000001", "9499997112990001"]), valid_niks()
    ).flatmap(lambda nik: st.tuples(st.just(nik), typed_nik(nik)))
)
def test_nik_keeps_every_digit_everywhere(app, official, admin, nik):
    """The 16 digits survive the form, the page, the JSON copy and the CSV."""
    nik, typed = nik
    response = official.step1(nik=typed, confirm_nik="y")
    assert response.status_code == 302, Page(response.data).errors

    assert Page(official.client.get(STEP1).data).values["nik"] == nik

    mine = official.client.get("/data-saya")
    assert mine.status_code == 200
    assert json.loads(mine.data)["profil"]["nik"] == nik
    assert f'"nik": "{nik}"' in mine.get_data(as_text=True)

    export = admin.client.get("/admin/ekspor.csv?status=semua")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True)), delimiter=";"))
    column = rows[0].index("NIK")
    assert [row[column] for row in rows[1:]] == [f'="{nik}"']
    assert f'"=""{nik}"""' in export.get_data(as_text=True)

    token = csrf_from(admin.client.get("/admin/").data)
    found = admin.client.post("/admin/cari", data={"csrf_token": token, "q": typed})
    assert found.status_code == 200
    assert f"/admin/akun/{snapshot(app, official.email)['id']}" in found.get_data(
        as_text=True
    )

    user_id = snapshot(app, official.email)["id"]
    token = csrf_from(admin.client.get(f"/admin/akun/{user_id}").data)
    revealed = admin.client.post(
        f"/admin/akun/{user_id}/nik", data={"csrf_token": token}
    )
    assert nik in revealed.get_data(as_text=True)


@fuzz(50)
@given(
    is_pns=maybe(one_or_two(st.one_of(st.sampled_from(["ya", "tidak"]), nasty_text()))),
    position=maybe(st.one_of(st.sampled_from(POSITION_CODES), nasty_text())),
    tmt=maybe(edge_dates()),
)
def test_step2_saves_whole_or_nothing(app, at_step2, is_pns, position, tmt):
    """Jabatan: saved whole, or refused with the input kept and nothing saved."""
    official = at_step2
    token = token_for(official.client, STEP2)
    sent = {"is_pns": is_pns, "position": position, "tmt": tmt}
    before = snapshot(app, official.email)

    response = official.client.post(STEP2, data=form(sent, token))

    if has_nul(sent):
        assert_handled(response, (400,))
        assert snapshot(app, official.email) == before
        return
    assert_handled(response, (200, 302))
    after = snapshot(app, official.email)
    if response.status_code == 302:
        assert after["profile.is_pns"] == (sent_value(is_pns) == "ya")
        assert after["profile.position"] == position
        assert after["profile.tmt"] == rules.parse_date(tmt)
        return
    assert after == before
    page = Page(response.data)
    assert_refused(page)
    assert_echoed(page, sent, ("tmt",))
    if sent_value(is_pns) in ("ya", "tidak"):
        assert page.checked.get("is_pns") == {sent_value(is_pns)}
    if position in POSITION_CODES:
        assert page.selected.get("position") == position


LEVELS = ("provinsi", "kabupaten", "kecamatan", "desa")
CHAINS = (TIMUR, BARAT, BALI)


def region_codes(level: str) -> st.SearchStrategy[str]:
    """Draw a code for one level: real (of any chain), forged, or garbage."""
    real = [chain[level] for chain in CHAINS]
    forged = [f"{code}0" for code in real] + [f" {real[0]} ", "99", "52.99.99.9999"]
    return st.one_of(st.sampled_from(real + forged), nasty_text())


@fuzz(60)
@given(
    regions=st.one_of(
        st.sampled_from(CHAINS),
        st.fixed_dictionaries({level: maybe(region_codes(level)) for level in LEVELS}),
    ),
    sk_number=maybe(
        st.one_of(st.sampled_from(["188.45/123/DPMD/2021", "  1/2/3  "]), nasty_text())
    ),
    sk_date=maybe(
        st.one_of(st.sampled_from(["2020-12-28", "28/12/2020"]), edge_dates())
    ),
    choose=st.booleans(),
)
def test_step3_saves_whole_or_nothing(
    app, at_step3, regions, sk_number, sk_date, choose
):
    """Lokasi: handed in whole, or refused with the input kept and nothing saved.

    The no-JavaScript "Tampilkan pilihan" button only fills the next list.
    """
    official = at_step3
    token = token_for(official.client, STEP3)
    sent = {**regions, "sk_number": sk_number, "sk_date": sk_date}
    if choose:
        sent["pilih_wilayah"] = "1"
    before = snapshot(app, official.email)

    response = official.client.post(STEP3, data=form(sent, token))

    if has_nul(sent):
        assert_handled(response, (400,))
        assert snapshot(app, official.email) == before
        return
    assert_handled(response, (200, 302))
    after = snapshot(app, official.email)
    if response.status_code == 302:
        assert not choose
        assert after["state"] == "pending"
        assert after["profile.village_code"] == regions["desa"].strip()
        assert after["profile.sk_number"] == sk_number.strip()
        assert after["profile.sk_date"] == rules.parse_date(sk_date)
        reopen_step3(app, official.email)
        return
    assert after == before
    page = Page(response.data)
    if not choose:
        assert_refused(page)
    assert_echoed(page, sent, ("sk_number", "sk_date"))
    _assert_cascade_kept(page, regions)


@fuzz(8)
@given(
    chain=st.sampled_from(CHAINS),
    sk_number=st.one_of(
        st.sampled_from(
            ["188.45/123/DPMD/2021", "  141/Kep/2020 ", "No. 5 \u2013 2019"]
        ),
        nasty_text().filter(lambda text: text.strip() and "\x00" not in text),
    ).filter(lambda text: len(text) <= 100),
    sk_date=st.sampled_from(["2020-12-28", "28/12/2020", "2004-02-29"]),
)
def test_step3_hands_in_whole(app, at_step3, chain, sk_number, sk_date):
    """A real desa, any SK number up to 100 characters and a real date: handed in."""
    official = at_step3
    response = official.step3(pdf=False, sk_number=sk_number, sk_date=sk_date, **chain)
    assert response.headers.get("Location") == "/status", Page(response.data).errors
    after = snapshot(app, official.email)
    assert after["state"] == "pending"
    assert after["profile.village_code"] == chain["desa"]
    assert after["profile.sk_number"] == sk_number.strip()
    assert after["profile.sk_date"] == rules.parse_date(sk_date)
    reopen_step3(app, official.email)


def _assert_cascade_kept(page: Page, regions: dict) -> None:
    """Check that the longest real chain of regions sent is still chosen."""
    for chain in CHAINS:
        for level in LEVELS:
            if (regions[level] or "").strip() != chain[level]:
                break
            assert page.selected.get(level) == chain[level], (level, regions)
    for level in LEVELS:
        chosen = page.selected.get(level, "")
        assert chosen in ("", *(chain[level] for chain in CHAINS))


@fuzz(12)
@given(filename=nasty_text(), pdf=st.booleans())
def test_step3_upload_with_any_file_name(app, at_step3, filename, pdf):
    """An SK with any file name is stored under that name (escaped) or refused."""
    from tests.pdf_samples import good_bytes

    official = at_step3
    token = token_for(official.client, STEP3)
    content = good_bytes() if pdf else b"GIF89a not a pdf"
    data = form({"sk_number": ""}, token).to_dict()
    data["sk_file"] = (io.BytesIO(content), filename)

    response = official.client.post(
        STEP3, data=data, content_type="multipart/form-data"
    )

    assert_handled(response, (200, 400))
    if response.status_code == 200:
        page = Page(response.data)
        assert_indonesian(page.errors.get("sk_file") or page.errors["sk_number"])
        assert_escaped(page.text, filename)


# Wilayah fragments and the htmx cascade --------------------------------------


WILAYAH_VALUES = st.one_of(
    st.sampled_from(["52", "52.03", "52.03.01", "51.01.01", " 52 ", "52.03.01.2001"]),
    nasty_text(),
)


@fuzz(60)
@given(
    level=st.sampled_from(["kabupaten", "kecamatan", "desa"]),
    parent=maybe(WILAYAH_VALUES),
    selected=maybe(WILAYAH_VALUES),
    extra=st.lists(
        st.tuples(
            st.sampled_from(["provinsi", "kabupaten", "kecamatan", "selected", "x"]),
            WILAYAH_VALUES,
        ),
        max_size=3,
    ),
    htmx=st.booleans(),
)
def test_wilayah_fragments_take_any_query(
    app, client, level, parent, selected, extra, htmx
):
    """The option fragments answer any query with options, never markup typed."""
    above = {"kabupaten": "provinsi", "kecamatan": "kabupaten", "desa": "kecamatan"}
    pairs = [
        *([(above[level], parent)] if parent is not None else []),
        *([("selected", selected)] if selected is not None else []),
        *extra,
    ]
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get(f"/wilayah/{level}?{query_string(pairs)}", headers=headers)
    assert_handled(response, (200, 400))
    body = response.get_data(as_text=True)
    assert set(re.findall(r"<(\w+)", body)) <= {"option", "select"}
    for _key, value in pairs:
        assert_escaped(body, value)


# The admin desk --------------------------------------------------------------

QUEUE_KEYS = (
    "status",
    "tema",
    "jabatan",
    "provinsi",
    "kabupaten",
    "kecamatan",
    "desa",
    "dari",
    "sampai",
    "q",
    "halaman",
)


def queue_args() -> st.SearchStrategy[list[tuple[str, str]]]:
    """Draw queue filters: real values, edge dates, huge pages, garbage, repeats."""
    value = st.one_of(
        st.sampled_from(
            [
                "semua",
                "pending",
                "rejected",
                "desa",
                "kaur_keuangan",
                "52",
                "52.03",
                "52.03.01",
                "52.03.01.2001",
                "5203015204850001",
                "5203 0152 0485 0001",
                "SEED@EXAMPLE.ID",
                "100%_\\",
                "0",
                "-5",
                "2",
                "99999999999",
                "9" * 25,
            ]
        ),
        edge_dates(),
        nasty_text(),
    )
    each = st.fixed_dictionaries({}, optional=dict.fromkeys(QUEUE_KEYS, value))
    repeats = st.lists(st.tuples(st.sampled_from(QUEUE_KEYS), value), max_size=3)
    return st.builds(lambda keys, more: [*keys.items(), *more], each, repeats)


def searches_nik(pairs: list[tuple[str, str]]) -> bool:
    """Tell whether the search text the server reads is a whole NIK."""
    typed = (first(pairs, "q") or "").strip()[:100]
    return bool(re.fullmatch(r"[0-9]{16}", rules.clean_nik(typed)))


def overflows(pairs: list[tuple[str, str]]) -> bool:
    """Tell whether a filter is more than the database holds.

    A page past 2**63 rows, the day after 9999-12-31 and, on PostgreSQL, a
    NUL byte are answered with the 400 page.
    """
    try:
        page = int(first(pairs, "halaman") or "1")
    except ValueError:
        page = 1
    last_day = (first(pairs, "sampai") or "").strip()
    nul = any("\x00" in (first(pairs, key) or "") for key, _value in pairs)
    return (max(page, 1) - 1) * 50 >= 2**63 or last_day == "9999-12-31" or nul


def assert_queue_page(response, pairs, htmx: bool) -> None:
    """Check a queue answer: the page with the search kept, or a refusal."""
    if response.status_code == 303:
        location = response.headers["Location"]
        assert not re.search(r"[0-9]{16}", location), location
        assert location.startswith("/admin/")
        return
    if response.status_code == 400:
        assert overflows(pairs), pairs
        return
    body = response.get_data(as_text=True)
    for _key, value in pairs:
        assert_escaped(body, value)
    typed = first(pairs, "q")
    if not htmx and typed is not None and "\x00" not in typed:
        assert Page(response.data).values.get("q") == typed.strip()[:100]


@fuzz(50)
@given(pairs=queue_args(), htmx=st.booleans())
def test_admin_queue_takes_any_filter(app, admin, pairs, htmx):
    """The queue shows a page for any filter, with the search text kept.

    A NIK in the address is sent on to the same filters without it.
    """
    seed(app, 3)
    headers = {"HX-Request": "true"} if htmx else {}
    response = admin.client.get(f"/admin/?{query_string(pairs)}", headers=headers)
    assert_handled(response, (200, 303, 400))
    assert (response.status_code == 303) == searches_nik(pairs)
    assert_queue_page(response, pairs, htmx)


@fuzz(40)
@given(pairs=queue_args(), htmx=st.booleans())
def test_admin_search_form_takes_any_filter(app, admin, pairs, htmx):
    """Cari (POST): any filter answers the results or the queue's address."""
    seed(app, 3)
    token = csrf_from(admin.client.get("/admin/").data)
    headers = {"HX-Request": "true"} if htmx else {}
    sent = MultiDict([("csrf_token", token), *pairs])

    response = admin.client.post("/admin/cari", data=sent, headers=headers)

    if has_nul(sent):
        assert_handled(response, (400,))
        return
    assert_handled(response, (200, 303, 400))
    if searches_nik(pairs) or htmx:
        assert response.status_code in (200, 400)
    assert_queue_page(response, pairs, htmx or searches_nik(pairs))


@fuzz(30)
@given(pairs=queue_args())
def test_admin_export_takes_any_filter_and_keeps_nik_text(app, admin, pairs):
    """The CSV export answers any filter; every NIK cell stays 16 digits of text."""
    seed(app, 2, state="pending")
    response = admin.client.get(f"/admin/ekspor.csv?{query_string(pairs)}")
    assert_handled(response, (200, 303, 400))
    assert (response.status_code == 303) == searches_nik(pairs)
    if response.status_code == 400:
        assert overflows(pairs), pairs
    if response.status_code != 200:
        return
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    column = rows[0].index("NIK")
    for row in rows[1:]:
        assert re.fullmatch(r'="[0-9]{16}"', row[column]), row[column]


@fuzz(40)
@given(
    kode=maybe(
        one_or_two(
            st.one_of(
                st.sampled_from(
                    ["", "lainnya", "nik_salah", "sk_tidak_terbaca", "NIK_SALAH"]
                ),
                nasty_text(),
            )
        )
    ),
    reason=maybe(nasty_text()),
)
def test_admin_reject_takes_any_reason(app, admin, kode, reason):
    """Tolak: decided with the note kept, or refused with the note shown again."""
    (user_id,) = seed(app, 1)
    token = csrf_from(admin.client.get(f"/admin/akun/{user_id}").data)
    sent = {"kode": kode, "reason": reason}

    response = admin.client.post(f"/admin/akun/{user_id}/tolak", data=form(sent, token))

    if has_nul(sent):
        assert_handled(response, (400,))
        assert state_of(app, user_id) == (PENDING, None)
        return
    assert_handled(response, (302, 422))
    state, stored = state_of(app, user_id)
    if response.status_code == 302:
        assert state == "rejected"
        assert (reason or "").strip() in stored
        return
    assert (state, stored) == (PENDING, None)
    page = Page(response.data)
    assert_refused(page)
    assert_echoed(page, sent, ("reason",))


@fuzz(40)
@given(
    steps=maybe(
        st.one_of(
            st.lists(st.sampled_from(["identitas", "jabatan", "lokasi"]), min_size=1),
            st.lists(
                st.one_of(
                    st.sampled_from(["identitas", "jabatan", "lokasi", "LOKASI"]),
                    nasty_text(),
                ),
                max_size=4,
            ),
        )
    ),
    catatan=maybe(st.one_of(st.just("Foto SK buram, unggah ulang."), nasty_text())),
)
def test_admin_correction_takes_any_steps(app, admin, steps, catatan):
    """Perbaikan: sent with the note kept, or refused with the note shown again."""
    (user_id,) = seed(app, 1)
    token = csrf_from(admin.client.get(f"/admin/akun/{user_id}").data)
    sent = {"steps": steps, "catatan": catatan}

    response = admin.client.post(
        f"/admin/akun/{user_id}/perbaikan", data=form(sent, token)
    )

    if has_nul(sent):
        assert_handled(response, (400,))
        assert state_of(app, user_id) == (PENDING, None)
        return
    assert_handled(response, (302, 422))
    state, stored = state_of(app, user_id)
    if response.status_code == 302:
        assert state == "rejected"
        assert catatan.strip() in stored
        return
    assert (state, stored) == (PENDING, None)
    page = Page(response.data)
    assert_refused(page)
    assert_echoed(page, sent, ("catatan",))


@fuzz(30)
@given(
    pilih=st.lists(
        st.one_of(st.integers(-5, 10**20).map(str), nasty_text()), max_size=5
    ),
    kembali=maybe(
        st.one_of(
            st.sampled_from(
                ["/admin/?status=semua", "//evil.example/admin/", "http://x/admin/"]
            ),
            nasty_text(),
        )
    ),
)
def test_admin_bulk_approve_takes_any_selection(app, admin, pilih, kembali):
    """Setujui terpilih: any ids and return address; back to the queue, on site."""
    ids = seed(app, 2)
    token = csrf_from(admin.client.get("/admin/").data)
    sent = {"pilih": [*pilih, str(ids[0])], "kembali": kembali}

    response = admin.client.post("/admin/setujui-terpilih", data=form(sent, token))

    if has_nul(sent):
        assert_handled(response, (400,))
        return
    assert_handled(response, (302, 303, 400))
    if response.status_code == 400:
        numbers = [int(value) for value in pilih if value.isascii() and value.isdigit()]
        assert max(numbers, default=0) >= 2**63
        return
    assert response.headers["Location"].startswith("/admin/")
    assert state_of(app, ids[1])[0] == PENDING


REPORT_VALUES = st.one_of(
    st.sampled_from(["52", "1", "export", "2026-12-04", "9999-12-31", "9" * 20]),
    nasty_text(),
)


@fuzz(30)
@given(
    page=st.sampled_from(["/admin/audit", "/admin/capaian", "/admin/target"]),
    keys=st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(
            ["admin", "aksi", "dari", "sampai", "halaman", "provinsi"], REPORT_VALUES
        ),
    ),
    extra=st.lists(
        st.tuples(st.sampled_from(["aksi", "x"]), REPORT_VALUES), max_size=2
    ),
)
def test_admin_report_pages_take_any_query(app, admin, page, keys, extra):
    """The audit log, progress and target pages answer any query string.

    Only numbers or dates past what the database holds are refused (400), and
    the progress page of a provinsi that does not exist is not found.
    """
    pairs = [*keys.items(), *extra]
    response = admin.client.get(f"{page}?{query_string(pairs)}")
    assert_handled(response, (200, 400, 404))
    if response.status_code == 404:
        assert page == "/admin/capaian"
    if response.status_code == 400:
        assert page == "/admin/audit"
        numbers = [first(pairs, "admin"), first(pairs, "halaman")]
        assert overflows(pairs) or any(
            (value or "").strip().isdigit() and int(value) >= 2**31 for value in numbers
        ), pairs
    body = response.get_data(as_text=True)
    for _key, value in pairs:
        assert_escaped(body, value)


@fuzz(30)
@given(
    region=maybe(st.one_of(st.sampled_from(["52", "52.03", "51"]), nasty_text())),
    theme=maybe(st.one_of(st.sampled_from(["desa", "keuangan"]), nasty_text())),
    villages=maybe(
        st.one_of(st.integers(-10, 10**30).map(str), nasty_text(), edge_dates())
    ),
    email=maybe(st.one_of(plus_emails(), nasty_text())),
    name=maybe(nasty_text()),
)
def test_admin_target_and_appoint_forms(
    app, admin, region, theme, villages, email, name
):
    """Target and Pengelola forms: saved, or refused in Indonesian with input kept."""
    token = csrf_from(admin.client.get("/admin/target").data)
    sent = {"region": region, "theme": theme, "villages": villages}
    response = admin.client.post("/admin/target", data=form(sent, token))
    if has_nul(sent):
        assert_handled(response, (400,))
    else:
        assert_handled(response, (302, 422))
        if response.status_code == 422:
            page = Page(response.data)
            assert_refused(page)
            assert_echoed(page, sent, ("villages",))

    sent = {"email": email, "name": name, "region": region}
    response = admin.client.post("/admin/pengelola", data=form(sent, token))
    if has_nul(sent):
        assert_handled(response, (400,))
        return
    assert_handled(response, (302, 422))
    if response.status_code == 422:
        page = Page(response.data)
        assert_refused(page)
        assert_echoed(page, sent, ("email", "name"))


# tus uploads -----------------------------------------------------------------


def header_text() -> st.SearchStrategy[str]:
    """Draw a header value: Latin-1 text without line breaks."""
    return st.one_of(
        st.sampled_from(["0", "1", "-1", " 42 ", "1e3", "0x10", "9" * 16, "10485760"]),
        st.text(
            st.characters(max_codepoint=255, exclude_characters="\r\n"), max_size=60
        ),
    )


def metadata_text() -> st.SearchStrategy[str]:
    """Draw an ``Upload-Metadata`` header: proper, half proper, or garbage."""
    import base64

    def encoded(name: str) -> str:
        """Encode a file name the way tus clients do."""
        value = base64.b64encode(name.encode("utf-8", "surrogatepass")).decode()
        return f"filename {value},filetype YXBwbGljYXRpb24vcGRm"

    return st.one_of(
        st.just("filename c2sucGRm,filetype YXBwbGljYXRpb24vcGRm"),
        nasty_text().map(encoded),
        st.sampled_from(
            [
                "filename",
                "filename !!!",
                "filename c2sucGRm,filename c2sucGRm",
                "filetype aW1hZ2UvcG5n",
                ",,,",
                "filename 7f8=",
                "x" * 3000,
            ]
        ),
        header_text(),
    )


@fuzz(50)
@given(
    length=maybe(
        st.one_of(st.sampled_from(["1024", "10485760", "10485761"]), header_text())
    ),
    meta=maybe(metadata_text()),
    version=st.sampled_from(["1.0.0", "1.0.0", "0.2.2", ""]),
    defer=st.booleans(),
    offset=maybe(header_text()),
    content_type=st.sampled_from(
        ["application/offset+octet-stream", "application/pdf", ""]
    ),
    body=st.binary(max_size=64),
    upload_id=st.one_of(
        st.none(), st.sampled_from(["0" * 32, "../../etc", "%00"]), nasty_text()
    ),
)
def test_tus_takes_any_headers(
    app, at_step3, length, meta, version, defer, offset, content_type, body, upload_id
):
    """/unggah/: any creation or piece is answered with a tus status, never 500."""
    official = at_step3
    token = token_for(official.client, STEP3)
    headers = {"Tus-Resumable": version, "X-CSRFToken": token}
    if length is not None:
        headers["Upload-Length"] = length
    if meta is not None:
        headers["Upload-Metadata"] = meta
    if defer:
        headers["Upload-Defer-Length"] = "1"

    created = official.client.post("/unggah/", headers=headers)
    assert_handled(created, (201, 400, 403, 412, 413, 415, 429))
    if created.status_code != 201:
        assert created.mimetype == "text/plain"
        assert_indonesian(created.get_data(as_text=True))

    if upload_id is not None:
        url = "/unggah/" + quote(upload_id, safe="")
    elif created.status_code == 201:
        url = created.headers["Location"]
    else:
        return
    piece = {"Tus-Resumable": version, "X-CSRFToken": token}
    if offset is not None:
        piece["Upload-Offset"] = offset
    for response in (
        official.client.patch(url, data=body, content_type=content_type, headers=piece),
        official.client.head(url, headers=piece),
        official.client.get(url + "/hasil"),
    ):
        assert_handled(
            response, (200, 204, 400, 404, 405, 409, 410, 412, 413, 415, 423)
        )


# Bytes that are not UTF-8, repeated keys, every form at once -----------------

FORMS = ("/daftar", "/masuk", "/lupa-sandi", STEP1, STEP2, STEP3)


@fuzz(40)
@given(
    path=st.sampled_from(FORMS),
    junk=st.one_of(st.sampled_from(BAD_UTF8), st.binary(max_size=40)),
    pairs=query_values(),
)
def test_forms_take_bytes_that_are_not_utf8(app, at_step3, path, junk, pairs):
    """Lone surrogates, broken UTF-8 and repeated keys: an answer, never a 500."""
    official = at_step3
    client = official.client if path.startswith("/daftar/") else app.test_client()
    token = token_for(client, path)
    body = raw_form([("csrf_token", token), *pairs], junk)
    response = client.post(
        path, data=body, content_type="application/x-www-form-urlencoded"
    )
    assert_handled(response, (200, 302, 400))
    with app.app_context():
        events = db.session.scalars(
            select(AccountEvent.action).where(AccountEvent.action == "submitted")
        ).all()
    assert not events


def test_every_form_refuses_a_missing_or_repeated_csrf_token(app, at_step3):
    """No token, two tokens or a forged one: the Indonesian expired-form page."""
    official = at_step3
    good = token_for(official.client, STEP1)
    for path in ("/daftar", "/masuk", "/lupa-sandi", STEP1, STEP2, STEP3):
        for tokens in ([], ["forged"], ["forged", good]):
            client = (
                official.client if path.startswith("/daftar/") else app.test_client()
            )
            data = MultiDict([("csrf_token", token) for token in tokens])
            response = client.post(path, data=data)
            assert_handled(response, (400,))
            assert "kedaluwarsa" in response.get_data(as_text=True)


def test_dates_at_the_edges_of_step1(app, official):
    """Born 17 years ago today is accepted; one day short, tomorrow or 1900 is not."""
    now = today()
    cases = {
        iso(years_before(now, 17)): True,
        iso(years_before(now, 17) + timedelta(days=1)): False,
        iso(now): False,
        iso(now + timedelta(days=1)): False,
        "1900-01-01": False,
        "9999-12-31": False,
        "1999-02-29": False,
        "garbage": False,
    }
    for typed, accepted in cases.items():
        born = rules.parse_date(typed) if accepted else date(1985, 4, 12)
        nik = f"520301{born.day + 40:02d}{born.month:02d}{born.year % 100:02d}0001"
        response = official.step1(birth_date=typed, nik=nik, confirm_nik="y")
        if accepted:
            assert response.status_code == 302, (typed, Page(response.data).errors)
        else:
            page = Page(response.data)
            assert response.status_code == 200, typed
            assert_indonesian(page.errors["birth_date"])
            assert page.values["birth_date"] == typed
