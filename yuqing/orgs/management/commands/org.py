"""`yuqing org list`: organisations with their slugs (every --org option accepts a slug)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from yuqing.orgs.models import Organization


class Command(BaseCommand):
    help = "Organisations. Example: yuqing org list --format json"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="list")
        ls = sub.add_parser("list", help="list organisations with slug, kind and parent, e.g. yuqing org list")
        ls.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **opts):
        orgs = Organization.objects.select_related("parent").order_by("path")
        rows = [
            {"slug": o.slug, "name": o.name, "kind": o.kind, "unit_type": o.unit_type,
             "parent": o.parent.slug if o.parent else None}
            for o in orgs
        ]
        if opts["format"] == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for o, row in zip(orgs, rows, strict=True):
            indent = "  " * o.depth
            self.stdout.write(f"{indent}{row['slug']:<24} {row['kind']:<7} {o.name}")
