"""`yuqing collect --once`: collect every due source once in this process, print a summary, exit."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from yuqing.monitoring.jobs import collect_due


class Command(BaseCommand):
    help = "Collect every due source once and print a summary per source. Example: yuqing collect --once"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one full cycle, then exit (required)")

    def handle(self, *args, **opts):
        if not opts["once"]:
            raise CommandError("use --once (scheduled collection runs inside `yuqing run` or on Celery beat)")
        outcomes = collect_due(inline=True)
        if not outcomes:
            self.stdout.write("No source is due.")
        for o in outcomes:
            self.stdout.write(f"#{o.source_id:<4} {o.name}: {o.summary()}")
        failed = sum(1 for o in outcomes if not o.ok)
        self.stdout.write(f"{len(outcomes)} source(s) collected, {failed} failed.")
