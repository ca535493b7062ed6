"""Options of a webhook (push) source: the shared secret and the replay window."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from ...errors import ConfigError, gettext_noop
from ..base import check_keys, platform_option, whole_number

MIN_SECRET_LENGTH = 16
DEFAULT_WINDOW = 300


def generate_secret() -> str:
    """A fresh random secret to show the administrator once when the source is created."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class WebhookConfig:
    """``secret`` signs pushes (store it encrypted); ``previous_secret`` still verifies during a rotation."""

    secret: str
    previous_secret: str = ""
    window: int = DEFAULT_WINDOW
    platform: str = ""
    max_entries: int = 1000

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> WebhookConfig:
        check_keys(options, {"secret", "previous_secret", "window", "platform", "max_entries"})
        secret = options.get("secret")
        if not isinstance(secret, str) or len(secret) < MIN_SECRET_LENGTH:
            raise ConfigError("secret", gettext_noop("must be at least %(length)s characters"),
                              length=MIN_SECRET_LENGTH)
        previous = options.get("previous_secret") or ""
        if previous and (not isinstance(previous, str) or len(previous) < MIN_SECRET_LENGTH):
            raise ConfigError("previous_secret", gettext_noop("must be at least %(length)s characters"),
                              length=MIN_SECRET_LENGTH)
        return cls(
            secret=secret,
            previous_secret=previous,
            window=whole_number(options, "window", DEFAULT_WINDOW, minimum=30, maximum=3600),
            platform=platform_option(options),
            max_entries=whole_number(options, "max_entries", 1000, minimum=1, maximum=10000),
        )

    def to_options(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def secrets(self) -> list[str]:
        return [s for s in (self.secret, self.previous_secret) if s]
