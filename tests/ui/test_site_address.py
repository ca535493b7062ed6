"""The demo and every generated link follow the address the site is served on; commands print only results."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from yuqing.audit.models import AuditRecord
from yuqing.monitoring.models import Source
from yuqing.notify.models import Notifier
from yuqing.system.management.commands.run import retarget_demo

pytestmark = pytest.mark.django_db


def _demo_urls():
    sources = sorted(Source.objects.filter(url__contains="/demo-feeds/").values_list("url", flat=True))
    notifier = Notifier.objects.get(name__contains="演示接收器")
    return sources, notifier.secrets()["url"]  # a webhook's address is a secret setting (M2)


def test_demo_lives_on_the_address_it_is_served_on_and_moves_with_it(tmp_path, settings, monkeypatch):
    monkeypatch.delenv("YUQING_SITE_URL", raising=False)
    settings.DATA_DIR = tmp_path
    settings.YUQING_SITE_URL = ""
    out = io.StringIO()
    call_command("demo", "--addr", "127.0.0.1:8101", stdout=out)
    sources, receiver = _demo_urls()
    assert len(sources) == 3 and all(u.startswith("http://127.0.0.1:8101/demo-feeds/") for u in sources)
    assert receiver == "http://127.0.0.1:8101/notify/demo-receiver/"
    assert "127.0.0.1:8101" in out.getvalue() and "8000" not in out.getvalue()

    # served elsewhere later: `yuqing run` moves the demo, through the audited actions
    settings.YUQING_SITE_URL = "http://10.0.0.7:8690"
    assert retarget_demo() == 4
    sources, receiver = _demo_urls()
    assert all(u.startswith("http://10.0.0.7:8690/demo-feeds/") for u in sources)
    assert receiver == "http://10.0.0.7:8690/notify/demo-receiver/"
    assert AuditRecord.objects.filter(action="source.update").count() == 3
    assert AuditRecord.objects.filter(action="notifier.update").count() == 1
    assert retarget_demo() == 0


def test_alert_links_start_with_the_site_url(world, settings):
    from yuqing.notify.delivery import message_for
    from yuqing.notify.models import Alert

    settings.YUQING_SITE_URL = "https://yuqing.example.edu.cn/"
    alert = Alert(organization=world.school, level=2, title="t", reasons=[], source_id=None, event_id=None, pk=7)
    assert message_for(alert).url == "https://yuqing.example.edu.cn/notify/alerts/7/"


def test_served_wildcard_address_is_reached_through_loopback():
    from yuqing.siteurl import url_for_address

    assert url_for_address("0.0.0.0", "8000") == "http://127.0.0.1:8000"
    assert url_for_address("192.168.1.5", "8101") == "http://192.168.1.5:8101"
    assert url_for_address("::1", "8101") == "http://[::1]:8101"


def test_a_command_prints_its_result_and_keeps_log_lines_and_jieba_off_the_console(tmp_path):
    script = ("import logging; logging.getLogger('yuqing.x').info('INFO-NOISE'); "
              "from yuqing.detection.pipeline import key_terms; key_terms('示范县第一中学食堂饭菜'); print('RESULT')")
    env = {k: v for k, v in os.environ.items() if k not in {"YUQING_CONSOLE_LOG_LEVEL", "YUQING_LOG_LEVEL"}}
    env.update(YUQING_DATA_DIR=str(tmp_path), YUQING_LOG_FILE=str(tmp_path / "yuqing.log"))
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "yuqing.cli", "shell", "--no-imports", "-c", script], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "RESULT"
    assert "INFO-NOISE" not in done.stderr and "prefix dict" not in done.stderr, done.stderr
    assert "INFO-NOISE" in (tmp_path / "yuqing.log").read_text(encoding="utf-8")
