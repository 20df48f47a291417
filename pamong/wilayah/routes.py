"""htmx fragments of the wilayah cascade: the options of the next level down.

Each answer holds only ``<option>`` elements for the list below the one that
changed, plus out-of-band resets of the lists further down. The data changes
once a year at most and carries nothing personal, so answers may be cached.
"""

from flask import Response, get_template_attribute, make_response, request

from pamong.wilayah import bp, services

#: How long browsers and shared caches may keep a fragment, in seconds.
MAX_AGE = 24 * 60 * 60

#: Longest query value read; region codes are at most 13 characters.
ARG_MAX = 20


@bp.get("/kabupaten")
def kabupaten():
    """Answer the kabupaten/kota of a provinsi, and empty the lists below."""
    items = services.regencies(_arg("provinsi"))
    return _fragment("kabupaten", items, bool(items), ("kecamatan", "desa"))


@bp.get("/kecamatan")
def kecamatan():
    """Answer the kecamatan of a kabupaten/kota, and empty the desa list."""
    items = services.districts(_arg("kabupaten"))
    return _fragment("kecamatan", items, bool(items), ("desa",))


@bp.get("/desa")
def desa():
    """Answer the desa and desa adat of a kecamatan; kelurahan are left out."""
    code = _arg("kecamatan")
    items = services.desa(code)
    known = bool(items) or services.district_exists(code)
    return _fragment("desa", items, known, ())


def _arg(name: str) -> str:
    """Read a query value, trimmed; anything implausibly long counts as empty."""
    value = request.args.get(name, "").strip()
    return value if len(value) <= ARG_MAX else ""


def _fragment(
    field: str, items: list, known: bool, resets: tuple[str, ...]
) -> Response:
    """Render the options of ``field`` and the resets, cacheable for a day."""
    render = get_template_attribute("wilayah/_options.html", "fragment")
    html = render(field, items, _arg("selected"), known, resets)

    response = make_response(html)
    response.vary.add("HX-Request")
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response
