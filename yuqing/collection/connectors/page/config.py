"""Options of a web-page source: a list page and how to pick the article links on it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from cssselect import GenericTranslator, SelectorError

from ...errors import ConfigError, gettext_noop
from ..base import check_keys, platform_option, text_option, web_address, whole_number


@dataclass(frozen=True)
class PageConfig:
    """``list_url`` is fetched; links are chosen by ``link_selector`` (CSS) and/or ``link_pattern`` (regex
    searched in the absolute URL). Only ``max_articles`` new articles are fetched per run."""

    list_url: str
    link_selector: str = ""
    link_pattern: str = ""
    max_articles: int = 20
    same_host: bool = True
    platform: str = ""

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> PageConfig:
        check_keys(options, {"list_url", "link_selector", "link_pattern", "max_articles", "same_host", "platform"})
        selector = text_option(options, "link_selector")
        pattern = text_option(options, "link_pattern")
        if not selector and not pattern:
            raise ConfigError("link_selector", gettext_noop("give a CSS selector or a URL pattern for the article links"))
        if selector:
            try:
                GenericTranslator().css_to_xpath(selector)
            except SelectorError as exc:
                raise ConfigError("link_selector", gettext_noop("not a valid CSS selector: %(reason)s"),
                                  reason=str(exc)) from exc
        if pattern:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError("link_pattern", gettext_noop("not a valid regular expression: %(reason)s"),
                                  reason=str(exc)) from exc
        same_host = options.get("same_host", True)
        if not isinstance(same_host, bool):
            raise ConfigError("same_host", gettext_noop("must be true or false"))
        return cls(
            list_url=web_address(options, "list_url"),
            link_selector=selector,
            link_pattern=pattern,
            max_articles=whole_number(options, "max_articles", 20, minimum=1, maximum=200),
            same_host=same_host,
            platform=platform_option(options),
        )

    def to_options(self) -> dict[str, Any]:
        return asdict(self)
