"""Options of a JSON API source: address, headers or token, and the field mapping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...errors import ConfigError, gettext_noop
from ...mapping import FieldMapping
from ..base import check_keys, header_map, platform_option, text_option, web_address, whole_number


@dataclass(frozen=True)
class JsonConfig:
    """``items`` is the dotted path to the list of records ("" when the response is the list itself);
    ``mapping`` says where each field is inside one record. ``token`` is sent as
    ``<token_header>: <token_prefix><token>`` (default ``Authorization: Bearer …``); store it encrypted."""

    url: str
    mapping: FieldMapping
    items: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    token: str = ""
    token_header: str = "Authorization"
    token_prefix: str = "Bearer "
    platform: str = ""
    max_entries: int = 500

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> JsonConfig:
        check_keys(options, {"url", "mapping", "items", "headers", "token", "token_header", "token_prefix",
                             "platform", "max_entries"})
        if "mapping" not in options:
            raise ConfigError("mapping", gettext_noop("a field mapping is required"))
        token_header = text_option(options, "token_header", "Authorization")
        header_map({token_header: "x"}, "token_header")  # same name rules as other headers
        prefix = options.get("token_prefix", "Bearer ")
        if not isinstance(prefix, str):
            raise ConfigError("token_prefix", gettext_noop("must be text"))
        return cls(
            url=web_address(options, "url"),
            mapping=FieldMapping.from_dict(options["mapping"]),
            items=text_option(options, "items"),
            headers=header_map(options),
            token=text_option(options, "token"),
            token_header=token_header,
            token_prefix=prefix,
            platform=platform_option(options),
            max_entries=whole_number(options, "max_entries", 500, minimum=1, maximum=10000),
        )

    def to_options(self) -> dict[str, Any]:
        return {
            "url": self.url, "mapping": self.mapping.to_dict(), "items": self.items, "headers": dict(self.headers),
            "token": self.token, "token_header": self.token_header, "token_prefix": self.token_prefix,
            "platform": self.platform, "max_entries": self.max_entries,
        }

    def request_headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json", **self.headers}
        if self.token:
            headers[self.token_header] = self.token_prefix + self.token
        return headers
