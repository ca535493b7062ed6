"""`yuqing scheme add|list`: monitoring schemes from the command line."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from yuqing.detection.actions import do_create_scheme, expression_error
from yuqing.detection.models import Scheme
from yuqing.orgs.commands import organization_by_slug, system_user


class Command(BaseCommand):
    help = ('Monitoring schemes. Example: yuqing scheme add --org no1-middle --name 食堂 '
            '--expr "(第一中学 OR 一中) AND (食堂 OR 饭菜)" ; yuqing scheme list --format json')

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="add|list")
        add = sub.add_parser("add", help='add a scheme, e.g. yuqing scheme add --org no1 --name N --expr "a AND b"')
        add.add_argument("--org", required=True, help="organisation slug")
        add.add_argument("--name", required=True)
        add.add_argument("--expr", required=True, help="keyword expression: AND OR NOT ( ) and quoted phrases")
        add.add_argument("--only-this-org", action="store_true",
                         help="a bureau's scheme normally applies to all its schools; this limits it")
        add.add_argument("--disabled", action="store_true")
        ls = sub.add_parser("list", help="list schemes, e.g. yuqing scheme list --org no1")
        ls.add_argument("--org", help="organisation slug (its schools included)")
        ls.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **opts):
        if opts["action"] == "add":
            self._add(opts)
        else:
            self._list(opts)

    def _add(self, opts):
        error = expression_error(opts["expr"])
        if error is not None:
            pointer = " " * error.position + "^"
            raise CommandError(f"bad expression at character {error.position}: {error.reason}\n  {opts['expr']}\n"
                               f"  {pointer}", returncode=2)
        org = organization_by_slug(opts["org"])
        try:
            scheme = do_create_scheme(organization=org, acting_user=system_user(), name=opts["name"],
                                      expression=opts["expr"], enabled=not opts["disabled"],
                                      applies_to_children=not opts["only_this_org"])
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()),
                               returncode=2) from exc
        self.stdout.write(f"scheme {scheme.pk} {scheme.name!r} added to {org.slug}")

    def _list(self, opts):
        qs = Scheme.objects.select_related("organization")
        if opts.get("org"):
            qs = qs.filter(organization__path__startswith=organization_by_slug(opts["org"]).path)
        rows = [{"id": s.pk, "organization": s.organization.slug, "name": s.name, "expression": s.expression,
                 "enabled": s.enabled, "applies_to_children": s.applies_to_children} for s in qs]
        if opts["format"] == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for r in rows:
            state = "" if r["enabled"] else " (disabled)"
            self.stdout.write(f"{r['id']:>5}  {r['organization']:<20} {r['name']}{state}: {r['expression']}")
