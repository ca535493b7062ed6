"""RSS / Atom connector: RSS 2.0, RSS 1.0 (RDF) and Atom feeds, including RSSHub output."""

from __future__ import annotations

from datetime import datetime

from ...entries import CollectResult
from ...fetching import Fetcher, FetchOptions, Validator
from ..base import IsKnown, not_modified_result
from .config import RssConfig
from .parse import ParsedFeed, parse_feed

KIND = "rss"
LABEL = "RSS / Atom feed"
PULL = True
Config = RssConfig
ACCEPT = "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, */*;q=0.5"

__all__ = ["KIND", "LABEL", "PULL", "Config", "RssConfig", "ParsedFeed", "parse_feed", "collect"]


def collect(
    config: RssConfig,
    fetcher: Fetcher,
    *,
    options: FetchOptions | None = None,
    validator: Validator | None = None,
    now: datetime | None = None,
    is_known: IsKnown | None = None,
) -> CollectResult:
    """Fetch the feed (conditionally) and return its entries; raises FetchError or ParseError."""
    result = fetcher.fetch(config.url, options=options, validator=validator, headers={"Accept": ACCEPT})
    if result.not_modified:
        return not_modified_result(result, validator)
    feed = parse_feed(
        result.content,
        content_type=result.content_type,
        base_url=result.final_url,
        platform=config.platform,
        now=now,
        max_entries=config.max_entries,
    )
    return CollectResult(
        entries=feed.entries, errors=feed.errors, validator=result.validator, final_url=result.final_url
    )
