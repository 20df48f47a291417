"""Byte budgets of the registration path, counted as the app sends them.

Every figure is the gzip body the test client gets with ``Accept-Encoding:
gzip`` (headers not counted), so the tests are deterministic. Budgets from
DESIGN.md "Low bandwidth and the home screen": the sign-up page's HTML and
CSS fit in one TCP initial window (14 KB), and a wilayah fragment is at most
1.5 KB. The others were set a little above the figures of December 2026 (in
the comment after each budget), so that a page that grows by more than a few
hundred bytes is noticed; raise one only on purpose.
"""

import gzip
import json
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func

from pamong.accounts.models import APPROVED, User
from pamong.extensions import db
from pamong.wilayah.models import Province, Regency, Village
from pamong.wilayah.services import VILLAGE_KINDS
from tests.helpers import Official

KB = 1024
GZIP = {"Accept-Encoding": "gzip"}
HTMX = {"HX-Request": "true"}

#: DESIGN: the sign-up page's HTML and the CSS it links, in one initial window.
SIGN_UP_WINDOW = 14 * KB
#: DESIGN: any wilayah fragment.
FRAGMENT = 1536
#: The largest kecamatan by desa count (about 108 desa).
LARGEST_KECAMATAN = "95.06.03"
#: How many of the longest desa lists are weighed, by text and by count.
DESA_CANDIDATES = 40
#: Markup around one desa name: ``<option value="52.03.01.2001"></option>``.
OPTION_MARKUP = 38

#: HTML of each page of the path, gzip (figure in December 2026 after each).
PAGE_BUDGETS = {
    "/": 1024,  # 667
    "/daftar": 2048,  # 1435
    "/masuk": 1280,  # 961
    "/lupa-sandi": 1280,  # 895
    "/offline": 1024,  # 660
    "/daftar/identitas": 2048,  # 1628
    "/daftar/jabatan": 2048,  # 1494
    "/daftar/lokasi": 3072,  # 2529
    "/status": 1536,  # 1094
    "/pelatihan/": 1536,  # 1036
}
#: DESIGN: the sign-up page on a first visit, everything it links included.
#: Here without headers, manifest and service worker, which the browser
#: benchmark (bench/pages.py) counts.
SIGN_UP_FIRST_VISIT = 30 * KB  # 5218
#: What the service worker precaches: shared CSS, JS, icon and the offline page.
PRECACHE_BUDGET = 6 * KB  # 4444
#: Step 3 on a first visit: HTML and every file it links (CSS, htmx, app.js,
#: offline.js, upload.js, icon). tus-js-client is fetched only once the file
#: field is touched, so it is not part of the first view.
STEP3_FIRST_VISIT = 36 * KB  # 33429

ASSET = re.compile(r'(?:src|href)="(/static/[^"?]+\?v=[^"]+)"')
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')


def wire(client, path: str, headers: dict | None = None) -> int:
    """Return the gzip body size of ``path``, failing on anything but 200."""
    response = client.get(path, headers={**GZIP, **(headers or {})})
    assert response.status_code == 200, f"{path}: {response.status_code}"
    return len(response.data)


def html_of(client, path: str) -> str:
    """Return the decoded HTML of ``path``."""
    response = client.get(path, headers=GZIP)
    body = response.data
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode()


def over(figures: dict[str, int], budgets: dict[str, float]) -> dict[str, str]:
    """Return the figures above their budget, as ``size > budget`` texts."""
    return {
        name: f"{size} B > {budgets[name]:.0f} B"
        for name, size in figures.items()
        if size > budgets[name]
    }


def approve(app, email: str) -> None:
    """Mark the official's email verified and the account approved."""
    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one()
        user.email_verified_at = datetime.now(UTC)
        user.state = APPROVED
        db.session.commit()


def test_sign_up_html_and_css_fit_one_initial_window(client):
    """The sign-up page and its stylesheet together are at most 14 KB gzip."""
    html = wire(client, "/daftar")
    sheets = STYLESHEET.findall(html_of(client, "/daftar"))
    assert sheets, "the sign-up page links no stylesheet"
    total = html + sum(wire(client, sheet) for sheet in sheets)
    assert total <= SIGN_UP_WINDOW, f"/daftar HTML+CSS: {total} B"


def test_sign_up_first_visit_within_budget(client):
    """The sign-up page and every static file it links are at most 30 KB gzip."""
    assets = sorted(set(ASSET.findall(html_of(client, "/daftar"))))
    total = wire(client, "/daftar") + sum(wire(client, url) for url in assets)
    assert total <= SIGN_UP_FIRST_VISIT, f"/daftar first visit: {total} B"


def test_every_page_of_the_path_within_its_budget(app, client):
    """Each page, anonymous then as a logged-in official, within its budget."""
    figures = {}
    for path in ("/", "/daftar", "/masuk", "/lupa-sandi", "/offline"):
        figures[path] = wire(client, path)

    official = Official(client)
    assert official.sign_up().status_code == 302
    figures["/daftar/identitas"] = wire(client, "/daftar/identitas")
    assert official.step1().status_code == 302
    figures["/daftar/jabatan"] = wire(client, "/daftar/jabatan")
    assert official.step2().status_code == 302
    figures["/daftar/lokasi"] = wire(client, "/daftar/lokasi")
    assert official.step3().status_code == 302
    figures["/status"] = wire(client, "/status")
    approve(app, official.email)
    figures["/pelatihan/"] = wire(client, "/pelatihan/")

    assert figures.keys() == PAGE_BUDGETS.keys()
    assert over(figures, PAGE_BUDGETS) == {}


def test_step3_first_visit_within_budget(client):
    """Step 3's HTML and every static file it links, on an empty cache."""
    official = Official(client)
    official.sign_up()
    official.step1()
    official.step2()
    assets = sorted(set(ASSET.findall(html_of(client, "/daftar/lokasi"))))
    names = " ".join(assets)
    for needed in ("app.css", "htmx", "upload.js"):
        assert needed in names, f"step 3 no longer links {needed}"
    assert "tus-js-client" not in names, "tus-js-client is to be loaded on demand"

    total = wire(client, "/daftar/lokasi") + sum(wire(client, url) for url in assets)

    assert total <= STEP3_FIRST_VISIT, f"step 3 first visit: {total} B"


def test_precache_within_budget(client):
    """Everything the service worker stores on install, offline page included."""
    script = client.get("/service-worker.js").get_data(as_text=True)
    urls = json.loads(re.search(r"var PRECACHE = (.*);", script).group(1))
    assert urls, "the service worker precaches nothing"

    total = sum(wire(client, url) for url in urls) + wire(client, "/offline")

    assert total <= PRECACHE_BUDGET, f"precache: {total} B for {len(urls) + 1} files"


def test_largest_kecamatan_within_fragment_budget(client):
    """The desa list of the kecamatan with the most desa stays under 1.5 KB."""
    path = f"/wilayah/desa?kecamatan={LARGEST_KECAMATAN}"
    text = client.get(path, headers=HTMX).get_data(as_text=True)
    assert text.count("<option") > 100, "not the largest kecamatan any more"
    assert wire(client, path, HTMX) <= FRAGMENT


@pytest.mark.parametrize(
    ("level", "parent", "model"),
    [("kabupaten", "provinsi", Province), ("kecamatan", "kabupaten", Regency)],
)
def test_every_wilayah_list_within_budget(app, client, level, parent, model):
    """Every kabupaten and kecamatan list, as htmx gets it, is at most 1.5 KB."""
    with app.app_context():
        codes = db.session.scalars(db.select(model.code)).all()
    figures = {
        code: wire(client, f"/wilayah/{level}?{parent}={code}", HTMX) for code in codes
    }
    largest = max(figures, key=figures.get)
    assert over(figures, dict.fromkeys(figures, FRAGMENT)) == {}, (
        f"largest {level} list: {parent} {largest}, {figures[largest]} B"
    )


def test_longest_desa_lists_within_budget(app, client):
    """The desa lists with the most text, as htmx gets them, are at most 1.5 KB.

    A sweep of all 7,285 kecamatan through the app takes half a minute, so the
    lists are ranked in SQL by their text (names plus the markup of each
    option) and by their number of desa, and the longest of both rankings are
    fetched; compressed size follows that text closely.
    """
    text = func.sum(func.length(Village.name) + OPTION_MARKUP)
    with app.app_context():
        ranked = (
            db.select(Village.district_code)
            .where(Village.kind.in_(VILLAGE_KINDS))
            .group_by(Village.district_code)
            .limit(DESA_CANDIDATES)
        )
        longest = db.session.scalars(ranked.order_by(text.desc())).all()
        most = db.session.scalars(ranked.order_by(func.count().desc())).all()
    codes = sorted(set(longest) | set(most))
    assert LARGEST_KECAMATAN in codes

    figures = {
        code: wire(client, f"/wilayah/desa?kecamatan={code}", HTMX) for code in codes
    }

    largest = max(figures, key=figures.get)
    assert over(figures, dict.fromkeys(figures, FRAGMENT)) == {}, (
        f"largest desa list: kecamatan {largest}, {figures[largest]} B"
    )
