"""Every page, as every demo persona, in zh-hans: no English words or raw codes outside the allow list.

Pages are found by walking the URL patterns (every route without parameters) and then following the links
those pages show (one page per route with parameters), so pages other modules add are scanned without
touching this test. Words that belong in a Chinese page (RSS, API, demo user names…) are listed in
tests/ui/page_scan_allow.txt; a stored code must get a label instead (yuqing/labels.py).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

pytestmark = pytest.mark.django_db

ALLOW_FILE = Path(__file__).with_name("page_scan_allow.txt")
# Routes that are not pages a person reads (feeds, downloads, machine endpoints, actions).
SKIP_PREFIXES = ("/api/", "/static/", "/i18n/", "/demo-feeds/", "/accounts/logout/", "/healthz", "/media/")
SKIP_SUFFIXES = (".csv", ".xlsx", ".docx", ".xml", ".json", ".png")
SKIP_WORDS = ("/delete/", "/remove/", "/download", "/export", "/evidence/", "/receiver/", "/push/")
MAX_PAGES_PER_PERSONA = 80
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_\-./]*[A-Za-z0-9]|[A-Za-z]")


def _allow():
    plain, patterns = set(), []
    for line in ALLOW_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("re:"):
            patterns.append(re.compile(line[3:]))
        else:
            plain.add(line)
    return plain, patterns


# Not read as interface text: code, and what people typed themselves (a draft's HTML in its textarea).
_HIDDEN = ("script", "style", "template", "code", "pre", "textarea")


class _Text(HTMLParser):
    """The text a reader sees (no scripts, styles or tags), plus placeholders and button values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in _HIDDEN:
            self._hidden += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("placeholder", "aria-label", "alt"):
            if attrs.get(name):
                self.parts.append(attrs[name])

    def handle_endtag(self, tag):
        if tag in _HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


_URLISH = re.compile(r"https?://\S+|\S+@\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|cn|net|org|edu|gov|xml|txt|csv|xlsx|docx|pdf|zip|png|jpg)\b"
                     r"|\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b|/[\w./-]+")


def english_words(text: str, plain: set, patterns: list, context: bool = False) -> list[str]:
    """The words of `text` that are neither Chinese nor allowed; with `context`, each with what surrounds it."""
    found = []
    text = " ".join(_URLISH.sub(" ", text).split())
    for match in WORD.finditer(text):
        word = match.group().strip(".-/")
        if not word or len(word) < 2 and not word.isalpha():
            continue
        if word in plain or any(p.fullmatch(word) for p in patterns):
            continue
        found.append(f"{word} «{text[max(0, match.start() - 15):match.end() + 15]}»" if context else word)
    return found


def _static_routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _static_routes(entry, prefix + route)
        elif isinstance(entry, URLPattern) and "<" not in route and not route.startswith("^"):
            yield "/" + prefix + route


def _page_path(href: str) -> str | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    path = parts.path
    if path.startswith(SKIP_PREFIXES) or path.endswith(SKIP_SUFFIXES) or any(w in path for w in SKIP_WORDS):
        return None
    return path + (f"?{parts.query}" if parts.query and "page=" not in parts.query else "")


def _route_of(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.route


@pytest.fixture
def demo_world(tmp_path, settings):
    """The demo, with its feeds collected (as the embedded worker would), a tip and a judged mention."""
    from django.core.management import call_command
    from django.utils import translation

    from yuqing.collection.connectors.rss import parse_feed
    from yuqing.monitoring import demo
    from yuqing.monitoring.models import Source
    from yuqing.monitoring.pipeline import store_entries

    settings.DATA_DIR = tmp_path
    settings.LANGUAGE_CODE = "zh-hans"  # as `yuqing demo` runs by default: what it stores is in Chinese
    with translation.override("zh-hans"):
        call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    for source in Source.objects.filter(url__contains="/demo-feeds/"):
        name = source.url.rsplit("/", 1)[1].removesuffix(".xml")
        store_entries(source.organization, source, parse_feed(demo.render_feed(name).encode()).entries)


def test_every_page_reads_in_chinese_for_every_persona(demo_world, client, settings):
    from django.contrib.auth import get_user_model

    settings.LANGUAGE_CODE = "zh-hans"
    plain, patterns = _allow()
    static = [p for p in _static_routes() if _page_path(p)]
    problems: dict[str, set[str]] = {}
    visited_routes = 0
    for user in get_user_model().objects.filter(is_active=True).order_by("username"):
        client.force_login(user)
        client.cookies.load({"django_language": "zh-hans"})
        queue, seen_paths, seen_routes = list(static), set(), set()
        pages = 0
        while queue and pages < MAX_PAGES_PER_PERSONA:
            path = queue.pop(0)
            route = _route_of(path)
            if path in seen_paths or route is None or (route in seen_routes and "<" in route):
                continue
            seen_paths.add(path)
            seen_routes.add(route)
            response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
            pages += 1
            if response.status_code in (301, 302, 403, 404, 405) or response.get("Content-Type", "").find("html") < 0:
                continue
            assert response.status_code == 200, (user.username, path, response.status_code)
            parser = _Text()
            parser.feed(response.content.decode())
            words = english_words(" ".join(parser.parts), plain, patterns, context=True)
            if words:
                problems.setdefault(f"{route} ({path})", set()).update(f"{w}" for w in words)
            queue.extend(p for p in map(_page_path, parser.links) if p and p not in seen_paths)
        visited_routes += len(seen_routes)
    assert visited_routes > 30, "the scan found too few pages to mean anything"
    report = "\n".join(f"{page}: {' | '.join(sorted(words)[:8])}" for page, words in sorted(problems.items()))
    assert not problems, "English words or codes in the Chinese interface (fix the page, or add a word that " \
                         "belongs to tests/ui/page_scan_allow.txt):\n" + report


def test_the_scan_notices_english_and_codes_but_not_allowed_words():
    plain, patterns = _allow()
    assert english_words("涉及食品安全（food_safety）", plain, patterns) == ["food_safety"]
    assert english_words("评论 comments 40", plain, patterns) == ["comments"]
    assert english_words("RSS 订阅 https://example.cn/a?b=c 与 API 令牌 yq_abc123", plain, patterns) == []
