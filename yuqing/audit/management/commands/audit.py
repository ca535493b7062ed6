"""`yuqing audit verify|anchor|export`: check the keyed chain and its anchors, anchor the head, or export CSV."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from yuqing.audit.log import verify, write_csv
from yuqing.audit.models import AuditRecord
from yuqing.orgs.commands import organization_by_slug


class Command(BaseCommand):
    help = ("Audit log. Examples: yuqing audit verify; yuqing audit verify --anchor \"$(tail -1 anchors.txt)\"; "
            "yuqing audit anchor; yuqing audit export --org no1-middle -o audit.csv")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="verify|anchor|export")
        ve = sub.add_parser("verify", help="recompute the keyed chain and check it against the anchors; "
                                           "exit 1 naming the first broken record")
        ve.add_argument("--anchor", action="append", default=[],
                        help="also check this anchor line (e.g. one the bureau received by mail); repeatable")
        sub.add_parser("anchor", help="check the records since the last anchor, then append the head to the "
                                      "anchor file and send it where configured")
        ex = sub.add_parser("export", help="write the audit log as CSV")
        ex.add_argument("--org", help="organisation slug: only records of it and below")
        ex.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, **opts):
        if opts["action"] == "verify":
            return self._verify(opts["anchor"])
        if opts["action"] == "anchor":
            from yuqing.audit.jobs import AuditChainBroken, anchor_now

            try:
                done = anchor_now()
            except AuditChainBroken as exc:
                self.stderr.write(str(exc))
                sys.exit(1)
            if "head_id" in done:
                self.stdout.write(f"anchored record #{done['head_id']} ({done['count']} records)")
            else:
                self.stdout.write("the audit log is empty: nothing to anchor")
            return
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

    def _verify(self, lines: list[str]) -> None:
        from yuqing.audit.anchor import Anchor, read_anchors

        anchors = []
        for number, anchor, _text in read_anchors():
            if anchor is None:
                self.stderr.write(f"audit log BROKEN: line {number} of the anchor file cannot be read")
                sys.exit(1)
            anchors.append(anchor)
        for text in lines:
            try:
                anchors.append(Anchor.parse(text))
            except (ValueError, KeyError, TypeError) as exc:
                raise CommandError(f"--anchor: not an anchor line ({exc})") from exc
        result = verify(anchors=anchors)
        if result.ok:
            self.stdout.write(f"audit log intact: {result.checked} records verified, "
                              f"{result.anchors_checked} anchors matched")
            if not anchors:
                self.stdout.write("warning: no anchor yet, so removing the newest records would not be noticed; "
                                  "run `yuqing audit anchor` (the scheduler does so every hour)")
            return
        where = f" at record #{result.broken_id}" if result.broken_id is not None else ""
        self.stderr.write(f"audit log BROKEN{where}: {result.reason} "
                          f"({result.checked} records verified)")
        sys.exit(1)
