"""A local feed → collection → one event → 一般 then 重大 → exactly two alerts at a local webhook receiver."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import TestCase

from tests.notify_transports.conftest import http_server  # noqa: F401 - the local webhook receiver
from yuqing.detection.models import Event, LevelChange, Mention, Scheme

CANTEEN_POST = "第一中学食堂饭菜又涨价了，一份套餐要二十五元，家长质疑收费不透明，希望学校公开账目。"


class Feed:
    """An RSS feed on 127.0.0.1 whose one post's comment count the test can raise."""

    def __init__(self) -> None:
        self.comments = 10
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the name http.server calls
                body = feed.render().encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/feed.xml"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def render(self) -> str:
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            'xmlns:slash="http://purl.org/rss/1.0/modules/slash/"><channel><title>家长圈</title>'
            "<link>https://weibo.com/demo</link><description>d</description><item>"
            "<title>第一中学食堂饭菜涨价</title><link>https://weibo.com/7712345601/canteenPrice</link>"
            f"<description>{CANTEEN_POST}</description><pubDate>Sat, 21 Nov 2026 08:00:00 +0800</pubDate>"
            f"<slash:comments>{self.comments}</slash:comments></item></channel></rss>"
        )

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def feed():
    f = Feed()
    yield f
    f.close()


def _setup(world, feed_url: str, webhook_url: str):
    from tests.notify.conftest import make_webhook
    from yuqing.monitoring.models import Source

    Scheme.objects.create(organization=world.school, name="一中食堂",
                          expression="(第一中学 OR 一中) AND (食堂 OR 饭菜 OR 收费 OR 欺凌)")
    make_webhook(world.school, webhook_url)
    return Source.objects.create(organization=world.school, name="家长圈", kind="rss", url=feed_url,
                                 allow_private=True, respect_robots=False)


def _collect(source) -> None:
    from yuqing.monitoring.pipeline import collect_source

    source.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        outcome = collect_source(source)
    assert outcome.ok, outcome.summary()


def _alert_levels(server) -> list[str]:
    return [json.dumps(json.loads(r.body), ensure_ascii=False) for r in server.requests]


@pytest.mark.django_db
def test_growing_comments_raise_one_event_from_general_to_major_with_two_alerts(world, feed, http_server):  # noqa: F811
    from yuqing.notify.models import Alert

    source = _setup(world, feed.url, http_server.url + "/hook")
    _collect(source)
    event = Event.objects.get()
    assert event.level == 1
    assert len(http_server.requests) == 1 and "一般" in _alert_levels(http_server)[0]

    feed.comments = 150
    _collect(source)
    _collect(source)  # nothing new: no third alert
    event.refresh_from_db()
    assert Event.objects.count() == 1 and Mention.objects.count() == 1
    assert event.level == 3
    assert [(c.from_level, c.to_level) for c in LevelChange.objects.order_by("at")] == [(None, 1), (1, 3)]
    assert sorted(Alert.objects.values_list("level", flat=True)) == [1, 3]
    assert len(http_server.requests) == 2
    assert "重大" in _alert_levels(http_server)[1] and "150 ≥ 100" in _alert_levels(http_server)[1]


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_same_path_under_a_real_celery_worker(world, feed, http_server, celery_worker_process):  # noqa: F811
    from yuqing.monitoring.pipeline import collect_source

    source = _setup(world, feed.url, http_server.url + "/hook")

    def wait_for(count: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(http_server.requests) < count:
            time.sleep(0.1)

    collect_source(source)
    wait_for(1)
    assert len(http_server.requests) == 1
    feed.comments = 150
    source.refresh_from_db()
    collect_source(source)
    wait_for(2)
    time.sleep(1.0)  # a duplicate would arrive in this time
    assert len(http_server.requests) == 2
    assert Event.objects.get().level == 3
