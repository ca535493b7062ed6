"""`yuqing registry list|check|export|import|form`: the registry (台账) from the command line."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from yuqing.orgs.commands import organization_by_slug
from yuqing.registry import checks


class Command(BaseCommand):
    help = ("The registry of channels and chat groups. Examples: yuqing registry list --org no1-middle --format json ; "
            "yuqing registry check --org no1-middle ; yuqing registry export --org no1-middle -o 台账.xlsx ; "
            "yuqing registry import 台账.xlsx --org no1-middle ; yuqing registry form 3 -o 备案登记表.docx")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="list|check|export|import|form")
        ls = sub.add_parser("list", help="every channel and group, e.g. yuqing registry list --org no1 --format json")
        ls.add_argument("--org", required=True, help="organisation slug (its units and schools included)")
        ls.add_argument("--format", choices=["text", "json"], default="text")
        ck = sub.add_parser("check", help="run the dormancy / idleness rules now and print what they flag")
        ck.add_argument("--org", required=True, help="organisation slug")
        ck.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **opts):
        getattr(self, "_" + opts["action"])(opts)

    def _list(self, opts):
        org = organization_by_slug(opts["org"])
        rows = checks.listing(org)
        if opts["format"] == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for r in rows:
            flag = " [dormant]" if r["dormant"] and r["kind"] == "channel" else (
                f" [idle: {r['idle_reason']}]" if r["dormant"] else "")
            self.stdout.write(f"#{r['id']:<4} {r['kind']:<7} {r['type']:<16} {r['status']:<9} {r['name']}  "
                              f"负责人 {r['responsible'] or '—'}  last {r['last_activity'] or '—'}{flag}")
        self.stdout.write(f"{len(rows)} entries")

    def _check(self, opts):
        org = organization_by_slug(opts["org"])
        findings = checks.run(org)
        data = findings.as_json()
        if opts["format"] == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        for c in data["dormant_channels"]:
            self.stdout.write(f"dormant  channel #{c['id']} {c['name']}: {c['days_silent']} days without a "
                              f"publication (last {c['last_publication'] or 'never'}, {c['origin'] or '—'})")
        for g in data["idle_groups"]:
            self.stdout.write(f"dissolve group #{g['id']} {g['name']}: {g['explanation']}")
        for o in data["unfiled"]:
            self.stdout.write(f"unfiled  {o['kind']} #{o['id']} {o['name']}")
        for c in data["review_due"]:
            self.stdout.write(f"review   channel #{c['id']} {c['name']} due {c['next_review_on']}")
        total = sum(len(v) for v in data.values())
        self.stdout.write(f"{total} findings")

