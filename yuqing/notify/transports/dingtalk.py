"""DingTalk (钉钉) custom robot, signed: HMAC-SHA256 of "timestamp\\nsecret" in the query string."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, quote, quote_plus, urlsplit

from yuqing.notify.transports.message import (
    ConfigError,
    Message,
    PreparedRequest,
    TransportConfig,
    check_base_url,
    check_mobiles,
    check_token,
    json_body,
    truncate_utf8,
)
from yuqing.notify.transports.posting import errcode_judge, http_sender

KIND = "dingtalk"
DEFAULT_BASE_URL = "https://oapi.dingtalk.com"
RATE_LIMIT_PER_MINUTE = 20
MSGTYPES = ("markdown", "text")
MAX_CONTENT_BYTES = 18_000
# -1 system busy, 130101 "send too fast, exceed 20 times per minute".
RETRYABLE_CODES = frozenset({-1, 130101})


@dataclass(frozen=True)
class Config(TransportConfig):
    access_token: str
    secret: str
    msgtype: str = "markdown"
    at_mobiles: tuple[str, ...] = ()
    at_all: bool = False
    base_url: str = DEFAULT_BASE_URL

    SECRET_FIELDS = ("access_token", "secret")

    @classmethod
    def from_url(cls, webhook_url: str, secret: str, **options) -> Config:
        """From the address DingTalk shows, e.g. https://oapi.dingtalk.com/robot/send?access_token=…"""
        parts = urlsplit(webhook_url.strip())
        token = parse_qs(parts.query).get("access_token", [""])[0]
        if not token:
            raise ConfigError("access_token", "the address has no access_token=… parameter")
        return cls(access_token=token, secret=secret, base_url=f"{parts.scheme}://{parts.netloc}", **options)

    @property
    def rate_key(self) -> str:
        return f"{KIND}:{self.access_token}"

    def problems(self) -> dict[str, str]:
        problems: dict[str, str] = {}
        check_token(problems, self.access_token, "access_token")
        if not self.secret or not self.secret.strip():
            problems["secret"] = "is required (the robot's 加签 secret, starting with SEC)"
        if self.msgtype not in MSGTYPES:
            problems["msgtype"] = f"must be one of {', '.join(MSGTYPES)}"
        check_mobiles(problems, self.at_mobiles, "at_mobiles")
        check_base_url(problems, self.base_url)
        return problems


def timestamp_ms(now: datetime) -> int:
    return int(now.timestamp() * 1000)


def sign(secret: str, timestamp: int) -> str:
    """Base64 of HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}") — not yet URL-encoded."""
    string_to_sign = f"{timestamp}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def build_request(config: Config, message: Message, now: datetime) -> PreparedRequest:
    timestamp = timestamp_ms(now)
    signature = quote_plus(sign(config.secret, timestamp))
    url = (
        f"{config.base_url.rstrip('/')}/robot/send?access_token={quote(config.access_token, safe='')}"
        f"&timestamp={timestamp}&sign={signature}"
    )
    # DingTalk only notifies the people named in "at" when their numbers also appear in the content.
    mentions = " ".join(f"@{mobile}" for mobile in config.at_mobiles)
    if config.msgtype == "markdown":
        content = truncate_utf8(message.as_markdown(), MAX_CONTENT_BYTES)
        payload: dict = {
            "msgtype": "markdown",
            "markdown": {"title": message.headline, "text": f"{content}\n\n{mentions}" if mentions else content},
        }
    else:
        content = truncate_utf8(message.as_plain_text(), MAX_CONTENT_BYTES)
        payload = {"msgtype": "text", "text": {"content": f"{content}\n{mentions}" if mentions else content}}
    payload["at"] = {"atMobiles": list(config.at_mobiles), "isAtAll": config.at_all}
    return PreparedRequest(url, {"Content-Type": "application/json; charset=utf-8"}, json_body(payload))


judge = errcode_judge(("errcode",), ("errmsg",), RETRYABLE_CODES)


send = http_sender(build_request, judge)
