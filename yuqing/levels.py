"""The four statutory levels of an online public-opinion event (一般 · 较大 · 重大 · 特别重大), their labels,
colours and every alias people write; pure, shared by detection, notify, incidents and reports."""

from __future__ import annotations

import re
import unicodedata
from enum import IntEnum

__all__ = ["LEVEL_LABELS", "Level", "parse_level"]


class Level(IntEnum):
    """The four statutory levels, ordered so that `Level.MAJOR > Level.GENERAL`."""

    GENERAL = 1  # 一般 · Ⅳ · blue
    RELATIVELY_MAJOR = 2  # 较大 · Ⅲ · yellow
    MAJOR = 3  # 重大 · Ⅱ · orange
    ESPECIALLY_MAJOR = 4  # 特别重大 · Ⅰ · red

    @property
    def code(self) -> str:
        """Stable lower-case name used in JSON and URLs: general, relatively_major, major, especially_major."""
        return self.name.lower()

    @property
    def label(self) -> str:
        """The statutory Chinese label: 一般, 较大, 重大, 特别重大."""
        return _LEVEL_INFO[self][0]

    @property
    def roman(self) -> str:
        """Ⅳ for 一般 down to Ⅰ for 特别重大."""
        return _LEVEL_INFO[self][1]

    @property
    def color(self) -> str:
        """blue, yellow, orange, red (the warning colours)."""
        return _LEVEL_INFO[self][2]

    @property
    def color_zh(self) -> str:
        return _LEVEL_INFO[self][3]

    @property
    def english(self) -> str:
        return _LEVEL_INFO[self][4]

    @property
    def is_major(self) -> bool:
        """重大 and 特别重大: alerted at once, never held by quiet hours."""
        return self >= Level.MAJOR

    @classmethod
    def from_label(cls, value: Level | int | str) -> Level:
        """Parse any alias: 一般/较大/重大/特别重大, Ⅳ–Ⅰ, IV–I, blue/yellow/orange/red, 蓝/黄/橙/红, codes."""
        if isinstance(value, Level):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return cls(value)
        if not isinstance(value, str):
            raise ValueError(f"not a level: {value!r}")
        key = _alias_key(value)
        level = _ALIASES.get(key)
        if level is None:
            # "Ⅱ级", "橙色预警", "level II" are how people write them in documents.
            stripped = re.sub(r"^(level)|(级|色|预警|级预警|色预警|level)+$", "", key)
            level = _ALIASES.get(stripped)
        if level is None:
            raise ValueError(f"not a level: {value!r} (use 一般/较大/重大/特别重大, Ⅳ–Ⅰ or blue/yellow/orange/red)")
        return level

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(code, label) pairs, for form fields and Django `choices`."""
        return [(level.code, level.label) for level in cls]


_LEVEL_INFO = {
    Level.GENERAL: ("一般", "Ⅳ", "blue", "蓝", "general"),
    Level.RELATIVELY_MAJOR: ("较大", "Ⅲ", "yellow", "黄", "relatively major"),
    Level.MAJOR: ("重大", "Ⅱ", "orange", "橙", "major"),
    Level.ESPECIALLY_MAJOR: ("特别重大", "Ⅰ", "red", "红", "especially major"),
}
_ROMAN_ASCII = {Level.GENERAL: "iv", Level.RELATIVELY_MAJOR: "iii", Level.MAJOR: "ii", Level.ESPECIALLY_MAJOR: "i"}


def _alias_key(value: str) -> str:
    # NFKC turns the Roman-numeral characters Ⅳ into the letters "IV" and full-width letters into ASCII.
    return re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFKC", value).casefold())


def _build_aliases() -> dict[str, Level]:
    aliases: dict[str, Level] = {}
    for level, (label, roman, color, color_zh, english) in _LEVEL_INFO.items():
        for alias in (label, roman, color, color_zh, english, level.code, _ROMAN_ASCII[level]):
            aliases[_alias_key(alias)] = level
    return aliases


_ALIASES = _build_aliases()


LEVEL_LABELS = {level: level.label for level in Level}


def parse_level(value: Level | int | str) -> Level:
    """Any alias to a Level: "重大", "major", "Ⅱ", "II级", "orange", "橙色预警", 3, "3" …; ``ValueError``
    otherwise."""
    if isinstance(value, str) and value.strip().isdigit():  # a form or query string's "3"
        value = int(value)
    return Level.from_label(value)
