"""`yuqing token issue USERNAME [--name NAME]`: print a new API token for an integration or test account."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

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

    def handle(self, *args, **opts):
        try:
            user = get_user_model().objects.get(username=opts["username"])
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"no user called {opts['username']!r}") from exc
        if not user.is_active:
            raise CommandError(f"user {user.username!r} is inactive")
        name = (opts["name"] or "").strip()[:100] or "cli"
        with transaction.atomic():
            token, raw = ApiToken.issue(user, name)
            record(actor=None, action="api_token.create", obj=token, object_repr=f"{user.username}: {name}",
                   after={"user": user.username, "name": name, "prefix": token.prefix, "via": "cli"})
        self.stdout.write(raw)
