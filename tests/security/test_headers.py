"""Security headers: a Content-Security-Policy the UI passes (no inline scripts or handlers left), and HSTS plus
the proxy's HTTPS header when YUQING_SECURE_COOKIES=1."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "yuqing" / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def test_no_template_has_an_inline_script_or_event_handler():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, HANDLER):
            found += [f"{path.relative_to(TEMPLATES)}: {m.group(0).strip()}" for m in pattern.finditer(text)]
    assert not found, "inline scripts and handlers are refused by the CSP; move them to static/yuqing/*.js:\n" + \
        "\n".join(found)


@pytest.mark.django_db
def test_pages_carry_a_policy_without_inline_scripts_or_outside_images(world, login):
    c = login(world.publicity)
    for url in ("/", "/monitoring/items/", "/accounts/login/"):
        policy = c.get(url)["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        assert directives["script-src"] == "'self'", policy
        assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
        # collected HTML may hold <img src="https://author.example/pixel">: not loaded when a person looks
        assert directives["img-src"].split() == ["'self'", "data:", "blob:"]
        assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"


def _settings_with(env: dict) -> dict:
    code = ("import django, json, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'yuqing.settings'); "
            "from django.conf import settings as s; "
            "print(json.dumps([s.SESSION_COOKIE_SECURE, getattr(s, 'SECURE_HSTS_SECONDS', 0), "
            "getattr(s, 'SECURE_PROXY_SSL_HEADER', None)]))")
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_hsts_and_proxy_ssl_header_only_with_secure_cookies(tmp_path):
    secure = _settings_with({"YUQING_SECURE_COOKIES": "1", "YUQING_DATA_DIR": str(tmp_path)})
    assert secure[0] is True and secure[1] >= 180 * 86400 and secure[2] == ["HTTP_X_FORWARDED_PROTO", "https"]
    plain = _settings_with({"YUQING_SECURE_COOKIES": "0", "YUQING_DATA_DIR": str(tmp_path)})
    assert plain == [False, 0, None]

