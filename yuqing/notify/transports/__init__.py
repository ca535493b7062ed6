"""Notifier transports: one module per kind (email, wecom, dingtalk, feishu, webhook) with one interface.

Each kind module has `KIND`, `RATE_LIMIT_PER_MINUTE`, a `Config` dataclass (`validate()`, `problems()`,
`from_dict()`, `to_dict()`, `redacted()`, `rate_key`), `build_request(config, message, now)` (pure) and
`send(config, message, *, client=None, timeout=10.0, now=None) -> DeliveryResult` (one attempt, never raises
for delivery failures).
"""

from __future__ import annotations

from types import ModuleType

from yuqing.notify.transports import dingtalk, email, feishu, webhook, wecom
from yuqing.notify.transports.backoff import retry_delay, retry_delays
from yuqing.notify.transports.message import ConfigError, DeliveryResult, Message, PreparedRequest
from yuqing.notify.transports.quiet_hours import QuietWindow, is_quiet, release_time, should_hold

TRANSPORTS: dict[str, ModuleType] = {
    module.KIND: module for module in (email, wecom, dingtalk, feishu, webhook)
}
KINDS = tuple(TRANSPORTS)


def get_transport(kind: str) -> ModuleType:
    """The module for `kind`; raises `KeyError` naming the known kinds."""
    try:
        return TRANSPORTS[kind]
    except KeyError:
        raise KeyError(f"unknown notifier kind {kind!r}; known: {', '.join(KINDS)}") from None


def config_from_dict(kind: str, data: dict):
    """Build and validate a kind's `Config` from stored JSON; raises `ConfigError` naming the bad field."""
    try:
        config = get_transport(kind).Config.from_dict(data)
    except TypeError as error:
        # A required field is missing: name it the way validate() would.
        missing = str(error).rsplit(":", 1)[-1].strip().strip("'")
        raise ConfigError(missing or "config", "is required") from None
    config.validate()
    return config


__all__ = [
    "KINDS",
    "TRANSPORTS",
    "ConfigError",
    "DeliveryResult",
    "Message",
    "PreparedRequest",
    "QuietWindow",
    "config_from_dict",
    "get_transport",
    "is_quiet",
    "release_time",
    "retry_delay",
    "retry_delays",
    "should_hold",
]
