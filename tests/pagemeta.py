"""Read what a page tells other sites: its meta tags and alternate links, as a parser sees them."""

from html.parser import HTMLParser


class _Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.alternates: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "meta" and "content" in attributes:
            key = attributes.get("property") or attributes.get("name")
            if key:
                self.meta[key] = attributes["content"]
        if tag == "link" and attributes.get("rel") == "alternate":
            self.alternates.append(attributes)


def page_meta(html: str) -> dict[str, str]:
    """`name`/`property` -> `content` of every meta tag, unescaped as a browser would."""
    head = _Head()
    head.feed(html)
    return head.meta


def feed_links(html: str) -> list[tuple[str, str]]:
    """(href, title) of each Atom feed the page advertises."""
    head = _Head()
    head.feed(html)
    return [
        (link["href"], link.get("title", ""))
        for link in head.alternates
        if link.get("type") == "application/atom+xml"
    ]
