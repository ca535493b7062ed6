"""`yuqing search`: search items in the scheme language, or rebuild the index."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from yuqing.detection.expressions import ExpressionError
from yuqing.monitoring.models import Item
from yuqing.orgs.commands import organization_by_slug
from yuqing.orgs.permissions import org_subtree_ids


class Command(BaseCommand):
    help = ("Search items with the scheme language, or rebuild the index. Examples: "
            "yuqing search --org no1-middle '食堂 AND (涨价 OR 难吃)' --format json; yuqing search --reindex")

    def add_arguments(self, parser):
        parser.add_argument("expression", nargs="?", default="", help="e.g. 食堂 AND NOT 广告")
        parser.add_argument("--org", help="organisation slug (its units included)")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--limit", type=int, default=20)
        parser.add_argument("--relevance", action="store_true", help="best matches first instead of newest")
        parser.add_argument("--reindex", action="store_true", help="index every stored item again")

    def handle(self, *args, **opts):
        from yuqing.search.indexing import reindex
        from yuqing.search.query import ranked, search

        org = organization_by_slug(opts["org"]) if opts["org"] else None
        if opts["reindex"]:
            done = reindex([*org_subtree_ids(org)] if org else None,
                           progress=lambda n: self.stderr.write(f"{n:,} items indexed", ending="\r"))
            self.stdout.write(f"{done:,} items indexed")
            return
        if not opts["expression"] or org is None:
            raise CommandError("give an expression and --org (or --reindex)", returncode=2)
        items = Item.objects.filter(organization_id__in=org_subtree_ids(org))
        try:
            found = (ranked(items, opts["expression"]) if opts["relevance"]
                     else search(items, opts["expression"]).order_by("-first_seen_at", "-id"))
            rows = list(found.values("id", "title", "text", "url", "first_seen_at")[: max(0, opts["limit"])])
        except ExpressionError as exc:
            raise CommandError(f"expression: character {exc.position}: {exc.reason}", returncode=2) from exc
        if opts["format"] == "json":
            for row in rows:
                row["text"] = row["text"][:500]
                row["first_seen_at"] = row["first_seen_at"].isoformat()
                self.stdout.write(json.dumps(row, ensure_ascii=False))
            return
        for row in rows:
            self.stdout.write(f"#{row['id']:<8} {(row['title'] or row['text'])[:60]}")
