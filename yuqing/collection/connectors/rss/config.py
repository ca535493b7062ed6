"""Options of an RSS / Atom source."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from ..base import check_keys, platform_option, web_address, whole_number


@dataclass(frozen=True)
class RssConfig:
    """``url`` of the feed (RSSHub routes work as is); ``platform`` overrides guessing from entry links."""

    url: str
    platform: str = ""
    max_entries: int = 200

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> RssConfig:
        check_keys(options, {"url", "platform", "max_entries"})
        return cls(
            url=web_address(options, "url"),
            platform=platform_option(options),
            max_entries=whole_number(options, "max_entries", 200, minimum=1, maximum=5000),
        )

    def to_options(self) -> dict[str, Any]:
        return asdict(self)
