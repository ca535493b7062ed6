"""Read engagement counts as Chinese sites print them: "1.2万", "10w+", "3千", "1,234", "1亿"."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .errors import CollectionError, gettext_noop

_MULTIPLIERS = {"": 1, "k": 1_000, "千": 1_000, "w": 10_000, "万": 10_000, "m": 1_000_000, "百万": 1_000_000,
                "千万": 10_000_000, "亿": 100_000_000}
_COUNT_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*(百万|千万|k|千|w|万|m|亿)?\+?$", re.I)


class CountError(CollectionError):
    """The value is not a count."""


def parse_count(value: object) -> int:
    """Return a non-negative integer count; raises ``CountError`` naming the value otherwise."""
    if isinstance(value, bool):
        raise CountError(gettext_noop("not a count: %(value)r"), value=value)
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(str(value))
    else:
        text = str(value).strip().replace(",", "").replace("，", "").replace(" ", "")
        match = _COUNT_RE.match(text)
        if not match:
            raise CountError(gettext_noop("not a count: %(value)r"), value=value)
        try:
            number = Decimal(match.group(1)) * _MULTIPLIERS[(match.group(2) or "").lower()]
        except InvalidOperation as exc:
            raise CountError(gettext_noop("not a count: %(value)r"), value=value) from exc
    if number < 0:
        raise CountError(gettext_noop("count cannot be negative: %(value)r"), value=value)
    return int(number)
