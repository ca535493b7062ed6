"""`yuqing mentions`: list an organisation's mentions, as text or JSON."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from yuqing.detection.filters import filter_mentions, start_of
from yuqing.detection.models import Mention
from yuqing.levels import Level
from yuqing.orgs.commands import organization_by_slug
from yuqing.orgs.permissions import org_subtree_ids


class Command(BaseCommand):
    help = "Mentions of an organisation and below. Example: yuqing mentions --org no1-middle --format json --since 2026-05-01"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--since", default="", help="first day, YYYY-MM-DD")
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args, **opts):
        org = organization_by_slug(opts["org"])
        if opts["since"] and start_of(opts["since"]) is None:
            raise CommandError(f"--since {opts['since']!r} is not a date like 2026-05-01", returncode=2)
        qs = filter_mentions(
            Mention.objects.filter(organization_id__in=org_subtree_ids(org))
            .select_related("scheme", "item", "event", "organization").prefetch_related("schemes"),
            {"since": opts["since"]},
        )[: opts["limit"]]
        # a generator over a server-side cursor: rows are printed as they are read, never all held at once
        rows = ({
            "id": m.pk, "organization": m.organization.slug, "scheme": m.scheme.name,
            "schemes": [s.name for s in m.schemes.all()], "url": m.item.url,
            "title": m.item.title, "text": m.item.text[:500],
            "published_at": m.item.published_at.isoformat() if m.item.published_at else None,
            "matched_terms": m.matched_terms, "negativity": round(m.negativity, 4), "sentiment": m.sentiment,
            "judged_sentiment": m.judged_sentiment, "relevance": m.relevance, "categories": m.categories,
            "event": m.event_id, "level": Level(m.event.level).label if m.event_id else None,
        } for m in qs.iterator(chunk_size=2000))
        if opts["format"] == "json":
            for row in rows:
                self.stdout.write(json.dumps(row, ensure_ascii=False))
            return
        for r in rows:
            self.stdout.write(f"{r['id']:>6} {r['level'] or '-':<4} {r['sentiment']:<8} {r['scheme']}: "
                              f"{(r['title'] or r['text'])[:60]}")
