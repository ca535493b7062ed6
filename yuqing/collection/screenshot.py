"""Screenshots of fetched pages by a headless Chromium, rendered offline from the bytes Yuqing fetched.

The page is rendered from a local file with the network cut off and scripts disabled: the browser never
requests anything itself, so the fetch guard stays the only way out (no request to a private address, and the
author of a post does not learn when the school looks at it), and the picture shows what was archived.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import gettext_noop

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
NO_SCRIPTS = b'<meta http-equiv="Content-Security-Policy" content="script-src \'none\'; object-src \'none\'">'



@dataclass(frozen=True)
class Screenshot:
    png: bytes | None
    # Why there is no picture, in plain words for the case page ("" when there is one).
    note: str = ""


def find_browser() -> str | None:
    configured = os.environ.get("YUQING_CHROMIUM", "")
    if configured:
        return configured if Path(configured).exists() else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def render_html(html: bytes, *, width: int = 1280, height: int = 2000, timeout: float = 30.0) -> Screenshot:
    """A PNG of `html` as Chromium draws it, or no picture with the reason (never raises)."""
    browser = find_browser()
    if browser is None:
        return Screenshot(None, gettext_noop("No headless Chromium is installed on the server, so no screenshot was taken."))
    with tempfile.TemporaryDirectory(prefix="yuqing-shot-") as tmp:
        page = Path(tmp, "page.html")
        # Scripts off by a policy the parser meets first (the blink setting for it breaks --screenshot).
        page.write_bytes(NO_SCRIPTS + html)
        out = Path(tmp, "shot.png")
        args = [
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-extensions", "--mute-audio",
            # No network at all: every host resolves to nothing and every request goes to a dead proxy.
            "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",
            f"--user-data-dir={tmp}/profile", f"--window-size={width},{height}", f"--screenshot={out}",
            page.as_uri(),
        ]
        try:
            subprocess.run(args, capture_output=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return Screenshot(None, gettext_noop("The headless browser failed, so no screenshot was taken."))
        if not out.exists() or not out.read_bytes().startswith(PNG_MAGIC):
            return Screenshot(None, gettext_noop("The headless browser produced no picture."))
        return Screenshot(out.read_bytes())
