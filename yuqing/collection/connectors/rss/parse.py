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
    parsed = feedparser.parse(
        io.BytesIO(_to_utf8(content, content_type)),
        response_headers={"content-type": "application/xml; charset=utf-8", "content-location": base_url},
        sanitize_html=False,  # we sanitise with nh3 when storing; keep the source's markup intact here
    )
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
        if not (title or text):
            result.errors.append(EntryError(index, "title", "entry has neither a title nor a text"))
            continue
        metrics: dict[str, int] = {}
        comments = str(entry.get("slash_comments") or "").strip()
        if comments.isdigit():
            metrics[Metric.COMMENTS] = int(comments)
        extra: dict[str, Any] = {"feed_title": feed_title}
        tags = [t.get("term") for t in entry.get("tags") or () if t.get("term")]
        if tags:
            extra["tags"] = tags
        result.entries.append(
            RawEntry(
                url=link,
                title=title,
                text=text,
                html=html,
                author=str(entry.get("author") or feed_author),
                published=_published(entry, now),
                platform=platform or guess_platform(link or base_url),
                metrics=metrics,
                extra=extra,
                source_ref=str(entry.get("id") or link),
            )
        )
    if parsed.bozo and not result.entries:
        raise _malformed(parsed)  # the lenient parser found only husks of entries
    return result


def _malformed(parsed: Any) -> ParseError:
    return ParseError(gettext_noop("the feed is not valid XML: %(reason)s"), reason=_bozo_reason(parsed))


def _bozo_reason(parsed: Any) -> str:
    exc = parsed.get("bozo_exception")
    if exc is None:
        return "unknown problem"
    line = getattr(exc, "getLineNumber", lambda: None)()
    message = getattr(exc, "getMessage", lambda: str(exc))()
    return f"line {line}: {message}" if line else str(message)
