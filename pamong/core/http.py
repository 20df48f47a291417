"""Answers that are a whole page, or only a fragment for htmx requests."""

from flask import make_response, render_template, request


def is_htmx() -> bool:
    """Tell whether htmx sent this request (and expects a fragment)."""
    return request.headers.get("HX-Request") == "true"


def page_or_fragment(page: str, fragment: str, status: int = 200, **context):
    """Render ``fragment`` for htmx, ``page`` otherwise, varying on HX-Request."""
    template = fragment if is_htmx() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def no_store(response):
    """Mark a response as never to be cached: it carries personal data."""
    response = make_response(response)
    response.cache_control.no_store = True
    response.cache_control.private = True
    return response
