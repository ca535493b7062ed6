"""`yuqing registry list|check|export|import|form`: the registry (台账) from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yuqing.orgs.commands import organization_by_slug, system_user
from yuqing.registry import checks
from yuqing.registry.models import Filing


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
        ex = sub.add_parser("export", help="the registry as XLSX, e.g. yuqing registry export --org no1 -o 台账.xlsx")
        ex.add_argument("--org", required=True, help="organisation slug")
        ex.add_argument("-o", "--output", required=True, help="XLSX file to write")
        ex.add_argument("--template", action="store_true", help="headers only: an empty form to fill in")
        im = sub.add_parser("import", help="add/update from XLSX or CSV, e.g. yuqing registry import 台账.xlsx --org no1")
        im.add_argument("file", help="XLSX (both sheets) or CSV (channels or groups; UTF-8 or GB18030)")
        im.add_argument("--org", required=True, help="organisation slug")
        im.add_argument("--format", choices=["text", "json"], default="text")
        fm = sub.add_parser("form", help="the filing form as DOCX, e.g. yuqing registry form 3 -o 备案登记表.docx")
        fm.add_argument("filing_id", type=int, help="filing number (see /registry/filings/)")
        fm.add_argument("-o", "--output", required=True, help="DOCX file to write")

    def handle(self, *args, **opts):
        getattr(self, "_" + opts["action"])(opts)

    def _export(self, opts):
        from yuqing.registry.roundtrip import export_registry

        org = organization_by_slug(opts["org"])
        data = export_registry(org, template=opts["template"])
        with open(opts["output"], "wb") as fh:
            fh.write(data)
        self.stdout.write(f"Wrote {opts['output']} ({len(data)} bytes): "
                          f"{'template' if opts['template'] else 'registry of ' + org.slug}")

    def _import(self, opts):
        from yuqing.registry.roundtrip import import_registry

        org = organization_by_slug(opts["org"])
        try:
            with open(opts["file"], "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise CommandError(f"{opts['file']}: {exc.strerror}", returncode=2) from exc
        result = import_registry(data, Path(opts["file"]).name, org, acting_user=system_user())
        if opts["format"] == "json":
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(f"{result.created} added, {result.updated} updated, {result.filed} filed for approval, "
                              f"{result.unchanged} unchanged, {len(result.errors)} refused")
            for error in result.errors:
                self.stderr.write(error)
        if result.errors:
            # the good rows are kept; the exit code tells scripts that some were not
            raise CommandError(f"{len(result.errors)} rows refused", returncode=1)

    def _form(self, opts):
        from yuqing.registry.filing_form import filing_document

        filing = Filing.objects.select_related("organization", "channel", "group").filter(
            pk=opts["filing_id"]).first()
        if filing is None:
            raise CommandError(f"no filing #{opts['filing_id']} (see: yuqing registry list, /registry/filings/)",
                               returncode=2)
        data = filing_document(filing)
        with open(opts["output"], "wb") as fh:
            fh.write(data)
        self.stdout.write(f"Wrote {opts['output']} ({len(data)} bytes): filing #{filing.pk} "
                          f"{filing.action} {filing.subject.name}")

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

