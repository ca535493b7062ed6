"""`yuqing retention run [--dry-run]` and `yuqing retention set --org ORG --days N`."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from yuqing.orgs.commands import organization_by_slug, system_user
from yuqing.retention import engine
from yuqing.retention.actions import do_set_retention


class Command(BaseCommand):
    help = ("Remove items past their organisation's retention period (default two years), keeping what events, "
            "cases and evidence refer to. Examples: yuqing retention run --dry-run; "
            "yuqing retention set --org no1-middle --days 365")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="run|set")
        run = sub.add_parser("run", help="remove what is due, in batches (--dry-run: only count)")
        run.add_argument("--dry-run", action="store_true")
        run.add_argument("--org", help="only this organisation (slug)")
        run.add_argument("--max-batches", type=int, default=engine.MAX_BATCHES,
                         help=f"batches of {engine.BATCH} items at most (default {engine.MAX_BATCHES})")
        run.add_argument("--format", choices=["text", "json"], default="text")
        put = sub.add_parser("set", help="set an organisation's retention period")
        put.add_argument("--org", required=True)
        put.add_argument("--days", required=True)

    def handle(self, *args, **opts):
        if opts["action"] == "set":
            org = organization_by_slug(opts["org"])
            try:
                policy = do_set_retention(org, opts["days"], acting_user=system_user())
            except ValidationError as exc:
                raise CommandError("; ".join(f"--days: {m}" for m in exc.messages), returncode=2) from exc
            self.stdout.write(f"{org.slug}: items are kept {policy.keep_days} days")
            return
        orgs = [organization_by_slug(opts["org"])] if opts.get("org") else None
        outcome = engine.run(dry_run=opts["dry_run"], organizations=orgs, max_batches=opts["max_batches"])
        if opts["format"] == "json":
            self.stdout.write(json.dumps({
                "dry_run": outcome.dry_run, "complete": outcome.complete, "removed": outcome.removed,
                "kept": outcome.kept, "keys_removed": outcome.keys_removed,
                "organizations": [{"organization": o.organization, "keep_days": o.keep_days,
                                   "before": o.cutoff.isoformat(), "removed": o.removed, "kept": o.kept,
                                   "mentions": o.mentions, "metrics": o.metrics, "kept_by": o.kept_by}
                                  for o in outcome.organizations]}, ensure_ascii=False))
            return
        verb = "would remove" if outcome.dry_run else "removed"
        for o in outcome.organizations:
            if o.removed or o.kept:
                kept_by = ", ".join(f"{k} {v}" for k, v in sorted(o.kept_by.items()))
                self.stdout.write(f"{o.organization}: {verb} {o.removed} items seen before {o.cutoff:%Y-%m-%d} "
                                  f"({o.mentions} mentions, {o.metrics} metric samples); kept {o.kept}"
                                  + (f" ({kept_by})" if kept_by else ""))
        self.stdout.write(f"{verb} {outcome.removed} items in all; kept {outcome.kept}"
                          + ("" if outcome.complete else "; more is due: run again"))
