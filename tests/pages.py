"""Reading what a page hands its scripts and crawlers: the text of its <script> elements."""

from html.parser import HTMLParser


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[dict, str]] = []
        self.inside = False

    def handle_starttag(self, tag, attrs):
        self.inside = tag == "script"
        if self.inside:
            self.found.append((dict(attrs), ""))

    def handle_data(self, data):
        if self.inside:
            attrs, text = self.found[-1]
            self.found[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        self.inside = False


def script_texts(html: str, **attrs: str) -> list[str]:
    """The text of each <script> in `html` whose attributes include `attrs`, in page order."""
    parser = _Scripts()
    parser.feed(html)
    return [
        text
        for found, text in parser.found
        if all(found.get(name) == value for name, value in attrs.items())
    ]
