"""Personal data in text (SPEC R5.3): resident ID numbers, mobile numbers, bank cards, e-mail, student numbers.

Detection runs on the original text, so offsets need no mapping. Digits may be full-width (Python's
``\\d`` matches them; they are folded before validation).
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .findings import Category, Finding, Severity, new_finding

RULE_RESIDENT_ID = "pii.resident_id"
RULE_MOBILE = "pii.mobile"
RULE_BANK_CARD = "pii.bank_card"
RULE_EMAIL = "pii.email"
RULE_STUDENT_NUMBER = "pii.student_number"
RULE_ADDRESS = "pii.address"

# Province-level codes of GB/T 2260 (11 Beijing … 65 Xinjiang), 71 Taiwan, 81/82 Hong Kong/Macao,
# 83 residence permits for Taiwan residents, 91 foreigners' permanent residence (2023 format).
PROVINCE_CODES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54,
     61, 62, 63, 64, 65, 71, 81, 82, 83, 91}
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_EARLIEST_BIRTH = dt.date(1900, 1, 1)

# Every pattern starts with a character class so that the regex engine can skip ahead in C; the context
# checks a look-behind would do are made in Python on the few candidates instead.
# A run of digits, possibly grouped by spaces or hyphens, optionally ending in X (ID numbers).
_NUMBER_RE = re.compile(r"[+\d][\d -]{9,26}[XxＸｘ]?")
_ALNUM_RE = re.compile(r"[\dA-Za-zＡ-Ｚａ-ｚ]")
_SEPARATORS_RE = re.compile(r"[ -]")
_EMAIL_DOMAIN_RE = re.compile(r"[@＠]([A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24})(?![A-Za-z0-9-])")
_EMAIL_LOCAL_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}\Z")
_ADDRESS_TAIL_RE = re.compile(r"(?:路|街|巷|大道|胡同)\d{1,5}号(?:[\u4e00-\u9fff\d-]{0,10}(?:栋|幢|单元|室|号楼))?")
_ADDRESS_HEAD_RE = re.compile(r"[\u4e00-\u9fff]{2,12}\Z")


# Every number finding has at least this many decimal digits (a mobile number 11, ID and card numbers more).
MIN_NUMBER_DIGITS = 11
# Characters without which there is no e-mail address or house number (see ``PersonalDataDetector.find``).
_HINT_CHARS = "@＠号"


@lru_cache(maxsize=1)
def _hint_weights() -> np.ndarray:
    """Per code point: 1 for what ``\\d`` matches, MIN_NUMBER_DIGITS for a character in _HINT_CHARS, else 0.

    A text whose weights sum to less than MIN_NUMBER_DIGITS cannot hold personal data (without
    student-number patterns), which lets bulk checking skip most texts with one numpy pass.
    """
    weights = np.zeros(sys.maxunicode + 1, dtype=np.uint8)
    # Unicode assigns no decimal digits from U+20000 on (ideographs, tags, private use), so the scan stops there.
    below = "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, 0x20000)))
    digits = [ord(m.group()) for m in re.finditer(r"\d", below)]
    weights[digits] = 1
    weights[[ord(c) for c in _HINT_CHARS]] = MIN_NUMBER_DIGITS
    return weights


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()  # Asia/Shanghai has no DST


def resident_id_valid(number: str, today: dt.date | None = None) -> bool:
    """GB 11643-1999: 6-digit region with a known province, a real birth date, GB 11643 check character."""
    number = unicodedata.normalize("NFKC", number).upper()
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return False
    if int(number[:2]) not in PROVINCE_CODES or number[2:6] == "0000":
        return False
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if not _EARLIEST_BIRTH <= birth <= (today or _today()):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17]


def luhn_valid(number: str) -> bool:
    """The Luhn (mod 10) check used by bank card numbers."""
    if not number.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def mobile_valid(number: str) -> bool:
    """Mainland mobile numbers: 11 digits starting 13–19 (with an optional +86 / 86 prefix)."""
    if number.startswith("+"):
        number = number[1:]
    if len(number) == 13 and number.startswith("86"):
        number = number[2:]
    return len(number) == 11 and number.isdigit() and number[0] == "1" and number[1] in "3456789"


def bank_card_valid(number: str) -> bool:
    """16–19 digits, an issuer prefix used in China (UnionPay 62, Visa 4, Mastercard 5, JCB/Amex 3), Luhn."""
    return 16 <= len(number) <= 19 and number[0] in "3456" and luhn_valid(number)


def mask(value: str, keep_start: int, keep_end: int) -> str:
    """Replace the middle of ``value`` with asterisks, e.g. 1101**********1234."""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[len(value) - keep_end:]


def mask_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


@dataclass(frozen=True)
class PersonalDataConfig:
    """Which personal data to look for. Student-number patterns are organisation-specific regexes."""

    resident_id: bool = True
    mobile: bool = True
    bank_card: bool = True
    email: bool = True
    address: bool = True
    student_number_patterns: Sequence[str] = field(default_factory=tuple)
    severity: str = Severity.WARN.value


def _classify(compact: str, today: dt.date | None) -> tuple[str, str] | None:
    """(rule_id, masked suggestion) for a digit string, or None."""
    if len(compact) == 18 and resident_id_valid(compact, today):
        return RULE_RESIDENT_ID, mask(compact.upper(), 4, 4)
    if mobile_valid(compact):
        return RULE_MOBILE, mask(compact[-11:], 3, 4)
    if compact.isdigit() and bank_card_valid(compact):
        return RULE_BANK_CARD, mask(compact, 4, 4)
    return None


class PersonalDataDetector:
    """Finds personal data; compiled once per configuration."""

    def __init__(self, config: PersonalDataConfig | None = None) -> None:
        self.config = config or PersonalDataConfig()
        try:
            self._student_res = [re.compile(p) for p in self.config.student_number_patterns]
        except re.error as exc:
            raise ValueError(f"invalid student-number pattern: {exc}") from exc
        _hint_weights()  # built now, with the engine, rather than during the first bulk check
        self._email, self._address = self.config.email, self.config.address
        self._wanted = {
            rule
            for rule, on in (
                (RULE_RESIDENT_ID, self.config.resident_id),
                (RULE_MOBILE, self.config.mobile),
                (RULE_BANK_CARD, self.config.bank_card),
            )
            if on
        }

    @property
    def custom_patterns(self) -> bool:
        """True when an organisation's student-number patterns are configured (no cheap pre-test exists)."""
        return bool(self._student_res)

    def _finding(self, rule: str, start: int, end: int, text: str, suggestion: str) -> Finding:
        matched = text[start:end]
        return new_finding(rule, Category.PERSONAL_DATA.value, self.config.severity, start, end, matched,
                           unicodedata.normalize("NFKC", matched), suggestion)

    def candidates(self, codes: np.ndarray, bounds: np.ndarray) -> list[int]:
        """Indexes of the texts that may contain personal data, from the code points of texts joined with
        one separator (text ``i`` is ``codes[bounds[i]:bounds[i + 1] - 1]``). :meth:`find` on any other
        text returns nothing, so bulk checking runs it on these only."""
        count = len(bounds) - 1
        if self._student_res:
            return list(range(count))  # arbitrary organisation patterns: no cheap test
        weights = _hint_weights().take(codes)
        where = weights.nonzero()[0]
        if not len(where):
            return []
        texts = np.searchsorted(bounds, where, side="right") - 1
        totals = np.bincount(texts, weights=weights[where], minlength=count)
        return (totals >= MIN_NUMBER_DIGITS).nonzero()[0].tolist()

    def find(self, text: str, today: dt.date | None = None) -> list[Finding]:
        # Nearly every text has no run of digits, no '@' and no '号': answer those with one regex scan.
        first = _NUMBER_RE.search(text) if self._wanted else None
        if first is None and not self._student_res and not (
            (self._email and ("@" in text or "＠" in text)) or (self._address and "号" in text)
        ):
            return []
        findings: list[Finding] = []
        taken: list[tuple[int, int]] = []
        if first is not None:
            for m in _NUMBER_RE.finditer(text, first.start()):
                run = m.group().rstrip(" -")
                start, end = m.start(), m.start() + len(run)
                if (start and _ALNUM_RE.match(text, start - 1)) or (end < len(text) and _ALNUM_RE.match(text, end)):
                    continue  # part of a longer code or word
                if run.startswith("+") and not run.startswith("+86"):
                    run, start = run[1:].lstrip(" -"), start + 1 + len(run[1:]) - len(run[1:].lstrip(" -"))
                findings.extend(self._numbers(text, start, run, today, taken))
        for regex in self._student_res:
            for m in regex.finditer(text):
                if m.end() > m.start() and not _overlaps(taken, m.start(), m.end()):
                    findings.append(
                        self._finding(RULE_STUDENT_NUMBER, m.start(), m.end(), text, mask(m.group(), 2, 2))
                    )
        if self.config.email and ("@" in text or "＠" in text):
            for m in _EMAIL_DOMAIN_RE.finditer(text):
                local = _EMAIL_LOCAL_RE.search(text, max(0, m.start() - 64), m.start())
                if local is None:
                    continue
                address = f"{local.group()}@{m.group(1)}"
                findings.append(self._finding(RULE_EMAIL, local.start(), m.end(), text, mask_email(address)))
        if self.config.address and "号" in text:
            for m in _ADDRESS_TAIL_RE.finditer(text):
                head = _ADDRESS_HEAD_RE.search(text, max(0, m.start() - 12), m.start())
                if head is not None:
                    findings.append(self._finding(RULE_ADDRESS, head.start(), m.end(), text, "隐去详细门牌号"))
        return findings

    def _numbers(
        self, text: str, start: int, run: str, today: dt.date | None, taken: list[tuple[int, int]]
    ) -> list[Finding]:
        compact = unicodedata.normalize("NFKC", _SEPARATORS_RE.sub("", run))
        hit = _classify(compact, today)
        if hit and hit[0] in self._wanted:
            taken.append((start, start + len(run)))
            return [self._finding(hit[0], start, start + len(run), text, hit[1])]
        # A run may hold several numbers separated by spaces or hyphens: try each group on its own.
        found = []
        for part in re.finditer(r"\+?\d+[XxＸｘ]?", run):
            piece = unicodedata.normalize("NFKC", part.group())
            hit = _classify(piece.lstrip("+"), today)
            if hit and hit[0] in self._wanted:
                s, e = start + part.start(), start + part.end()
                taken.append((s, e))
                found.append(self._finding(hit[0], s, e, text, hit[1]))
        return found


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)
