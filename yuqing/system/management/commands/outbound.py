"""`yuqing outbound list|allow|disallow|check`: the destinations outbound requests may reach although not public."""

from __future__ import annotations

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from yuqing import outbound
from yuqing.system.models import AllowedDestination
from yuqing.system.outbound_actions import do_allow_destination, do_disallow_destination


class Command(BaseCommand):
    help = ("Outbound guard. Examples: yuqing outbound allow mail.school.cn:25 --note 'school mail server'; "
            "yuqing outbound check http://10.0.0.5/feed; yuqing outbound list")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="list|allow|disallow|check")
        sub.add_parser("list", help="allowed non-public destinations (and those from YUQING_OUTBOUND_ALLOW)")
        allow = sub.add_parser("allow", help="allow a host, address or network, optionally :port")
        allow.add_argument("pattern")
        allow.add_argument("--note", default="")
        dis = sub.add_parser("disallow", help="remove an allowed destination")
        dis.add_argument("pattern")
        check = sub.add_parser("check", help="say whether a URL or host:port may be reached, and why")
        check.add_argument("target")

    def handle(self, *args, **opts):
        action = opts["action"]
        if action == "list":
            from django.conf import settings

            for pattern in getattr(settings, "YUQING_OUTBOUND_ALLOW", ()):
                self.stdout.write(f"{pattern:<32} (YUQING_OUTBOUND_ALLOW)")
            for entry in AllowedDestination.objects.all():
                self.stdout.write(f"{entry.pattern:<32} {entry.note} ({entry.created_by})")
            return
        if action == "allow":
            try:
                do_allow_destination(pattern=opts["pattern"], note=opts["note"], acting_user="system")
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            self.stdout.write(f"allowed {opts['pattern']}")
            return
        if action == "disallow":
            entry = AllowedDestination.objects.filter(pattern=opts["pattern"].strip()).first()
            if entry is None:
                raise CommandError(f"{opts['pattern']!r} is not an allowed destination (see yuqing outbound list)")
            do_disallow_destination(entry, acting_user="system")
            self.stdout.write(f"removed {entry.pattern}")
            return
        host, port = _host_port(opts["target"])
        try:
            addresses = outbound.current_policy().check(host, port)
        except outbound.BlockedDestination as exc:
            self.stderr.write(f"refused: {exc}")
            sys.exit(1)
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"allowed: {host}:{port} → {', '.join(addresses)}")


def _host_port(target: str) -> tuple[str, int]:
    from urllib.parse import urlsplit

    parts = urlsplit(target if "://" in target else "//" + target)
    default = {"https": 443, "http": 80, "smtp": 25}.get(parts.scheme, 80)
    try:
        port = parts.port or default
    except ValueError as exc:
        raise CommandError(f"{target!r}: {exc}") from exc
    if not parts.hostname:
        raise CommandError(f"{target!r} names no host")
    return parts.hostname, port
