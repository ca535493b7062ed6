"""`yuqing audit verify|export`: check the hash chain, or write the log as CSV."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from yuqing.audit.log import verify, write_csv
from yuqing.audit.models import AuditRecord
from yuqing.orgs.commands import organization_by_slug


class Command(BaseCommand):
    help = "Audit log. Examples: yuqing audit verify; yuqing audit export --org no1-middle -o audit.csv"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="verify|export")
        sub.add_parser("verify", help="recompute the hash chain; exit 1 naming the first broken record")
        ex = sub.add_parser("export", help="write the audit log as CSV")
        ex.add_argument("--org", help="organisation slug: only records of it and below")
        ex.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, **opts):
        if opts["action"] == "verify":
            result = verify()
            if result.ok:
                self.stdout.write(f"audit log intact: {result.checked} records verified")
                return
            self.stderr.write(f"audit log BROKEN at record #{result.broken_id}: {result.reason} "
                              f"({result.checked} records before it verified)")
            sys.exit(1)
        qs = AuditRecord.objects.order_by("pk")
        if opts.get("org"):
            org = organization_by_slug(opts["org"])
            qs = qs.filter(organization_path__startswith=org.path)
        if opts.get("output"):
            with open(opts["output"], "w", encoding="utf-8-sig", newline="") as fh:
                write_csv(qs.iterator(), fh)
            self.stdout.write(f"wrote {qs.count()} records to {opts['output']}")
        else:
            write_csv(qs.iterator(), self.stdout)
