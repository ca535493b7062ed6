"""`yuqing deadlines run|list`: run the overdue check (also as if it were another time), list deadlines."""

from __future__ import annotations

import json
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from yuqing.deadlines.jobs import check_deadlines
from yuqing.deadlines.models import Deadline
from yuqing.orgs.commands import organization_by_slug


def parse_time(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--at: {text!r} is not an ISO time (e.g. 2026-10-08T09:00 or 2026-10-08T09:00+08:00)",
                           returncode=2) from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)  # the installation's time zone (Asia/Shanghai by default)
    return value


class Command(BaseCommand):
    help = ("Deadlines. Examples: yuqing deadlines run ; yuqing deadlines run --at 2026-10-08T09:00 (a drill: "
            "as if it were that time) ; yuqing deadlines list --org no1-middle --format json")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="run|list")
        run = sub.add_parser("run", help="mark overdue deadlines and send reminders and notices once, e.g. "
                                         "yuqing deadlines run --at 2026-10-08T09:00")
        run.add_argument("--at", help="ISO time to check as of (default: now); naive times are local")
        run.add_argument("--format", choices=["text", "json"], default="text")
        ls = sub.add_parser("list", help="deadlines of an organisation and below, e.g. "
                                         "yuqing deadlines list --org no1-middle --state open --format json")
        ls.add_argument("--org", required=True, help="organisation slug (its units included)")
        ls.add_argument("--state", choices=Deadline.State.values, help="only deadlines in this state")
        ls.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **opts):
        if opts["action"] == "run":
            self._run(opts)
        else:
            self._list(opts)

    def _run(self, opts):
        at = parse_time(opts["at"]) if opts.get("at") else None
        result = check_deadlines(at)
        if opts["format"] == "json":
            self.stdout.write(json.dumps({**result.summary(), "overdue_ids": result.overdue,
                                          "reminded_ids": result.reminded}))
            return
        when = timezone.localtime(at).isoformat() if at else "now"
        self.stdout.write(f"checked as of {when}: {len(result.overdue)} overdue, {len(result.reminded)} reminded")

    def _list(self, opts):
        org = organization_by_slug(opts["org"])
        qs = Deadline.objects.filter(organization__path__startswith=org.path).select_related(
            "organization", "assignee", "subject_type")
        if opts.get("state"):
            qs = qs.filter(state=opts["state"])
        rows = [row(d) for d in qs.order_by("due_at", "pk")]
        if opts["format"] == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for r in rows:
            who = r["assignee"] or "—"
            self.stdout.write(f"{r['id']:>5}  {r['state']:<8} {r['due_at']}  {r['organization']:<16} {r['kind']:<20} "
                              f"{r['title']} ({who})")


def row(d: Deadline) -> dict:
    def iso(value):
        return timezone.localtime(value).isoformat() if value else None

    return {
        "id": d.pk, "organization": d.organization.slug, "kind": d.kind, "title": d.title,
        "subject": f"{d.subject_type.app_label}.{d.subject_type.model}:{d.subject_id}",
        "due_at": iso(d.due_at), "remind_at": iso(d.remind_at), "rule": d.rule,
        "assignee": d.assignee.username if d.assignee_id else None, "state": d.state, "reason": d.reason,
        "met_at": iso(d.met_at), "note": d.note, "notified_overdue_at": iso(d.notified_overdue_at),
        "reminded_at": iso(d.reminded_at),
    }
