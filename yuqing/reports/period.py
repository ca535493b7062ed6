"""Statistics periods: a calendar month ("2026-11") or an ISO week ("2026-W48"), with Asia/Shanghai day
boundaries whatever the server's time zone, so a week's count is the same on every installation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTH, WEEK = "month", "week"
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class Period:
    kind: str  # "month" | "week"
    first: date  # first day
    last: date  # last day, inclusive

    @property
    def code(self) -> str:
        if self.kind == MONTH:
            return f"{self.first.year:04d}-{self.first.month:02d}"
        year, week, _day = self.first.isocalendar()
        return f"{year:04d}-W{week:02d}"

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=SHANGHAI)

    @property
    def end(self) -> datetime:
        """The first instant after the period (exclusive bound)."""
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=SHANGHAI)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return _("%(year)s-%(month)02d") % {"year": self.first.year, "month": self.first.month}
        year, week, _day = self.first.isocalendar()
        return _("Week %(week)s of %(year)s (%(first)s to %(last)s)") % {
            "week": week, "year": year, "first": self.first.isoformat(), "last": self.last.isoformat()}

    def previous(self) -> Period:
        return month_of(self.first - timedelta(days=1)) if self.kind == MONTH else week_of(
            self.first - timedelta(days=7))

    def following(self) -> Period:
        return month_of(self.last + timedelta(days=1)) if self.kind == MONTH else week_of(
            self.last + timedelta(days=1))


def month_of(day: date) -> Period:
    first = day.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return Period(MONTH, first, nxt - timedelta(days=1))


def week_of(day: date) -> Period:
    first = day - timedelta(days=day.weekday())
    return Period(WEEK, first, first + timedelta(days=6))


def _refuse(message: str):
    raise ValidationError({"period": [_("Period: %(reason)s") % {"reason": message}]})


def parse_period(value: str) -> Period:
    """"2026-11" → November 2026; "2026-W48" (or "2026W48") → ISO week 48 of 2026. A ValidationError on the
    field "period" says what was wrong in the reader's language."""
    text = (value or "").strip()
    if not text:
        _refuse(_("give a month such as 2026-11 or an ISO week such as 2026-W48."))
    if m := _MONTH.match(text):
        year, month = int(m.group(1)), int(m.group(2))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            _refuse(_("the year must be between %(first)s and %(last)s, not %(year)s.") % {
                "first": FIRST_YEAR, "last": LAST_YEAR, "year": year})
        if not 1 <= month <= 12:
            _refuse(_("the month must be 01 to 12, not %(month)s.") % {"month": m.group(2)})
        return month_of(date(year, month, 1))
    if m := _WEEK.match(text):
        year, week = int(m.group(1)), int(m.group(2))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            _refuse(_("the year must be between %(first)s and %(last)s, not %(year)s.") % {
                "first": FIRST_YEAR, "last": LAST_YEAR, "year": year})
        weeks = date(year, 12, 28).isocalendar()[1]  # 28 December is always in the year's last ISO week
        if not 1 <= week <= weeks:
            _refuse(_("%(year)s has ISO weeks 1 to %(weeks)s, not week %(week)s.") % {
                "year": year, "weeks": weeks, "week": week})
        return week_of(date.fromisocalendar(year, week, 1))
    _refuse(_("write a month such as 2026-11 or an ISO week such as 2026-W48, not “%(value)s”.") % {
        "value": text[:40]})
    raise AssertionError("unreachable")
