"""Feishu (飞书) custom bot, signed: HMAC-SHA256 keyed with "timestamp\\nsecret" over an empty message."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlsplit

from yuqing.notify.transports.message import (
    ConfigError,
    Message,
    PreparedRequest,
    TransportConfig,
    check_base_url,
    check_token,
    json_body,
    truncate_utf8,
)
from yuqing.notify.transports.posting import errcode_judge, http_sender

KIND = "feishu"
DEFAULT_BASE_URL = "https://open.feishu.cn"  # Lark: https://open.larksuite.com
RATE_LIMIT_PER_MINUTE = 20  # Feishu allows 100/min; we keep the same pace as the other robots
MSG_TYPES = ("interactive", "text")
MAX_CONTENT_BYTES = 18_000
# 11232 frequency limited, 9499 "too many request".
RETRYABLE_CODES = frozenset({11232, 9499})


@dataclass(frozen=True)
class Config(TransportConfig):
    hook_id: str
    secret: str
    msg_type: str = "interactive"
    base_url: str = DEFAULT_BASE_URL

    SECRET_FIELDS = ("hook_id", "secret")

    @classmethod
    def from_url(cls, webhook_url: str, secret: str, **options) -> Config:
        """From the address Feishu shows, e.g. https://open.feishu.cn/open-apis/bot/v2/hook/<id>"""
        parts = urlsplit(webhook_url.strip())
        marker = "/open-apis/bot/v2/hook/"
        if marker not in parts.path:
            raise ConfigError("hook_id", "the address does not contain /open-apis/bot/v2/hook/")
        hook_id = parts.path.split(marker, 1)[1].strip("/")
        return cls(hook_id=hook_id, secret=secret, base_url=f"{parts.scheme}://{parts.netloc}", **options)

    @property
    def rate_key(self) -> str:
        return f"{KIND}:{self.hook_id}"

    def problems(self) -> dict[str, str]:
        problems: dict[str, str] = {}
        check_token(problems, self.hook_id, "hook_id")
        if not self.secret or not self.secret.strip():
            problems["secret"] = "is required (the bot's 签名校验 secret)"
        if self.msg_type not in MSG_TYPES:
            problems["msg_type"] = f"must be one of {', '.join(MSG_TYPES)}"
        check_base_url(problems, self.base_url)
        return problems


def timestamp_s(now: datetime) -> int:
    return int(now.timestamp())


def sign(secret: str, timestamp: int) -> str:
    """Base64 of HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg=b"")."""
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def build_request(config: Config, message: Message, now: datetime) -> PreparedRequest:
    timestamp = timestamp_s(now)
    payload: dict = {"timestamp": str(timestamp), "sign": sign(config.secret, timestamp)}
    if config.msg_type == "interactive":
        level = message.level_enum
        elements: list[dict] = []
        if message.text:
            elements.append({"tag": "markdown", "content": truncate_utf8(message.text, MAX_CONTENT_BYTES)})
        if message.url:
            elements.append({
                "tag": "action",
                "actions": [{
                    "tag": "button",
                    "text": {"tag": "plain_text", "content": "查看详情"},
                    "type": "primary",
                    "url": message.url,
                }],
            })
        footer = message.footer_lines()
        if footer:
            elements.append({"tag": "note", "elements": [{"tag": "plain_text", "content": " ".join(footer)}]})
        payload["msg_type"] = "interactive"
        payload["card"] = {
            "config": {"wide_screen_mode": True},
            # The card's header colour is the level's warning colour (blue/yellow/orange/red).
            "header": {
                "title": {"tag": "plain_text", "content": message.headline},
                "template": level.color if level else "grey",
            },
            "elements": elements,
        }
    else:
        payload["msg_type"] = "text"
        payload["content"] = {"text": truncate_utf8(message.as_plain_text(), MAX_CONTENT_BYTES)}
    url = f"{config.base_url.rstrip('/')}/open-apis/bot/v2/hook/{quote(config.hook_id, safe='')}"
    return PreparedRequest(url, {"Content-Type": "application/json; charset=utf-8"}, json_body(payload))


# New bots answer {"code": 0, "msg": "success"}, older ones {"StatusCode": 0, "StatusMessage": "success"}.
judge = errcode_judge(("code", "StatusCode"), ("msg", "StatusMessage"), RETRYABLE_CODES)


send = http_sender(build_request, judge)
