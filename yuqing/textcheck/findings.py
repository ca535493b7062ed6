"""The Finding record produced by every text check, with its category and severity constants."""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum
from json.encoder import encode_basestring


class Severity(StrEnum):
    """How serious a finding is; ``block`` stops publication until someone resolves it."""

    BLOCK = "block"
    WARN = "warn"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"block": 2, "warn": 1, "info": 0}[self.value]


class Category(StrEnum):
    """Categories of findings (SPEC R5.1, R5.3, R5.4, R3.2)."""

    PORNOGRAPHY = "pornography"
    GAMBLING = "gambling"
    DRUGS = "drugs"
    VIOLENCE = "violence"
    FRAUD = "fraud"
    INSULT = "insult"
    ADVERTISING = "advertising"
    OFFICIAL_EXPRESSION = "official_expression"
    WRONG_WORD = "wrong_word"
    ORGANISATION = "organisation"
    PERSONAL_DATA = "personal_data"
    LINK = "link"
    FORMAT = "format"


# Default severity per lexicon category; a lexicon file may override it per section.
DEFAULT_SEVERITY: dict[Category, Severity] = {
    Category.PORNOGRAPHY: Severity.BLOCK,
    Category.GAMBLING: Severity.BLOCK,
    Category.DRUGS: Severity.BLOCK,
    Category.VIOLENCE: Severity.WARN,
    Category.FRAUD: Severity.WARN,
    Category.INSULT: Severity.BLOCK,
    Category.ADVERTISING: Severity.WARN,
    Category.OFFICIAL_EXPRESSION: Severity.WARN,
    Category.WRONG_WORD: Severity.WARN,
    Category.ORGANISATION: Severity.WARN,
    Category.PERSONAL_DATA: Severity.WARN,
    Category.LINK: Severity.WARN,
    Category.FORMAT: Severity.WARN,
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in a text.

    ``start``/``end`` are character offsets into the original text (``text[start:end] == matched``);
    they are ``None`` for findings that are not about a span of the text (format policy on media files).
    """

    rule_id: str
    category: str
    severity: str
    start: int | None
    end: int | None
    matched: str
    normalized: str
    suggestion: str = ""

    def to_dict(self) -> dict:
        # Field by field rather than dataclasses.asdict, which deep-copies every value and costs more than
        # finding the match did.
        return {"rule_id": self.rule_id, "category": self.category, "severity": self.severity,
                "start": self.start, "end": self.end, "matched": self.matched, "normalized": self.normalized,
                "suggestion": self.suggestion}


_new = object.__new__
_SETTERS = tuple(getattr(Finding, f.name).__set__ for f in fields(Finding))
(_set_rule_id, _set_category, _set_severity, _set_start, _set_end, _set_matched, _set_normalized,
 _set_suggestion) = _SETTERS


def new_finding(
    rule_id: str, category: str, severity: str, start: int | None, end: int | None, matched: str,
    normalized: str, suggestion: str = "",
) -> Finding:
    """The same as ``Finding(...)``, about twice as fast: the engine creates one per match, and a frozen
    dataclass's ``__init__`` goes through ``object.__setattr__`` for every field."""
    finding = _new(Finding)
    _set_rule_id(finding, rule_id)
    _set_category(finding, category)
    _set_severity(finding, severity)
    _set_start(finding, start)
    _set_end(finding, end)
    _set_matched(finding, matched)
    _set_normalized(finding, normalized)
    _set_suggestion(finding, suggestion)
    return finding


def findings_json(findings: list[Finding]) -> str:
    """``json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2)``, character for character,
    built by hand: the json module's indenting encoder is pure Python and took longer than the check."""
    if not findings:
        return "[]"
    enc = encode_basestring  # the C encoder json uses with ensure_ascii=False
    cache: dict[str, str] = {}  # rule ids, categories, severities and terms repeat across findings
    parts = []
    for f in findings:
        start, end, suggestion = f.start, f.end, f.suggestion
        rule_id, category, severity, normalized = f.rule_id, f.category, f.severity, f.normalized
        parts.append(_JSON_ITEM % (
            cache.get(rule_id) or cache.setdefault(rule_id, enc(rule_id)),
            cache.get(category) or cache.setdefault(category, enc(category)),
            cache.get(severity) or cache.setdefault(severity, enc(severity)),
            "null" if start is None else int(start), "null" if end is None else int(end), enc(f.matched),
            cache.get(normalized) or cache.setdefault(normalized, enc(normalized)),
            cache.get(suggestion) or cache.setdefault(suggestion, enc(suggestion)),
        ))
    return "[\n" + ",\n".join(parts) + "\n]"


_JSON_ITEM = ('  {\n    "rule_id": %s,\n    "category": %s,\n    "severity": %s,\n    "start": %s,\n    "end": %s,\n'
              '    "matched": %s,\n    "normalized": %s,\n    "suggestion": %s\n  }')


def has_blocking(findings: list[Finding]) -> bool:
    """True when any finding has severity ``block``."""
    return any(f.severity == Severity.BLOCK for f in findings)
