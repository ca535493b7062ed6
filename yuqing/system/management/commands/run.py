"""`yuqing run`: serve the web UI and run background work in one process."""

from __future__ import annotations

import signal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from yuqing.siteurl import adopt_served_address


def retarget_demo() -> int:
    """Move the demo's sources and notifier to the address being served (no-op without demo data)."""
    import importlib

    moved = 0
    for name in ("yuqing.monitoring.demo", "yuqing.notify.demo"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        moved += module.retarget()
    return moved


class Command(BaseCommand):
    help = ("Serve the web UI (waitress) and, without CELERY_BROKER_URL, run scheduled jobs in the same process. "
            "Example: yuqing run --addr 127.0.0.1:8000")

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="host:port to listen on (default 127.0.0.1:8000)")
        parser.add_argument("--threads", type=int, default=8, help="web worker threads (default 8)")
        parser.add_argument("--no-worker", action="store_true", help="do not run the embedded background worker")

    def handle(self, *args, **opts):
        from waitress import serve

        from yuqing.system.scheduler import EmbeddedWorker
        from yuqing.wsgi import application

        host, _, port = opts["addr"].rpartition(":")
        if not host or not port.isdigit():
            raise CommandError(f"--addr: expected host:port such as 127.0.0.1:8000, got {opts['addr']!r}")
        site = adopt_served_address(host, port)
        if host not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS and host not in {"0.0.0.0", "::"}:
            # the address the operator asked to serve on is one the site must answer to
            settings.ALLOWED_HOSTS.append(host.strip("[]"))
        moved = retarget_demo()
        if moved:
            self.stdout.write(f"demo sources and notifier now point at {site}")
        worker = None
        if settings.YUQING_EMBEDDED_WORKER and not opts["no_worker"]:
            worker = EmbeddedWorker()
            worker.start()
            self.stdout.write("embedded worker started (scheduled jobs run in this process)")
        else:
            self.stdout.write("background work is left to Celery workers (yuqing worker)")

        def _stop(signum, frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, _stop)
        self.stdout.write(f"Yuqing is serving on http://{host}:{port}/ (site URL {site}/)  (Ctrl+C to stop)")
        try:
            serve(application, host=host, port=int(port), threads=opts["threads"], ident="yuqing")
        except KeyboardInterrupt:
            pass
        finally:
            if worker is not None:
                worker.stop()
            self.stdout.write("stopped")
