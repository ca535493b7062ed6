"""`yuqing demo`: load the demo bureau, schools, people and monitoring data (safe to run again)."""

from __future__ import annotations

import importlib

from django.core.management.base import BaseCommand, CommandError

# Each app that has demo data offers a `demo.load()`; order matters (people before sources).
DEMO_MODULES = ["yuqing.orgs.demo", "yuqing.monitoring.demo", "yuqing.detection.demo", "yuqing.notify.demo",
                "yuqing.registry.demo", "yuqing.publishing.demo", "yuqing.incidents.demo",
                "yuqing.reports.demo_history", "yuqing.reports.demo"]


class Command(BaseCommand):
    help = "Load demo data: one bureau, two schools with units, one person per role. Example: yuqing demo"

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="",
                            help="host:port the site will be served on (default: YUQING_SITE_URL, else 127.0.0.1:8000); "
                                 "the demo's feeds and receiver live there")

    def handle(self, *args, **opts):
        from yuqing.orgs import demo as org_demo
        from yuqing.siteurl import adopt_served_address

        if opts["addr"]:
            host, _, port = opts["addr"].rpartition(":")
            if not host or not port.isdigit():
                raise CommandError(f"--addr: expected host:port such as 127.0.0.1:8000, got {opts['addr']!r}")
            adopt_served_address(host, port)

        result = org_demo.load()
        for name in DEMO_MODULES[1:]:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError:
                continue
            message = module.load()
            if message:
                self.stdout.write(message)
        if result.created_people:
            self.stdout.write("Demo accounts created (passwords shown this once, also kept in "
                              f"{result.credentials_file}):")
            for username, pw in result.created_people:
                self.stdout.write(f"  {username:<16} {pw}")
        else:
            self.stdout.write(f"Demo data already present; demo passwords are in {result.credentials_file}")
