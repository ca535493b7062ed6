"""`yuqing source add|list`: manage collection sources from the command line."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from yuqing.monitoring.actions import do_create_source
from yuqing.monitoring.health import health_text
from yuqing.monitoring.models import Source
from yuqing.orgs.commands import organization_by_slug, system_user


def _option(text: str) -> tuple[str, object]:
    if "=" not in text:
        raise CommandError(f"--option {text!r} is not key=value")
    key, value = text.split("=", 1)
    try:
        parsed = json.loads(value)  # numbers, true/false and JSON objects keep their type
    except json.JSONDecodeError:
        parsed = value
    return key.strip(), parsed


class Command(BaseCommand):
    help = ("Collection sources. Examples: yuqing source add --org no1-middle --kind rss --name 学校微博 "
            "https://rsshub.example.cn/weibo/user/123 --interval 600 ; yuqing source list --format json")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="add|list")
        add = sub.add_parser("add", help="add a source, e.g. yuqing source add --org no1 --kind rss --name N URL")
        add.add_argument("url", nargs="?", default="", help="feed, list page or API address (none for webhook)")
        add.add_argument("--org", required=True, help="organisation slug")
        add.add_argument("--kind", required=True, choices=["rss", "page", "json", "webhook"])
        add.add_argument("--name", required=True)
        add.add_argument("--interval", type=int, default=900, help="seconds between checks (default 900)")
        add.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                         help="connector option, repeatable; JSON values allowed, e.g. link_selector='a.title'")
        add.add_argument("--secret", default="", help="API token (json) or signing secret (webhook)")
        add.add_argument("--allow-private", action="store_true",
                         help="allow reaching loopback/private addresses (administrators only)")
        add.add_argument("--ignore-robots", action="store_true", help="do not honour robots.txt")
        ls = sub.add_parser("list", help="list sources with their health, e.g. yuqing source list --org no1")
        ls.add_argument("--org", help="organisation slug (its units included)")
        ls.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **opts):
        if opts["action"] == "add":
            self._add(opts)
        else:
            self._list(opts)

    def _add(self, opts):
        org = organization_by_slug(opts["org"])
        options = dict(_option(o) for o in opts["option"])
        try:
            source = do_create_source(
                organization=org, acting_user=system_user(), name=opts["name"], kind=opts["kind"], url=opts["url"],
                options=options, secret=opts["secret"], interval_seconds=opts["interval"],
                allow_private=opts["allow_private"], respect_robots=not opts["ignore_robots"])
        except ValidationError as exc:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()) \
                if hasattr(exc, "error_dict") else "; ".join(exc.messages)
            raise CommandError(problems) from exc
        self.stdout.write(f"Added source #{source.pk} {source.name} ({source.kind}) to {org.slug}")
        if source.kind == Source.Kind.WEBHOOK:
            self.stdout.write(f"  push to: /api/push/{source.push_token}")
            if not opts["secret"]:
                self.stdout.write(f"  signing secret (shown only now): {source.secret}")

    def _list(self, opts):
        sources = Source.objects.select_related("organization").order_by("organization__path", "name")
        if opts["org"]:
            org = organization_by_slug(opts["org"])
            sources = sources.filter(organization__path__startswith=org.path)
        rows = [{"id": s.pk, "organization": s.organization.slug, "name": s.name, "kind": s.kind, "url": s.url,
                 "enabled": s.enabled, "interval_seconds": s.interval_seconds, "flagged": s.flagged,
                 "consecutive_failures": s.consecutive_failures, "health": health_text(s)} for s in sources]
        if opts["format"] == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for r in rows:
            self.stdout.write(f"#{r['id']:<4} {r['organization']:<20} {r['kind']:<10} {r['name']}  — {r['health']}")
