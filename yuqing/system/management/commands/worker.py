"""`yuqing worker`: a Celery worker (with beat) for deployments with a broker."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("Start a Celery worker that runs Yuqing's tasks and jobs; needs CELERY_BROKER_URL. "
            "Run beat (--beat) in exactly one worker. Example: "
            "CELERY_BROKER_URL=redis://127.0.0.1:6379/0 yuqing worker --beat --concurrency 2")

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", type=int, default=2, help="worker processes (default 2)")
        parser.add_argument("--beat", action="store_true", help="also schedule periodic jobs (one per deployment)")
        parser.add_argument("--loglevel", default="info")

    def handle(self, *args, **opts):
        if not settings.CELERY_BROKER_URL:
            raise CommandError("CELERY_BROKER_URL is not set: without a broker, `yuqing run` does the background "
                               "work itself (embedded worker)")
        from yuqing.celery import app
        from yuqing.system.scheduler import ensure_jobs

        ensure_jobs()
        argv = ["worker", "--loglevel", opts["loglevel"], "--concurrency", str(opts["concurrency"])]
        if opts["beat"]:
            argv.append("--beat")
        app.worker_main(argv)
