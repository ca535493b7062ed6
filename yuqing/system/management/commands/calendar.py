"""`yuqing calendar`: working-day arithmetic and the year's holidays and make-up days, with their source."""

from __future__ import annotations

import json
from datetime import date, datetime

from django.core.management.base import BaseCommand, CommandError

from yuqing import worktime

EXAMPLES = """examples:
  yuqing calendar add-working-days 2026-02-13 1          → 2026-02-14 (a make-up Saturday of the Spring Festival)
  yuqing calendar add-working-hours 2026-09-30T16:00 4   → 2026-10-08T11:00:00+08:00 (past National Day)
  yuqing calendar show 2026 --format json"""


def _moment(raw: str) -> date | datetime:
    try:
        if "T" in raw or " " in raw.strip():
            value = datetime.fromisoformat(raw.strip())
            return value if value.tzinfo else value.replace(tzinfo=worktime.SHANGHAI)
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise CommandError(f"{raw!r} is not a date (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM)") from None


class Command(BaseCommand):
    help = "Chinese working days (State Council holidays, 调休 make-up days, overrides).\n" + EXAMPLES

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True,
                                    metavar="add-working-days | add-working-hours | show")
        days = sub.add_parser("add-working-days", help="print the N-th working day after DATE "
                              "(e.g. yuqing calendar add-working-days 2026-09-30 3)")
        days.add_argument("date", help="YYYY-MM-DD, or YYYY-MM-DDTHH:MM to keep the time of day")
        days.add_argument("n", type=int, help="working days to add (negative: count back)")
        hours = sub.add_parser("add-working-hours", help="print the time N office hours after START "
                               "(e.g. yuqing calendar add-working-hours 2026-09-30T16:00 4)")
        hours.add_argument("start", help="YYYY-MM-DDTHH:MM (Asia/Shanghai unless an offset is given)")
        hours.add_argument("hours", type=float)
        show = sub.add_parser("show", help="list the holidays and make-up working days of YEAR with their source "
                              "(e.g. yuqing calendar show 2026)")
        show.add_argument("year", type=int)
        show.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **opts):
        action = opts["action"]
        if action == "add-working-days":
            result = worktime.add_working_days(_moment(opts["date"]), opts["n"])
            self._warn_unknown(result)
            self.stdout.write(result.isoformat())
        elif action == "add-working-hours":
            start = _moment(opts["start"])
            if not isinstance(start, datetime):
                raise CommandError("add-working-hours needs a time: YYYY-MM-DDTHH:MM")
            if opts["hours"] < 0:
                raise CommandError("hours: cannot be negative")
            result = worktime.add_working_hours(start, opts["hours"])
            self._warn_unknown(result)
            self.stdout.write(result.isoformat())
        else:
            self._show(opts["year"], opts["format"])

    def _warn_unknown(self, result: date) -> None:
        if not worktime.year_known(result.year):
            self.stderr.write(f"warning: the holidays of {result.year} are not known; weekends only were counted")

    def _show(self, year: int, fmt: str) -> None:
        entries = worktime.calendar_days(year)
        known = worktime.year_known(year)
        if fmt == "json":
            self.stdout.write(json.dumps({
                "year": year, "known": known, "package_knows": worktime.package_knows(year),
                "days": [{"date": e.day.isoformat(), "kind": e.kind, "name": e.name, "source": e.source}
                         for e in entries]}, ensure_ascii=False, indent=2))
            return
        if not known:
            self.stderr.write(f"warning: the holidays of {year} are not known; only weekends are days off")
        for e in entries:
            kind = "休" if e.kind == worktime.HOLIDAY else "班"
            self.stdout.write(f"{e.day.isoformat()} {e.day:%a} {kind} {e.kind:<8} {e.name:<8} {e.source}")
