"""ETags and 304 answers: a client that has the bytes does not get them again.

Every cacheable text answer (pages without personal data, wilayah fragments,
static files, the service worker, the manifest) carries a strong ETag of the
bytes as sent. The gzip and the plain variant have different tags, a page and
its htmx fragment too, and ``Vary`` names what the answer depends on. Pages
marked no-store carry no tag and keep their Cache-Control.
"""

import gzip

import brotli
import pytest

from pamong.core.http import page_or_fragment
from tests.helpers import KECAMATAN, Official

GZIP = {"Accept-Encoding": "gzip"}
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}
PLAIN = {"Accept-Encoding": "identity"}
HTMX = {"HX-Request": "true"}


def again(client, path: str, first, headers: dict):
    """Ask for ``path`` again, sending back the ETag of ``first``."""
    return client.get(path, headers={**headers, "If-None-Match": first.headers["ETag"]})


def test_page_gets_strong_etag_and_304(client):
    """The offline page is tagged; sending the tag back gives 304 and no body."""
    first = client.get("/offline", headers=GZIP)
    assert first.status_code == 200
    tag = first.headers["ETag"]
    assert tag.startswith('"'), "the tag must be strong"
    assert first.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in first.headers["Vary"]
    assert "no-cache" in first.headers["Cache-Control"]

    second = again(client, "/offline", first, GZIP)

    assert second.status_code == 304
    assert second.data == b""
    assert second.headers["ETag"] == tag
    assert "Content-Encoding" not in second.headers


def test_gzip_and_plain_variants_have_different_tags(client):
    """A tag of the gzip bytes never validates the plain bytes, nor the reverse."""
    packed = client.get("/offline", headers=GZIP)
    plain = client.get("/offline", headers=PLAIN)

    assert "Content-Encoding" not in plain.headers
    assert gzip.decompress(packed.data) == plain.data
    assert packed.headers["ETag"] != plain.headers["ETag"]
    assert "Accept-Encoding" in plain.headers["Vary"]

    crossed = again(client, "/offline", packed, PLAIN)
    assert crossed.status_code == 200
    assert crossed.data == plain.data
    crossed = again(client, "/offline", plain, GZIP)
    assert crossed.status_code == 200
    assert crossed.data == packed.data


def test_brotli_variant_has_its_own_tag(client):
    """A browser that takes brotli gets it, under a tag of its own."""
    packed = client.get("/offline", headers=BROWSER)
    plain = client.get("/offline", headers=PLAIN)
    zipped = client.get("/offline", headers=GZIP)

    assert packed.headers["Content-Encoding"] == "br"
    assert brotli.decompress(packed.data) == plain.data
    assert len(packed.data) < len(zipped.data)
    tags = {r.headers["ETag"] for r in (packed, plain, zipped)}
    assert len(tags) == 3
    assert again(client, "/offline", packed, BROWSER).status_code == 304
    assert again(client, "/offline", zipped, BROWSER).status_code == 200


def test_refused_encodings_are_not_used(client):
    """``q=0`` refuses an encoding; gzip then, or nothing at all."""
    only_gzip = client.get("/offline", headers={"Accept-Encoding": "br;q=0, gzip"})
    assert only_gzip.headers["Content-Encoding"] == "gzip"
    neither = client.get("/offline", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in neither.headers


def test_stale_tag_gets_the_whole_page(client):
    """A tag the server no longer sends gets a full answer."""
    stale = client.get(
        "/offline", headers={**GZIP, "If-None-Match": '"0000000000000000"'}
    )
    assert stale.status_code == 200
    assert stale.data


def test_head_is_conditional_too(client):
    """HEAD with a matching tag also gets 304."""
    first = client.get("/offline", headers=GZIP)
    head = client.head(
        "/offline", headers={**GZIP, "If-None-Match": first.headers["ETag"]}
    )
    assert head.status_code == 304


@pytest.mark.parametrize("path", ["/daftar", "/masuk", "/lupa-sandi"])
def test_no_store_pages_get_no_tag(client, path):
    """Pages with a CSRF token keep no-store, private, and get no tag nor 304."""
    response = client.get(path, headers={**GZIP, "If-None-Match": "*"})
    assert response.status_code == 200
    assert "ETag" not in response.headers
    assert "no-store" in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]


def test_logged_in_pages_get_no_tag(client):
    """Step pages with personal data are never tagged, whatever is sent."""
    official = Official(client)
    official.sign_up()
    official.step1()
    response = client.get("/daftar/identitas", headers={**GZIP, "If-None-Match": "*"})
    assert response.status_code == 200
    assert "ETag" not in response.headers
    assert "no-store" in response.headers["Cache-Control"]


def test_tag_of_anonymous_page_does_not_hide_a_redirect(client):
    """After logging in, the welcome page's old tag gets the redirect, not 304."""
    welcome = client.get("/", headers=GZIP)
    assert welcome.status_code == 200
    Official(client).sign_up()

    response = again(client, "/", welcome, GZIP)

    assert response.status_code == 302


def test_page_and_fragment_have_different_tags(app, client):
    """An htmx fragment is never validated by the page's tag, nor the reverse."""
    app.add_url_rule(
        "/_probe",
        "probe",
        lambda: page_or_fragment("offline.html", "errors/_error.html", message="x"),
    )
    page = client.get("/_probe", headers=GZIP)
    fragment = client.get("/_probe", headers={**GZIP, **HTMX})

    assert b"<html" in gzip.decompress(page.data)
    assert b"<html" not in fragment.data
    assert page.headers["ETag"] != fragment.headers["ETag"]
    assert "HX-Request" in page.headers["Vary"]
    assert "HX-Request" in fragment.headers["Vary"]
    assert again(client, "/_probe", page, {**GZIP, **HTMX}).status_code == 200
    assert again(client, "/_probe", fragment, GZIP).status_code == 200
    assert again(client, "/_probe", fragment, {**GZIP, **HTMX}).status_code == 304


def test_wilayah_fragment_revalidates(client):
    """A wilayah list keeps its day of caching and is then revalidated by tag."""
    path = f"/wilayah/desa?kecamatan={KECAMATAN}"
    first = client.get(path, headers={**GZIP, **HTMX})
    assert first.status_code == 200
    assert first.cache_control.public
    assert first.cache_control.max_age == 86400
    assert "HX-Request" in first.headers["Vary"]

    second = again(client, path, first, {**GZIP, **HTMX})

    assert second.status_code == 304
    assert second.data == b""


def test_static_gzip_variant_gets_its_own_tag(app, client):
    """A hashed static file: gzip and plain tags differ; each gives 304."""
    version = app.extensions["asset_hashes"]["css/app.css"]
    path = f"/static/css/app.css?v={version}"
    packed = client.get(path, headers=GZIP)
    plain = client.get(path, headers=PLAIN)

    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["ETag"] != plain.headers["ETag"]
    assert "immutable" in packed.headers["Cache-Control"]
    assert again(client, path, packed, GZIP).status_code == 304
    assert again(client, path, plain, PLAIN).status_code == 304
    assert again(client, path, plain, GZIP).status_code == 200

    squeezed = client.get(path, headers=BROWSER)
    assert squeezed.headers["Content-Encoding"] == "br"
    assert brotli.decompress(squeezed.data) == plain.data
    assert again(client, path, squeezed, BROWSER).status_code == 304


def test_static_range_is_never_compressed(app, client):
    """A byte range of a static file is sent as is, not gzipped."""
    version = app.extensions["asset_hashes"]["css/app.css"]
    path = f"/static/css/app.css?v={version}"
    whole = client.get(path, headers=PLAIN).data

    part = client.get(path, headers={**GZIP, "Range": "bytes=0-1023"})

    assert part.status_code == 206
    assert "Content-Encoding" not in part.headers
    assert part.data == whole[:1024]


def test_service_worker_revalidates(client):
    """The service worker script, gzipped, gets 304 for its own tag."""
    first = client.get("/service-worker.js", headers=GZIP)
    assert first.headers["Content-Encoding"] == "gzip"
    assert "no-cache" in first.headers["Cache-Control"]
    assert again(client, "/service-worker.js", first, GZIP).status_code == 304


def test_errors_and_posts_are_never_304(client):
    """A 404 page has no tag; a POST is never answered 304."""
    missing = client.get("/tidak-ada", headers={**GZIP, "If-None-Match": "*"})
    assert missing.status_code == 404
    assert "ETag" not in missing.headers

    posted = client.post("/daftar", headers={"If-None-Match": "*"}, data={})
    assert posted.status_code != 304
