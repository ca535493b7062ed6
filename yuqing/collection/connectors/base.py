"""What every connector kit provides, and the option checks they share."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from ..entries import CollectResult, Platform
from ..errors import ConfigError, gettext_noop
from ..fetching import Fetcher, FetchOptions, FetchResult, Validator

IsKnown = Callable[[str], bool]


class ConnectorConfig(Protocol):
    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> ConnectorConfig: ...

    def to_options(self) -> dict[str, Any]: ...


class PullConnector(Protocol):
    """A kind Yuqing polls on a schedule (rss, page, json)."""

    KIND: str
    LABEL: str
    PULL: bool
    Config: type

    def collect(
        self,
        config: Any,
        fetcher: Fetcher,
        *,
        options: FetchOptions | None = None,
        validator: Validator | None = None,
        now: datetime | None = None,
        is_known: IsKnown | None = None,
    ) -> CollectResult: ...


def check_keys(options: Mapping[str, Any], allowed: set[str]) -> None:
    """Refuse unknown option names, so a typo is reported instead of silently ignored."""
    if not isinstance(options, Mapping):
        raise ConfigError("options", gettext_noop("must be an object of option names to values"))
    for key in options:
        if key not in allowed:
            raise ConfigError(
                str(key), gettext_noop("unknown option; known options are %(known)s"), known=", ".join(sorted(allowed))
            )


def web_address(options: Mapping[str, Any], name: str, *, required: bool = True) -> str:
    value = options.get(name)
    if value in (None, ""):
        if required:
            raise ConfigError(name, gettext_noop("a web address is required"))
        return ""
    if not isinstance(value, str):
        raise ConfigError(name, gettext_noop("must be a web address written as text"))
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(name, gettext_noop("must start with http:// or https:// and name a host: %(value)r"),
                          value=value)
    return value


def whole_number(options: Mapping[str, Any], name: str, default: int, *, minimum: int, maximum: int) -> int:
    value = options.get(name, default)
    if value in (None, ""):
        return default
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ConfigError(name, gettext_noop("must be a whole number"))
    try:
        number = int(value)
    except ValueError as exc:
        raise ConfigError(name, gettext_noop("must be a whole number")) from exc
    if not minimum <= number <= maximum:
        raise ConfigError(name, gettext_noop("must be between %(min)s and %(max)s"), min=minimum, max=maximum)
    return number


def text_option(options: Mapping[str, Any], name: str, default: str = "") -> str:
    value = options.get(name, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ConfigError(name, gettext_noop("must be text"))
    return value.strip()


def platform_option(options: Mapping[str, Any], name: str = "platform") -> str:
    value = text_option(options, name)
    if value and value not in set(Platform):
        raise ConfigError(name, gettext_noop("unknown platform; known platforms are %(known)s"),
                          known=", ".join(Platform))
    return value


def header_map(options: Mapping[str, Any], name: str = "headers") -> dict[str, str]:
    value = options.get(name) or {}
    if not isinstance(value, Mapping):
        raise ConfigError(name, gettext_noop("must be an object of header names to values"))
    headers: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+", key):
            raise ConfigError(f"{name}.{key}", gettext_noop("not a valid header name"))
        if not isinstance(item, str) or "\n" in item or "\r" in item:
            raise ConfigError(f"{name}.{key}", gettext_noop("must be one line of text"))
        headers[key] = item
    return headers


def not_modified_result(result: FetchResult, validator: Validator | None) -> CollectResult:
    """A 304: nothing new. Keep the validator we sent, updated by whatever the server sent back."""
    old = validator or Validator()
    fresh = Validator(result.etag or old.etag, result.last_modified or old.last_modified)
    return CollectResult(not_modified=True, validator=fresh, final_url=result.final_url)
