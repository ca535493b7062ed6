"""Make untrusted HTML safe to display (nh3) and turn HTML into plain text."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import lxml.etree
import lxml.html
import nh3

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div", "dl", "dt", "em",
        "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
        "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
        "tfoot", "th", "thead", "time", "tr", "u", "ul",
    }
)
# No event handlers and no style anywhere: only these attributes survive.
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "time": {"datetime"},
    "abbr": {"title"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
_URL_ATTRIBUTES = {"href", "src", "cite"}


def sanitize_html(html: str, *, base_url: str | None = None) -> str:
    """Return ``html`` with only harmless tags: no script, no style, no event handlers, no javascript: URLs.

    Links get ``rel="noopener noreferrer nofollow"``; with ``base_url`` relative links and images are made
    absolute so they still work when shown inside Yuqing.
    """
    if not html:
        return ""

    def absolutise(tag: str, attribute: str, value: str) -> str | None:
        if attribute in _URL_ATTRIBUTES and base_url:
            return urljoin(base_url, value.strip())
        return value

    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style", "noscript", "template", "iframe", "object", "embed"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=absolutise,
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


_BLOCK_TAGS = (
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "section",
    "article", "header", "footer", "table", "ul", "ol", "dd", "dt", "figure", "figcaption", "hr",
)


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment or page: scripts and styles dropped, blocks on their own lines."""
    if not html or not html.strip():
        return ""
    # lxml refuses str input that carries an XML encoding declaration
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return " ".join(html.split())
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    for element in root.iter(*_BLOCK_TAGS):
        element.tail = "\n" + (element.tail or "")
    text = root.text_content()
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)
