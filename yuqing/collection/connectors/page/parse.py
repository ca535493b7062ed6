"""Pick article links from a list page (CSS selector or URL pattern) and extract an article's main text."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.etree
import lxml.html

from ...entries import RawEntry, guess_platform
from ...errors import ParseError, gettext_noop
from ...timeparse import try_parse_time
from .body import best_text, with_trafilatura
from .title import article_title

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# Where sites put the publication time, most precise first (trafilatura only returns a date).
_TIME_XPATHS = (
    "//meta[@property='article:published_time']/@content",
    "//meta[@name='pubdate' or @name='PubDate' or @name='publishdate' or @name='publish_date']/@content",
    "//meta[@itemprop='datePublished']/@content",
    "//meta[@property='og:release_date']/@content",
    "//time[@datetime]/@datetime",
)
_AUTHOR_XPATHS = (
    "//meta[@name='author' or @name='Author']/@content",
    "//meta[@property='article:author']/@content",
)


def parse_html(html: str) -> lxml.html.HtmlElement:
    """Lenient HTML parsing as browsers do; raises ``ParseError`` when there is no markup at all."""
    html = _XML_DECLARATION.sub("", html or "")
    if not html.strip():
        raise ParseError(gettext_noop("the page is empty"))
    try:
        root = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ParseError(gettext_noop("the page is not HTML: %(reason)s"), reason=str(exc)) from exc
    return root


def extract_links(
    html: str, base_url: str, *, selector: str = "", pattern: str = "", same_host: bool = True
) -> list[str]:
    """Absolute http(s) article links in page order, without fragments or repeats."""
    root = parse_html(html)
    if selector:
        anchors = []
        for element in root.cssselect(selector):
            if element.tag == "a" and element.get("href"):
                anchors.append(element)
            else:
                anchors.extend(element.xpath(".//a[@href]")[:1])
    else:
        anchors = root.xpath("//a[@href]")
    regex = re.compile(pattern) if pattern else None
    base_host = urlsplit(base_url).hostname
    links: list[str] = []
    for anchor in anchors:
        href = (anchor.get("href") or "").strip()
        if not href or href.lower().startswith(("javascript:", "mailto:", "#")):
            continue
        url = urldefrag(urljoin(base_url, href))[0]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            continue
        if same_host and parts.hostname != base_host:
            continue
        if regex and not regex.search(url):
            continue
        if url not in links:
            links.append(url)
    return links


def _first(root: lxml.html.HtmlElement, xpaths: tuple[str, ...]) -> str:
    for xpath in xpaths:
        for value in root.xpath(xpath):
            if str(value).strip():
                return str(value).strip()
    return ""


def extract_article(html: str, url: str, *, platform: str = "", now: datetime | None = None) -> RawEntry:
    """Main text, title, author and published time of an article page; ``ParseError`` if it has no text."""
    root = parse_html(html)
    markup = lxml.html.tostring(root, encoding="unicode")
    document = with_trafilatura(markup, url)
    text = best_text(root, markup, (document.text or "") if document is not None else "").strip()
    if not text:
        raise ParseError(gettext_noop("no article text found on %(url)s"), url=url)
    title = article_title(root, fallback=(document.title or "") if document is not None else "")
    author = _first(root, _AUTHOR_XPATHS) or (document.author or "" if document is not None else "")
    published = try_parse_time(_first(root, _TIME_XPATHS), now=now)
    if published is None and document is not None and document.date:
        published = try_parse_time(document.date, now=now)
    return RawEntry(
        url=url,
        title=title,
        text=text,
        html="",  # the page itself is not kept for display; the extracted text is
        author=author,
        published=published,
        platform=platform or guess_platform(url),
        source_ref=url,
        extra={"sitename": document.sitename} if document is not None and document.sitename else {},
    )
