"""Where people reach this Yuqing: YUQING_SITE_URL, else the address `yuqing run` serves on.

Every link Yuqing generates (alerts, notices, the demo's own feeds and receiver) starts with `site_url()`, so a
demo started on any address points at itself rather than at a port nobody listens on.
"""

from __future__ import annotations

import os

from django.conf import settings

DEFAULT_SITE_URL = "http://127.0.0.1:8000"


def site_url() -> str:
    url = (getattr(settings, "YUQING_SITE_URL", "") or os.environ.get("YUQING_SITE_URL")
           or os.environ.get("YUQING_DEMO_BASE_URL") or DEFAULT_SITE_URL)
    return url.rstrip("/")


def url_for_address(host: str, port: str) -> str:
    """The URL of a served address; a wildcard host is reached through the loopback address."""
    if host in {"0.0.0.0", "", "*"}:
        host = "127.0.0.1"
    elif host in {"::", "[::]"}:
        host = "[::1]"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def adopt_served_address(host: str, port: str) -> str:
    """Make the served address the site URL unless YUQING_SITE_URL says otherwise; returns the site URL.

    The environment variable is set too, so code that reads it (and child processes) agree.
    """
    if not (getattr(settings, "YUQING_SITE_URL", "") or os.environ.get("YUQING_SITE_URL")):
        url = url_for_address(host, port)
        settings.YUQING_SITE_URL = url
        os.environ["YUQING_SITE_URL"] = url
    return site_url()
