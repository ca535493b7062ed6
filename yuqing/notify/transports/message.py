"""What every transport shares: the alert message, the prepared request, the delivery result, config errors."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from yuqing.levels import Level

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The provider's answer is kept for the delivery log, but a misbehaving endpoint must not fill the database.
MAX_PROVIDER_RESPONSE = 2000
DEFAULT_TIMEOUT = 10.0


def now_shanghai() -> datetime:
    return datetime.now(SHANGHAI)


class ConfigError(ValueError):
    """A bad notifier setting: `field` names it, `reason` says what is wrong."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.field = field_name
        self.reason = reason


class TransportConfig:
    """Mixin for each kind's `Config` dataclass: validation, dict round trip, secret redaction."""

    SECRET_FIELDS: ClassVar[tuple[str, ...]] = ()

    def problems(self) -> dict[str, str]:
        """Every bad field with its reason (empty when valid); forms show them all at once."""
        raise NotImplementedError

    def validate(self) -> None:
        """Raise `ConfigError` naming the first bad field."""
        for name, reason in self.problems().items():
            raise ConfigError(name, reason)

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        for name in data:
            if name not in known:
                raise ConfigError(name, "unknown field")
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            result[f.name] = list(value) if isinstance(value, tuple) else value
        return result

    def redacted(self) -> dict[str, Any]:
        """`to_dict()` with secrets masked but recognisable by their last four characters."""
        result = self.to_dict()
        for name in self.SECRET_FIELDS:
            value = result.get(name) or ""
            result[name] = ("•" * 8 + value[-4:]) if len(value) > 8 else ("•" * len(value))
        return result


def check_base_url(problems: dict[str, str], value: str, name: str = "base_url") -> None:
    if not re.match(r"^https?://[^\s/]+", value or ""):
        problems[name] = "must be an http:// or https:// address"


def check_token(problems: dict[str, str], value: str, name: str) -> None:
    if not value or not value.strip():
        problems[name] = "is required"
    elif re.search(r"[\s/?&#]", value):
        problems[name] = "must not contain spaces or / ? & # (paste only the token itself)"


def check_mobiles(problems: dict[str, str], values: tuple[str, ...], name: str) -> None:
    for mobile in values:
        if not re.fullmatch(r"\+?\d{5,20}|@all", str(mobile)):
            problems[name] = f"{mobile!r} is not a phone number"
            return


@dataclass(frozen=True)
class Message:
    """One alert (or test message) as every channel renders it."""

    title: str
    text: str = ""
    url: str = ""
    level: str = ""  # any Level alias; rendered as its statutory label
    event_id: int | str | None = None
    test: bool = False

    @property
    def level_enum(self) -> Level | None:
        try:
            return Level.from_label(self.level) if self.level else None
        except ValueError:
            return None

    @property
    def level_label(self) -> str:
        level = self.level_enum
        return level.label if level else self.level

    @property
    def headline(self) -> str:
        """Title with the level in 【】 brackets, and a test marker, e.g. 【重大】某校食堂… ."""
        parts = []
        if self.test:
            parts.append("【测试】")
        if self.level_label:
            parts.append(f"【{self.level_label}】")
        parts.append(self.title)
        return "".join(parts)

    def footer_lines(self) -> list[str]:
        lines = []
        if self.event_id is not None:
            lines.append(f"事件编号：{self.event_id}")
        return lines

    def as_markdown(self) -> str:
        lines = [f"### {self.headline}"]
        if self.text:
            lines += ["", self.text]
        if self.url:
            lines += ["", f"[查看详情]({self.url})"]
        footer = self.footer_lines()
        if footer:
            lines += ["", *(f"> {line}" for line in footer)]
        return "\n".join(lines)

    def as_plain_text(self) -> str:
        lines = [self.headline]
        if self.text:
            lines += ["", self.text]
        if self.url:
            lines += ["", f"查看详情：{self.url}"]
        footer = self.footer_lines()
        if footer:
            lines += ["", *footer]
        return "\n".join(lines)

    def to_payload(self, now: datetime) -> dict[str, Any]:
        level = self.level_enum
        return {
            "event_id": self.event_id,
            "level": level.code if level else self.level,
            "level_label": self.level_label,
            "title": self.title,
            "text": self.text,
            "url": self.url,
            "test": self.test,
            "sent_at": now.isoformat(),
        }


@dataclass(frozen=True)
class PreparedRequest:
    """Exactly what will go over the wire, built without any I/O so that tests can check signatures."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    method: str = "POST"

    @property
    def json(self) -> Any:
        return json.loads(self.body)


def json_body(payload: Any) -> bytes:
    # Chinese stays readable in provider logs; compact separators keep signed bodies unambiguous.
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def truncate_utf8(text: str, max_bytes: int, marker: str = "…") -> str:
    """Cut `text` to at most `max_bytes` UTF-8 bytes without splitting a character (robots count bytes)."""
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    budget = max_bytes - len(marker.encode("utf-8"))
    return encoded[:budget].decode("utf-8", "ignore") + marker


@dataclass(frozen=True)
class DeliveryResult:
    """The outcome of one attempt on one channel, as written to the delivery log."""

    ok: bool
    status_code: int | None = None
    provider_response: str = ""
    truncated: bool = False
    error: str = ""
    retryable: bool = False

    @classmethod
    def with_response(cls, *, ok: bool, status_code: int | None, response: str, error: str = "",
                      retryable: bool = False) -> DeliveryResult:
        truncated = len(response) > MAX_PROVIDER_RESPONSE
        return cls(ok, status_code, response[:MAX_PROVIDER_RESPONSE], truncated, error, retryable)

    @classmethod
    def invalid_config(cls, error: ConfigError) -> DeliveryResult:
        return cls(ok=False, error=f"invalid configuration: {error}", retryable=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "status_code": self.status_code,
            "provider_response": self.provider_response,
            "truncated": self.truncated,
            "error": self.error,
            "retryable": self.retryable,
        }
