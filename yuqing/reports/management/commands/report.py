"""`yuqing report compliance|daily`: daily reports from the command line."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from yuqing.orgs.commands import organization_by_slug
from yuqing.reports import daily
from yuqing.reports.management import documents
from yuqing.reports.models import DailyReport


def _date(value: str | None) -> date:
    if not value:
        return timezone.localdate()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--date: not a date (YYYY-MM-DD): {value}") from exc


class Command(BaseCommand):
    help = ("Daily reports. Examples: yuqing report compliance --org demo-bureau --date 2026-12-01 --format json ; "
            "yuqing report daily --org no1-middle --date 2026-12-01 -o 日报.docx ; "
            "yuqing report stats --org demo-bureau --period 2026-11 -o 统计.xlsx ; "
            "yuqing report self-inspection --org no1-middle --from 2026-11-01 --to 2026-11-30 -o 自查报告.docx ; "
            "yuqing report briefing --org demo-bureau --period 2026-W48 -o 舆情简报.docx")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True,
                                    metavar="compliance|daily|stats|self-inspection|briefing")
        c = sub.add_parser("compliance", help="each school under a bureau: on_time, late or missing")
        c.add_argument("--org", required=True, help="the bureau's slug")
        c.add_argument("--date", help="YYYY-MM-DD (default today)")
        c.add_argument("--format", choices=["text", "json"], default="text")
        d = sub.add_parser("daily", help="the daily report of a school as DOCX (compiled now if missing)")
        d.add_argument("--org", required=True)
        d.add_argument("--date", help="YYYY-MM-DD (default today)")
        d.add_argument("-o", "--output", required=True, help="file to write ('-' for stdout)")
        from yuqing.reports.stats_cli import add_stats_parser

        add_stats_parser(sub)
        documents.add_arguments(sub)

    def handle(self, *args, **opts):
        if opts["action"] in documents.ACTIONS:
            documents.handle(self, opts)
            return
        getattr(self, "_" + opts["action"])(opts)

    def _stats(self, opts):
        from yuqing.reports.stats_cli import run_stats

        run_stats(self, opts)

    def _compliance(self, opts):
        org = organization_by_slug(opts["org"])
        rows = daily.compliance(org, _date(opts["date"]))
        if opts["format"] == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for r in rows:
            self.stdout.write(f"{r['status']:<8} {r['school']}  on duty: {r['on_duty'] or '—'}"
                              + (f"  confirmed {r['confirmed_at']}" if r["confirmed_at"] else ""))

    def _daily(self, opts):
        org = organization_by_slug(opts["org"])
        day = _date(opts["date"])
        report = DailyReport.objects.filter(organization=org, date=day).first() or daily.compile_daily(org, day)
        data = daily.report_docx(report)
        if opts["output"] == "-":
            sys.stdout.buffer.write(data)
            return
        Path(opts["output"]).write_bytes(data)
        self.stdout.write(f"wrote {opts['output']} ({len(data):,} bytes)")
