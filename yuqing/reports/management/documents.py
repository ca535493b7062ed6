"""`yuqing report self-inspection|briefing`: the report documents from the command line.

They render the DOCX from the data as it is now and store nothing: archived versions (generated, edited,
finalised) are made in the pages and the API, by a person whose name goes on them.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

ACTIONS = {"self-inspection", "briefing"}


def add_arguments(sub) -> None:
    s = sub.add_parser("self-inspection", help="a school's self-inspection report (自查报告) for a period as DOCX, "
                                               "e.g. --org no1-middle --from 2026-11-01 --to 2026-11-30 -o 自查.docx")
    s.add_argument("--org", required=True, help="the school's slug")
    s.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
    s.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
    s.add_argument("-o", "--output", required=True, help="file to write ('-' for stdout)")
    b = sub.add_parser("briefing", help="a briefing (舆情简报) for a day, ISO week or month as DOCX, "
                                        "e.g. --org demo-bureau --period 2026-W48 -o 简报.docx")
    b.add_argument("--org", required=True)
    b.add_argument("--period", required=True, help="2026-12-01 (day), 2026-W48 (week) or 2026-11 (month)")
    b.add_argument("-o", "--output", required=True, help="file to write ('-' for stdout)")


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{option}: not a date (YYYY-MM-DD): {value}") from exc


def _write(command, output: str, data: bytes) -> None:
    if output == "-":
        sys.stdout.buffer.write(data)
        return
    Path(output).write_bytes(data)
    command.stdout.write(f"wrote {output} ({len(data):,} bytes)")


def handle(command, opts) -> None:
    from yuqing.orgs.commands import organization_by_slug

    org = organization_by_slug(opts["org"])
    try:
        if opts["action"] == "self-inspection":
            data = self_inspection(org, _date(opts["start"], "--from"), _date(opts["end"], "--to"))
        else:
            from yuqing.reports import briefing

            data = briefing.render(org, opts["period"])
    except ValidationError as exc:
        raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
    _write(command, opts["output"], data)


def self_inspection(org, start: date, end: date) -> bytes:
    from django.utils import timezone

    from yuqing.orgs.models import Organization
    from yuqing.reports import selfinspection
    from yuqing.reports.models import SelfInspectionReport

    if org.kind != Organization.Kind.SCHOOL:
        raise CommandError("--org: a self-inspection report is written by a school")
    selfinspection.check_period(start, end)
    now = timezone.now()
    report = SelfInspectionReport(organization=org, period_start=start, period_end=end, generated_at=now,
                                  figures=selfinspection.compile_figures(org, start, end, now=now),
                                  next_steps=selfinspection.DEFAULT_NEXT_STEPS)
    # a finalised report of exactly this period is what the school sent: write its archived file
    final = SelfInspectionReport.objects.filter(organization=org, period_start=start, period_end=end,
                                                status=SelfInspectionReport.Status.FINAL).first()
    if final is not None:
        from yuqing.reports import archive

        return archive.read(archive.versions(final).last())
    return selfinspection.document(report)
