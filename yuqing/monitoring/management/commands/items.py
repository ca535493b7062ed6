"""`yuqing items --org ORG`: the newest stored items of an organisation."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from yuqing.monitoring.models import Item
from yuqing.orgs.commands import organization_by_slug
from yuqing.orgs.permissions import org_subtree_ids


class Command(BaseCommand):
    help = "Newest items of an organisation. Example: yuqing items --org no1-middle --format json --limit 20"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="organisation slug (its units included)")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--limit", type=int, default=50)

    def handle(self, *args, **opts):
        org = organization_by_slug(opts["org"])
        items = (Item.objects.filter(organization_id__in=org_subtree_ids(org)).select_related("source")
                 .defer("html", "extra").order_by("-first_seen_at", "-id")[: max(0, opts["limit"])])
        # Streamed row by row from a server-side cursor: memory stays flat however large --limit is.
        rows = ({"id": i.pk, "url": i.url, "title": i.title, "text": i.text[:500], "author": i.author,
                 "platform": i.platform, "published_at": i.published_at.isoformat() if i.published_at else None,
                 "first_seen_at": i.first_seen_at.isoformat(), "views": i.views, "comments": i.comments,
                 "reposts": i.reposts, "likes": i.likes, "original_id": i.original_id, "relation": i.relation,
                 "mainstream": i.mainstream, "source": i.source.name if i.source else None}
                for i in items.iterator(chunk_size=2000))
        if opts["format"] == "json":
            # still one JSON array, written as it is read
            self.stdout.write("[", ending="")
            for n, row in enumerate(rows):
                self.stdout.write(("," if n else "") + "\n  " + json.dumps(row, ensure_ascii=False), ending="")
            self.stdout.write("\n]")
            return
        for r in rows:
            head = (r["title"] or r["text"])[:50].replace("\n", " ")
            self.stdout.write(f"#{r['id']:<6} {r['platform']:<8} comments={r['comments']!s:<6} {head}")
