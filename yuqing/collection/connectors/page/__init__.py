"""Web-page connector: a list page whose links lead to articles; each article's main text is extracted."""

from __future__ import annotations

from datetime import datetime

from ...entries import CollectResult, EntryError
from ...errors import CollectionError, ParseError, gettext_noop
from ...fetching import Fetcher, FetchOptions, Validator
from ..base import IsKnown, not_modified_result
from .config import PageConfig
from .parse import extract_article, extract_links, parse_html

KIND = "page"
LABEL = "Web pages"
PULL = True
Config = PageConfig

__all__ = ["KIND", "LABEL", "PULL", "Config", "PageConfig", "collect", "extract_article", "extract_links",
           "parse_html"]


def collect(
    config: PageConfig,
    fetcher: Fetcher,
    *,
    options: FetchOptions | None = None,
    validator: Validator | None = None,
    now: datetime | None = None,
    is_known: IsKnown | None = None,
) -> CollectResult:
    """Fetch the list page, then each article not yet known (``is_known(url)``), up to ``max_articles``.

    An article that cannot be fetched or read is reported in ``errors``; only if every article fails, or
    no link matches, does the whole run fail with ``ParseError``.
    """
    listing = fetcher.fetch(config.list_url, options=options, validator=validator)
    if listing.not_modified:
        return not_modified_result(listing, validator)
    links = extract_links(
        listing.text, listing.final_url,
        selector=config.link_selector, pattern=config.link_pattern, same_host=config.same_host,
    )
    if not links:
        what = f"selector {config.link_selector!r}" if config.link_selector else f"pattern {config.link_pattern!r}"
        raise ParseError(gettext_noop("no links on the list page match %(what)s"), what=what)
    fresh = [link for link in links if not (is_known and is_known(link))][: config.max_articles]
    result = CollectResult(validator=listing.validator, final_url=listing.final_url)
    for index, link in enumerate(fresh):
        try:
            page = fetcher.fetch(link, options=options)
            result.entries.append(extract_article(page.text, page.final_url, platform=config.platform, now=now))
        except CollectionError as exc:
            result.errors.append(EntryError(index, "url", f"{link}: {exc}", exc.template, exc.params))
    if fresh and not result.entries:
        raise ParseError(
            gettext_noop("none of the %(count)s article pages could be read; first problem: %(first)s"),
            count=len(fresh), first=result.errors[0].message,
        )
    return result
