"""Turn RSS 2.0, RSS 1.0 (RDF) and Atom documents into raw entries with feedparser."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from ...decoding import decode_bytes
from ...entries import EntryError, Metric, RawEntry, guess_platform
from ...errors import ParseError, gettext_noop
from ...sanitize import html_to_text
from ...timeparse import try_parse_time

_XML_ENCODING = re.compile(r"^(\s*<\?xml[^>]*?encoding\s*=\s*)([\"'])[\w.:-]+\2", re.I)


@dataclass
class ParsedFeed:
    title: str = ""
    entries: list[RawEntry] = field(default_factory=list)
    errors: list[EntryError] = field(default_factory=list)
    malformed: bool = False  # the XML had errors but entries could still be read


def _to_utf8(content: bytes, content_type: str) -> bytes:
    """Decode with our charset rules (GB2312 labels read as GB18030) and hand feedparser clean UTF-8."""
    text, _ = decode_bytes(content, content_type)
    text = text.lstrip("\ufeff")
    return _XML_ENCODING.sub(r"\1\2utf-8\2", text, count=1).encode("utf-8")


def _first_html(entry: Any) -> str:
    for content in entry.get("content") or ():
        if content.get("value"):
            return str(content["value"])
    return str(entry.get("summary") or entry.get("description") or "")


def _published(entry: Any, now: datetime | None) -> datetime | None:
    for key in ("published", "updated", "created", "dc_date"):
        if (value := try_parse_time(entry.get(key), now=now)) is not None:
            return value
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            return datetime(*parsed[:6], tzinfo=UTC)
    return None


def parse_feed(
    content: bytes,
    *,
    content_type: str = "",
    base_url: str = "",
    platform: str = "",
    now: datetime | None = None,
    max_entries: int = 200,
) -> ParsedFeed:
    """Read a feed document. Malformed XML with no readable entries raises ``ParseError``; malformed XML
    with entries keeps them (``malformed=True``), as browsers and feed readers do."""
    # A file-like object: feedparser never treats it as a URL or a path to open.
    document = _to_utf8(content, content_type)
    parsed = feedparser.parse(
        io.BytesIO(document),
        response_headers={"content-type": "application/xml; charset=utf-8", "content-location": base_url},
        sanitize_html=False,  # we sanitise with nh3 when storing; keep the source's markup intact here
    )
    if not parsed.entries and _is_empty_feed(document):
        # A well-formed feed with no items is a quiet source, not a failing one (feedparser may still set
        # `bozo` for harmless reasons such as an unknown namespace or DOCTYPE).
        return ParsedFeed(title=html_to_text(str(parsed.feed.get("title", ""))))
    if parsed.bozo and not parsed.entries:
        raise _malformed(parsed)
    if not parsed.version and not parsed.entries:
        raise ParseError(gettext_noop("this is not an RSS or Atom feed"))
    feed_title = html_to_text(str(parsed.feed.get("title", "")))
    feed_author = str(parsed.feed.get("author") or "")
    feed_link = str(parsed.feed.get("link") or base_url)
    result = ParsedFeed(title=feed_title, malformed=bool(parsed.bozo))
    for index, entry in enumerate(parsed.entries[:max_entries]):
        link = str(entry.get("link") or "").strip()
        if link:
            link = urljoin(feed_link or base_url, link)
            if urlsplit(link).scheme not in ("http", "https"):
                result.errors.append(EntryError(index, "link", f"not a web address: {link!r}"))
                continue
        html = _first_html(entry)
        title = html_to_text(str(entry.get("title") or ""))
        text = html_to_text(html)
        image = _image(entry, html, feed_link or base_url)
        published = _published(entry, now)
        if not (title or text):
            # A post of only a link, a picture or a date is still a post (a picture on Weibo, a shared link):
            # keep it with the title a reader would give it.
            if not (link or image or published):
                result.errors.append(EntryError(index, "title", "entry has neither a title nor a text"))
                continue
            title = _stand_in_title(html) or UNTITLED
        metrics: dict[str, int] = {}
        comments = str(entry.get("slash_comments") or "").strip()
        if comments.isdigit():
            metrics[Metric.COMMENTS] = int(comments)
        extra: dict[str, Any] = {"feed_title": feed_title}
        tags = [t.get("term") for t in entry.get("tags") or () if t.get("term")]
        if tags:
            extra["tags"] = tags
        if image:
            extra["image"] = image
        result.entries.append(
            RawEntry(
                url=link,
                title=title,
                text=text,
                html=html,
                author=str(entry.get("author") or feed_author),
                published=published,
                platform=platform or guess_platform(link or base_url),
                metrics=metrics,
                extra=extra,
                source_ref=str(entry.get("id") or link),
            )
        )
    if parsed.bozo and not result.entries:
        raise _malformed(parsed)  # the lenient parser found only husks of entries
    return result


UNTITLED = "（无标题）"
_IMG = re.compile(r"<img\b[^>]*>", re.I)
_ATTR = re.compile(r"""\b(src|alt)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_LINK_TEXT = re.compile(r"<a\b[^>]*>(.*?)</a>", re.I | re.S)


def _img_attrs(html: str) -> dict[str, str]:
    match = _IMG.search(html or "")
    if match is None:
        return {}
    return {m.group(1).lower(): (m.group(2) or m.group(3) or m.group(4) or "").strip()
            for m in _ATTR.finditer(match.group(0))}


def _image(entry: Any, html: str, base: str) -> str:
    """The entry's picture: an image enclosure, Media RSS content or thumbnail, or the first <img>."""
    candidates = [e.get("href") or e.get("url") for e in entry.get("enclosures") or ()
                  if str(e.get("type") or "").startswith("image/")]
    candidates += [m.get("url") for m in entry.get("media_content") or () if m.get("url")]
    candidates += [m.get("url") for m in entry.get("media_thumbnail") or () if m.get("url")]
    candidates.append(_img_attrs(html).get("src"))
    for url in candidates:
        if url:
            url = urljoin(base, str(url).strip())
            if urlsplit(url).scheme in ("http", "https"):
                return url
    return ""


def _stand_in_title(html: str) -> str:
    """A title for an entry without one: the text of its first link, else its picture's alt text."""
    for match in _LINK_TEXT.finditer(html or ""):
        text = html_to_text(match.group(1)).strip()
        if text:
            return text[:200]
    return _img_attrs(html).get("alt", "")[:200]


def _is_empty_feed(document: bytes) -> bool:
    """Whether the document is well-formed XML whose root is an RSS, RDF or Atom feed (without items)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(document, parser)
    except etree.XMLSyntaxError:
        return False
    if root is None:
        return False
    name = etree.QName(root).localname.lower()
    return name in ("rss", "feed", "rdf")


def _malformed(parsed: Any) -> ParseError:
    return ParseError(gettext_noop("the feed is not valid XML: %(reason)s"), reason=_bozo_reason(parsed))


def _bozo_reason(parsed: Any) -> str:
    exc = parsed.get("bozo_exception")
    if exc is None:
        return "unknown problem"
    line = getattr(exc, "getLineNumber", lambda: None)()
    message = getattr(exc, "getMessage", lambda: str(exc))()
    return f"line {line}: {message}" if line else str(message)
