"""`yuqing token issue USERNAME [--name NAME]`: print a new API token for an integration or test account."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from yuqing.accounts.models import ApiToken
from yuqing.audit.log import record


class Command(BaseCommand):
    help = ("API tokens for scripts. Example: yuqing token issue editor --name ci-script "
            "(prints the token once; send it as 'Authorization: Bearer yq_…')")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="issue")
        issue = sub.add_parser("issue", help="issue a new token for USERNAME, e.g. yuqing token issue editor")
        issue.add_argument("username")
        issue.add_argument("--name", default="cli", help="what the token is for (shown on the tokens page)")
        issue.add_argument("--days", type=int, default=None, help="expire after this many days (default: never)")

    def handle(self, *args, **opts):
        try:
            user = get_user_model().objects.get(username=opts["username"])
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"no user called {opts['username']!r}") from exc
        if not user.is_active:
            raise CommandError(f"user {user.username!r} is inactive")
        name = (opts["name"] or "").strip()[:100] or "cli"
        with transaction.atomic():
            # Whoever runs the command line on the server stands in for the second factor.
            expires_at = timezone.now() + timedelta(days=opts["days"]) if opts.get("days") else None
            token, raw = ApiToken.issue(user, name, expires_at=expires_at, second_factor=True)
            record(actor=None, action="api_token.create", obj=token, object_repr=f"{user.username}: {name}",
                   after={"user": user.username, "name": name, "prefix": token.prefix, "via": "cli",
                          "expires_at": expires_at.isoformat() if expires_at else None})
        self.stdout.write(raw)
