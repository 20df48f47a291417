"""Read a rendered form page: what each field shows and the messages at fields.

Tests parse a response body with :class:`Page` instead of matching raw HTML,
so they can check values typed again, choices kept and errors per field.
"""

from html.parser import HTMLParser


class Page(HTMLParser):
    """What a rendered form shows: values, choices and messages per field.

    ``values`` holds text inputs, ``textareas`` text areas, ``checked`` the
    ticked radio buttons and check boxes, ``selected`` the chosen option of
    each select, ``errors`` the message shown at each field, ``summary``
    whether the error summary is on the page, and ``text`` the whole page.
    """

    def __init__(self, html: bytes):
        """Parse ``html``."""
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self.textareas: dict[str, str] = {}
        self.checked: dict[str, set[str]] = {}
        self.selected: dict[str, str] = {}
        self.errors: dict[str, str] = {}
        self.summary = False
        self._select: str | None = None
        self._capture: tuple[str, str] | None = None
        self._text: list[str] = []
        self.text = html.decode("utf-8")
        self.feed(self.text)
        self.close()

    def handle_starttag(self, tag, attrs):
        """Collect inputs, selected options and the start of messages."""
        attributes = dict(attrs)
        name = attributes.get("name") or ""
        if tag == "input":
            kind = attributes.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in attributes:
                    value = attributes.get("value") or ""
                    self.checked.setdefault(name, set()).add(value)
            elif kind not in ("hidden", "file", "submit", "password"):
                self.values[name] = attributes.get("value") or ""
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attributes:
            self.selected[self._select] = attributes.get("value") or ""
        elif tag == "textarea":
            self._capture = ("textarea", name)
            self._text = []
        elif tag == "p" and (attributes.get("id") or "").endswith("-error"):
            self._capture = ("error", attributes["id"].removesuffix("-error"))
            self._text = []
        elif tag == "div" and attributes.get("id") == "error-summary":
            self.summary = True

    def handle_endtag(self, tag):
        """Close a select, a text area or an error message."""
        if tag == "select":
            self._select = None
        elif self._capture and tag in ("p", "textarea"):
            kind, name = self._capture
            text = "".join(self._text)
            if kind == "error":
                self.errors[name] = " ".join(text.split())
            else:
                self.textareas[name] = text.removeprefix("\r\n").removeprefix("\n")
            self._capture = None

    def handle_data(self, data):
        """Keep the text of a message or a text area."""
        if self._capture:
            self._text.append(data)
