"""`yuqing report stats`: a school's or a bureau's weekly / monthly statistics as XLSX (with charts) or JSON."""

from __future__ import annotations

import sys
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import translation

EXAMPLE = "yuqing report stats --org demo-bureau --period 2026-11 -o 统计.xlsx ; --period 2026-W48 --format json -o -"


def add_stats_parser(sub) -> None:
    s = sub.add_parser("stats", help=f"weekly or monthly statistics. Example: {EXAMPLE}")
    s.add_argument("--org", required=True, help="a school's or a bureau's slug (see: yuqing org list)")
    s.add_argument("--period", required=True, help="a month (2026-11) or an ISO week (2026-W48), Asia/Shanghai days")
    s.add_argument("--format", choices=["xlsx", "json"], default="xlsx")
    s.add_argument("-o", "--output", required=True, help="file to write ('-' for stdout)")


def run_stats(command, opts) -> None:
    from yuqing.orgs.commands import organization_by_slug
    from yuqing.reports.period import parse_period
    from yuqing.reports.stats import do_export_statistics

    org = organization_by_slug(opts["org"])
    # Headers and labels in the installation's language, as on the page.
    with translation.override(settings.LANGUAGE_CODE):
        try:
            period = parse_period(opts["period"])
        except ValidationError as exc:
            raise CommandError(f"--period: {' '.join(exc.message_dict['period'])}", returncode=2) from exc
        data = do_export_statistics(org, period, fmt=opts["format"], acting_user=None)
    if opts["output"] == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    Path(opts["output"]).write_bytes(data)
    command.stdout.write(f"wrote {opts['output']} ({len(data):,} bytes; {org.slug}, {period.code})")
