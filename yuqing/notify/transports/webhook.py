"""Generic webhook: the alert as JSON, signed with HMAC-SHA256 like Yuqing's own inbound webhook."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime

from yuqing.notify.transports.message import (
    Message,
    PreparedRequest,
    TransportConfig,
    check_base_url,
    json_body,
)
from yuqing.notify.transports.posting import http_sender, status_only_judge

KIND = "webhook"
RATE_LIMIT_PER_MINUTE = 60
TIMESTAMP_HEADER = "X-Yuqing-Timestamp"
SIGNATURE_HEADER = "X-Yuqing-Signature"
USER_AGENT = "Yuqing-Notifier/1"
# Headers a user may not override, or the receiver could not verify what we sent.
RESERVED_HEADERS = frozenset({"content-type", "content-length", "host", TIMESTAMP_HEADER.lower(),
                              SIGNATURE_HEADER.lower()})


@dataclass(frozen=True)
class Config(TransportConfig):
    url: str
    secret: str
    headers: dict[str, str] = field(default_factory=dict)

    # The address may carry a token and the extra headers usually do (Authorization: Bearer …): all three are
    # stored encrypted, never shown again and kept out of the audit log.
    SECRET_FIELDS = ("secret", "url", "headers")

    @property
    def rate_key(self) -> str:
        return f"{KIND}:{self.url}"

    def problems(self) -> dict[str, str]:
        problems: dict[str, str] = {}
        check_base_url(problems, self.url, "url")
        if not self.secret or len(self.secret) < 16:
            problems["secret"] = "must be at least 16 characters"
        for name, value in (self.headers or {}).items():
            if name.lower() in RESERVED_HEADERS:
                problems["headers"] = f"{name} is set by Yuqing and cannot be overridden"
            elif not isinstance(value, str) or "\n" in value or "\r" in value:
                problems["headers"] = f"{name} must be a single-line text value"
        return problems


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=` + hex HMAC-SHA256(key=secret, msg=f"{timestamp}." + body)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: bytes, header_value: str) -> bool:
    """For receivers (and tests): constant-time check of the signature header."""
    try:
        expected = signature(secret, int(timestamp), body)
    except ValueError:
        return False
    return hmac.compare_digest(expected, header_value)


def build_request(config: Config, message: Message, now: datetime) -> PreparedRequest:
    timestamp = int(now.timestamp())
    body = json_body(message.to_payload(now))
    headers = {
        **(config.headers or {}),
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(config.secret, timestamp, body),
    }
    return PreparedRequest(config.url, headers, body)


judge = status_only_judge


send = http_sender(build_request, judge)
