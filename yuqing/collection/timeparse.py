"""Parse published times as Chinese sources write them into aware datetimes (Asia/Shanghai by default)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from email.utils import parsedate_to_datetime

from .entries import SHANGHAI
from .errors import CollectionError, gettext_noop


class TimeParseError(CollectionError):
    """The value is not a time this module understands."""


_EPOCH_MS_THRESHOLD = 100_000_000_000  # beyond this many "seconds" (year 5138) it must be milliseconds

_NUM = r"(\d+|半|一|两|二|三|四|五|六|七|八|九|十)"
_CN_DIGITS = {"半": 0.5, "一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_RELATIVE_UNITS = {
    "秒": timedelta(seconds=1),
    "分钟": timedelta(minutes=1),
    "分": timedelta(minutes=1),
    "小时": timedelta(hours=1),
    "个小时": timedelta(hours=1),
    "天": timedelta(days=1),
    "日": timedelta(days=1),
    "周": timedelta(weeks=1),
    "星期": timedelta(weeks=1),
    "个星期": timedelta(weeks=1),
}
_RELATIVE_RE = re.compile(rf"^{_NUM}\s*(秒|分钟|分|个小时|小时|天|日|个星期|星期|周)\s*(?:钟)?\s*(?:前|之前|以前)$")
_EN_RELATIVE_RE = re.compile(r"^(\d+)\s*(second|minute|min|hour|day|week)s?\s+ago$", re.I)
_EN_UNITS = {"second": "秒", "minute": "分钟", "min": "分钟", "hour": "小时", "day": "天", "week": "周"}
_DAY_WORDS = {"今天": 0, "昨天": 1, "前天": 2}
_CLOCK = (
    r"(?:\s*(?P<ampm>上午|下午|晚上|凌晨|中午)?\s*(?P<h>\d{1,2})[:：时点]"
    r"(?:(?P<mi>\d{1,2})分?)?(?:[:：]?(?P<s>\d{1,2})秒?)?)?"
)
_DAY_WORD_RE = re.compile(rf"^(?P<word>今天|昨天|前天){_CLOCK}$")
_CN_DATE_RE = re.compile(rf"^(?:(?P<y>\d{{4}})\s*年\s*)?(?P<m>\d{{1,2}})\s*月\s*(?P<d>\d{{1,2}})\s*[日号]?{_CLOCK}$")
_NUMERIC_DATE_RE = re.compile(
    r"^(?:(?P<y>\d{4})[-/.])?(?P<m>\d{1,2})[-/.](?P<d>\d{1,2})"
    r"(?:[T\s]+(?P<h>\d{1,2}):(?P<mi>\d{1,2})(?::(?P<s>\d{1,2})(?:\.(?P<frac>\d+))?)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?$"
)
# Chinese sites write "CST" meaning China Standard Time (+08:00); email.utils would read it as US Central.
_CST_RE = re.compile(r"\bCST\b")


def _aware(value: datetime, tz: tzinfo) -> datetime:
    return value.replace(tzinfo=tz) if value.tzinfo is None else value


def _cn_number(token: str) -> float:
    return float(token) if token.isdigit() else float(_CN_DIGITS[token])


def _clock(match: re.Match[str]) -> time:
    if match.group("h") is None:
        return time(0, 0)
    hour = int(match.group("h"))
    minute = int(match.group("mi") or 0)
    second = int(match.group("s") or 0)
    ampm = match.group("ampm")
    if ampm in ("下午", "晚上") and hour < 12:
        hour += 12
    elif ampm == "中午" and hour < 11:
        hour += 12
    elif ampm == "凌晨" and hour == 12:
        hour = 0
    return time(hour, minute, second)


def _from_epoch(number: float, tz: tzinfo) -> datetime:
    if abs(number) >= _EPOCH_MS_THRESHOLD:
        number /= 1000
    return datetime.fromtimestamp(number, tz=UTC).astimezone(tz)


def _year_for(month: int, day: int, now: datetime) -> int:
    """A date without a year is this year, unless that lies clearly in the future (then it was last year)."""
    try:
        candidate = date(now.year, month, day)
    except ValueError:
        return now.year - 1
    return now.year - 1 if candidate > now.date() + timedelta(days=1) else now.year


def parse_time(
    value: str | int | float | datetime,
    *,
    now: datetime | None = None,
    default_tz: tzinfo = SHANGHAI,
) -> datetime:
    """Parse a published time; naive results get ``default_tz``; relative ones count back from ``now``.

    Understands ISO 8601, RFC 822, epoch seconds or milliseconds, "2024-05-01 08:00", "2024/5/1",
    "2024年5月1日 08:00", "5月1日 下午3:00", "05-01 08:00", "刚刚", "3分钟前", "昨天 12:00", "2 hours ago".
    Raises ``TimeParseError`` with the value quoted when it cannot be read.
    """
    now = _aware(now or datetime.now(default_tz), default_tz).astimezone(default_tz)
    if isinstance(value, datetime):
        return _aware(value, default_tz)
    if isinstance(value, bool):
        raise TimeParseError(gettext_noop("not a time: %(value)r"), value=value)
    if isinstance(value, int | float):
        return _from_epoch(float(value), default_tz)
    text = " ".join(str(value).split())
    if not text:
        raise TimeParseError(gettext_noop("empty time"))
    if re.fullmatch(r"-?\d{9,13}(\.\d+)?", text):
        return _from_epoch(float(text), default_tz)
    if text in ("刚刚", "刚才", "just now"):
        return now
    if (m := _RELATIVE_RE.match(text)) is not None:
        return now - _RELATIVE_UNITS[m.group(2)] * _cn_number(m.group(1))
    if (m := _EN_RELATIVE_RE.match(text)) is not None:
        return now - _RELATIVE_UNITS[_EN_UNITS[m.group(2).lower()]] * int(m.group(1))
    if (m := _DAY_WORD_RE.match(text)) is not None:
        day = now.date() - timedelta(days=_DAY_WORDS[m.group("word")])
        return datetime.combine(day, _clock(m), tzinfo=default_tz)
    if (m := _CN_DATE_RE.match(text)) is not None:
        month, day_ = int(m.group("m")), int(m.group("d"))
        year = int(m.group("y")) if m.group("y") else _year_for(month, day_, now)
        return _build(year, month, day_, _clock(m), default_tz, text)
    if (m := _NUMERIC_DATE_RE.match(text)) is not None:
        month, day_ = int(m.group("m")), int(m.group("d"))
        year = int(m.group("y")) if m.group("y") else _year_for(month, day_, now)
        micro = int((m.group("frac") or "0")[:6].ljust(6, "0"))
        try:
            clock = time(int(m.group("h") or 0), int(m.group("mi") or 0), int(m.group("s") or 0), micro)
        except ValueError as exc:
            raise TimeParseError(gettext_noop("not a time: %(value)r"), value=text) from exc
        tz: tzinfo = default_tz
        if m.group("tz"):
            tz = datetime.fromisoformat("2000-01-01T00:00:00" + m.group("tz").replace("Z", "+00:00")).tzinfo  # type: ignore[assignment]
        return _build(year, month, day_, clock, tz, text)
    try:
        return _aware(datetime.fromisoformat(text), default_tz)
    except ValueError:
        pass
    try:
        parsed = parsedate_to_datetime(_CST_RE.sub("+0800", text))
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is not None:
        return _aware(parsed, default_tz)
    raise TimeParseError(gettext_noop("not a time: %(value)r"), value=text)


def _build(year: int, month: int, day: int, clock: time, tz: tzinfo, text: str) -> datetime:
    try:
        return datetime.combine(date(year, month, day), clock, tzinfo=tz)
    except ValueError as exc:
        raise TimeParseError(gettext_noop("not a time: %(value)r"), value=text) from exc


def try_parse_time(
    value: str | int | float | datetime | None, *, now: datetime | None = None, default_tz: tzinfo = SHANGHAI
) -> datetime | None:
    """Like ``parse_time`` but returns None for empty or unreadable values."""
    if value is None or value == "":
        return None
    try:
        return parse_time(value, now=now, default_tz=default_tz)
    except TimeParseError:
        return None
