"""Browser journeys: Playwright driving Debian's chromium against a live `yuqing run` with demo data.

One server per test session (SQLite, embedded worker, demo data) on a free port; every journey gets a fresh
browser context. Add a journey as a `test_*.py` file here using the `journey` fixture (see README "Browser
journeys"): `journey.login("editor")`, `journey.go("/path/")`, `journey.shot("name")`, `journey.no_overflow()`.
Without /usr/bin/chromium (or the playwright package) every journey is skipped and the run says so.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("YUQING_SCREENSHOTS", REPO / "test-artifacts" / "screenshots"))
CHROMIUM = os.environ.get("YUQING_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
# Ports the journeys' server may use (the first free one is taken).
PORTS = range(int(os.environ.get("YUQING_BROWSER_PORT_FIRST", "8680")),
              int(os.environ.get("YUQING_BROWSER_PORT_LAST", "8699")) + 1)
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def _why_skipped() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"browser journeys skipped: {CHROMIUM} not found (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser journeys skipped: the playwright package is not installed (pip install -e '.[test]')"
    return None


SKIP_REASON = _why_skipped()


def pytest_collection_modifyitems(config, items):
    if SKIP_REASON is None:
        return
    marker = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(marker)


def pytest_terminal_summary(terminalreporter):
    if SKIP_REASON and any("browser" in r.keywords for r in terminalreporter.stats.get("skipped", [])):
        terminalreporter.write_line(f"*** {SKIP_REASON} ***", yellow=True, bold=True)
    elif SKIP_REASON is None:
        terminalreporter.write_line(f"browser journeys: screenshots in {SCREENSHOTS}")


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1} for the journeys' server")


class LiveSite:
    """A `yuqing run` in its own data directory, with demo data and the demo's passwords."""

    def __init__(self):
        self.data_dir = Path(tempfile.mkdtemp(prefix="yq-browser-"))
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items()
                    if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "YUQING_SITE_URL"}}
        self.env.update(YUQING_DATA_DIR=str(self.data_dir), YUQING_LOG_FILE=str(self.data_dir / "yuqing.log"),
                        DJANGO_SETTINGS_MODULE="yuqing.settings")
        self.process = None
        self.passwords: dict[str, str] = {}

    def _yuqing(self, *args):
        done = subprocess.run([sys.executable, "-m", "yuqing.cli", *args], env=self.env, capture_output=True,
                              text=True, timeout=300)
        if done.returncode:
            raise RuntimeError(f"yuqing {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start(self):
        self._yuqing("migrate", "--no-input", "-v", "0")
        self._yuqing("demo", "--addr", f"127.0.0.1:{self.port}")
        for line in (self.data_dir / "demo-credentials.txt").read_text(encoding="utf-8").splitlines():
            name, _tab, password = line.partition("\t")
            self.passwords[name] = password
        self.log = open(self.data_dir / "server.out", "w", encoding="utf-8")  # noqa: SIM115
        self.process = subprocess.Popen([sys.executable, "-m", "yuqing.cli", "run", "--addr",
                                         f"127.0.0.1:{self.port}"], env=self.env, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("yuqing run stopped:\n" + (self.data_dir / "server.out").read_text())
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2):
                    return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("yuqing run did not answer /healthz within 60 s")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.log.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def live_site():
    if SKIP_REASON:
        pytest.skip(SKIP_REASON)
    site = LiveSite().start()
    yield site
    site.stop()


@pytest.fixture(scope="session")
def chromium():
    if SKIP_REASON:
        pytest.skip(SKIP_REASON)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class Journey:
    """One person's walk through the site in one browser context; screenshots are numbered in order."""

    def __init__(self, site: LiveSite, browser, name: str, viewport: dict):
        self.site = site
        self.context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.folder = SCREENSHOTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.shots = 0

    def go(self, path: str):
        response = self.page.goto(self.site.url + path)
        self.page.wait_for_load_state("networkidle")
        return response

    def login(self, username: str):
        self.go("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", self.site.passwords[username])
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state("networkidle")
        assert "/accounts/login/" not in self.page.url, f"{username} could not log in"

    def shot(self, name: str) -> Path:
        self.shots += 1
        safe = re.sub(r"[^\w-]+", "-", name)
        path = self.folder / f"{self.shots:02d}-{safe}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def width(self) -> int:
        """How wide the page's content is (scrollWidth); wider than the viewport means horizontal scrolling."""
        return self.page.evaluate("document.documentElement.scrollWidth")

    def no_overflow(self):
        viewport = self.page.viewport_size["width"]
        wide = self.page.evaluate("""(limit) => Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getBoundingClientRect().right > limit + 1 && getComputedStyle(e).position !== 'absolute')
            .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""",
            viewport)
        assert self.width() <= viewport, f"{self.page.url} is {self.width()} px wide at {viewport} px: {wide}"

    def phone_check(self, name: str):
        """The current page at 390 px: nothing wider than the screen, and a screenshot; then back to desktop."""
        viewport = self.page.viewport_size
        self.page.set_viewport_size(PHONE)
        self.page.wait_for_timeout(200)
        self.no_overflow()
        self.shot(f"{name}-phone")
        self.page.set_viewport_size(viewport)

    def close(self):
        self.context.close()


@pytest.fixture
def journey(request, live_site, chromium):
    """A desktop-width journey (1366 px); screenshots go to test-artifacts/screenshots/<test name>/."""
    j = Journey(live_site, chromium, request.node.name, DESKTOP)
    yield j
    j.close()
    assert not j.errors, f"JavaScript errors: {j.errors}"


@pytest.fixture
def phone_journey(request, live_site, chromium):
    """The same at phone width (390 px)."""
    j = Journey(live_site, chromium, request.node.name, PHONE)
    yield j
    j.close()
    assert not j.errors, f"JavaScript errors: {j.errors}"
