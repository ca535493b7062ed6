"""`yuqing case open|list|show|bulletin|evaluation`: incident cases from the command line."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from yuqing.incidents import actions
from yuqing.incidents.api import deadline_dict
from yuqing.incidents.models import Case, Origin
from yuqing.incidents.timeline import timeline
from yuqing.levels import Level
from yuqing.orgs.commands import organization_by_slug


def _case(case_id: str) -> Case:
    try:
        return Case.objects.select_related("organization").get(pk=int(case_id))
    except (ValueError, Case.DoesNotExist) as exc:
        raise CommandError(f"no case {case_id}") from exc


def _json(case: Case, *, full: bool = False) -> dict:
    from yuqing.deadlines.actions import deadlines_for

    out = {"id": case.pk, "organization": case.organization.slug, "title": case.title, "level": Level(case.level).code,
           "level_label": Level(case.level).label, "status": case.status, "opened_at": timezone.localtime(case.opened_at).isoformat(),
           "event": case.event_id, "escalated": case.escalated,
           "deadlines": [deadline_dict(d) for d in deadlines_for(case)]}
    if full:
        out["summary"] = case.summary
        out["responsible"] = case.responsible.username if case.responsible_id else None
        out["timeline"] = [e.as_dict() for e in timeline(case)]
    return out


class Command(BaseCommand):
    help = ("Incident cases. Examples: yuqing case open --org no1-middle --title 食堂投诉 --level 重大 ; "
            "yuqing case list --org no1-middle --format json ; yuqing case show 3 --format json ; "
            "yuqing case bulletin 3 -o 通报.docx ; yuqing case evaluation 3 -o 总结评估.docx")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="open|list|show|bulletin|evaluation")
        op = sub.add_parser("open", help="open a case by hand (a call, a complaint); prints its id")
        op.add_argument("--org", required=True, help="organisation slug")
        op.add_argument("--title", required=True)
        op.add_argument("--level", default="一般", help="any label or alias: 一般 较大 重大 特别重大, major, Ⅱ, orange, 3")
        op.add_argument("--summary", default="")
        op.add_argument("--origin", choices=Origin.values, default=Origin.OTHER)
        op.add_argument("--event", type=int, help="the monitoring event it handles")
        op.add_argument("--opened-at", help="ISO time the clock starts (drills, back-filling), e.g. 2026-12-01T09:00+08:00")
        ls = sub.add_parser("list", help="cases of an organisation and below, overdue first")
        ls.add_argument("--org", required=True)
        ls.add_argument("--format", choices=["text", "json"], default="text")
        sh = sub.add_parser("show", help="one case with its deadlines and timeline (who was notified)")
        sh.add_argument("case_id")
        sh.add_argument("--format", choices=["text", "json"], default="text")
        for name, what in (("bulletin", "the incident bulletin (网络舆情通报)"), ("evaluation", "the evaluation (总结评估)")):
            p = sub.add_parser(name, help=f"write {what} as DOCX")
            p.add_argument("case_id")
            p.add_argument("-o", "--output", required=True, help="file to write, e.g. 通报.docx ('-' for stdout)")

    def handle(self, *args, **opts):
        try:
            getattr(self, "_" + opts["action"])(opts)
        except ValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {"error": exc.messages}
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in messages.items())) from exc

    def _open(self, opts):
        org = organization_by_slug(opts["org"])
        opened_at = None
        if opts["opened_at"]:
            try:
                opened_at = datetime.fromisoformat(opts["opened_at"])
            except ValueError as exc:
                raise CommandError(f"--opened-at: not an ISO time: {opts['opened_at']}") from exc
            if timezone.is_naive(opened_at):
                opened_at = timezone.make_aware(opened_at)
        event = None
        if opts["event"]:
            from yuqing.detection.models import Event

            event = Event.objects.filter(pk=opts["event"]).first()
            if event is None:
                raise CommandError(f"--event: no event {opts['event']}")
        # The command line is the administrator's: it acts as the system, recorded as such in the audit log.
        case = actions.do_open_case(organization=org, acting_user=None, title=opts["title"], level=opts["level"],
                                    summary=opts["summary"], origin=opts["origin"], opened_at=opened_at, event=event)
        self.stdout.write(str(case.pk))

    def _list(self, opts):
        org = organization_by_slug(opts["org"])
        cases = list(Case.objects.filter(organization__path__startswith=org.path).order_by("-opened_at", "-id"))
        rows = [_json(c) for c in cases]
        rows.sort(key=lambda r: not any(d["state"] == "overdue" for d in r["deadlines"]))
        if opts["format"] == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for r in rows:
            overdue = sum(d["state"] == "overdue" for d in r["deadlines"])
            self.stdout.write(f"#{r['id']:<4} {r['level_label']:<4} {r['status']:<12} {r['title']}"
                              + (f"  [{overdue} overdue]" if overdue else ""))
        self.stdout.write(f"{len(rows)} cases")

    def _show(self, opts):
        data = _json(_case(opts["case_id"]), full=True)
        if opts["format"] == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"#{data['id']} {data['title']} · {data['level_label']} · {data['status']}")
        for d in data["deadlines"]:
            self.stdout.write(f"  {d['title']:<12} due {d['due_at']}  {d['state']}")
        for e in data["timeline"]:
            self.stdout.write(f"  {e['at']}  {e['text']}" + (f"  ({e['actor']})" if e["actor"] else ""))

    def _write(self, data: bytes, output: str) -> None:
        if output == "-":
            sys.stdout.buffer.write(data)
            return
        Path(output).write_bytes(data)
        self.stdout.write(f"wrote {output} ({len(data):,} bytes)")

    def _bulletin(self, opts):
        from yuqing.incidents.documents import case_bulletin_docx

        self._write(case_bulletin_docx(_case(opts["case_id"])), opts["output"])

    def _evaluation(self, opts):
        from yuqing.incidents.documents import case_evaluation_docx

        self._write(case_evaluation_docx(_case(opts["case_id"])), opts["output"])
