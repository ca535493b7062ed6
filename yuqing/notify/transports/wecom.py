"""WeCom (企业微信) group robot: JSON POST to the webhook with the robot key in the query string."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, quote, urlsplit

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

KIND = "wecom"
DEFAULT_BASE_URL = "https://qyapi.weixin.qq.com"
RATE_LIMIT_PER_MINUTE = 20
MSGTYPES = ("markdown", "text")
# WeCom refuses longer contents; limits are in UTF-8 bytes.
MAX_MARKDOWN_BYTES = 4096
MAX_TEXT_BYTES = 2048
# -1 system busy, 45009 API frequency limit exceeded.
RETRYABLE_CODES = frozenset({-1, 45009})


@dataclass(frozen=True)
class Config(TransportConfig):
    key: str
    msgtype: str = "markdown"
    mentioned_mobiles: tuple[str, ...] = ()
    base_url: str = DEFAULT_BASE_URL

    SECRET_FIELDS = ("key",)

    @classmethod
    def from_url(cls, webhook_url: str, **options) -> Config:
        """From the address WeCom shows, e.g. https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"""
        parts = urlsplit(webhook_url.strip())
        key = parse_qs(parts.query).get("key", [""])[0]
        if not key:
            raise ConfigError("key", "the address has no key=… parameter")
        return cls(key=key, base_url=f"{parts.scheme}://{parts.netloc}", **options)

    @property
    def rate_key(self) -> str:
        return f"{KIND}:{self.key}"

    def problems(self) -> dict[str, str]:
        problems: dict[str, str] = {}
        check_token(problems, self.key, "key")
        if self.msgtype not in MSGTYPES:
            problems["msgtype"] = f"must be one of {', '.join(MSGTYPES)}"
        check_mobiles(problems, self.mentioned_mobiles, "mentioned_mobiles")
        check_base_url(problems, self.base_url)
        return problems


def build_request(config: Config, message: Message, now: datetime) -> PreparedRequest:
    url = f"{config.base_url.rstrip('/')}/cgi-bin/webhook/send?key={quote(config.key, safe='')}"
    if config.msgtype == "markdown":
        content = truncate_utf8(message.as_markdown(), MAX_MARKDOWN_BYTES)
        payload = {"msgtype": "markdown", "markdown": {"content": content}}
    else:
        content = truncate_utf8(message.as_plain_text(), MAX_TEXT_BYTES)
        text: dict = {"content": content}
        if config.mentioned_mobiles:
            text["mentioned_mobile_list"] = list(config.mentioned_mobiles)
        payload = {"msgtype": "text", "text": text}
    return PreparedRequest(url, {"Content-Type": "application/json; charset=utf-8"}, json_body(payload))


judge = errcode_judge(("errcode",), ("errmsg",), RETRYABLE_CODES)


send = http_sender(build_request, judge)
