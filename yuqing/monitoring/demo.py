"""Demo sources whose feeds Yuqing serves itself, so `make run` shows items arriving without internet.

The feeds are built from data/demo_feeds.json. The comment count of the canteen post (食堂) grows with the
time since the demo sources were created, so detection's demo event climbs to the highest level (≥ 100 comments).
"""

from __future__ import annotations

import json
from datetime import timedelta
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from django.http import Http404, HttpResponse
from django.utils import timezone

from yuqing.monitoring.models import Source
from yuqing.siteurl import site_url

_DATA = Path(__file__).resolve().parent / "data" / "demo_feeds.json"
# feed name → (organisation slug, source name)
DEMO_SOURCES = {
    "no1-weibo": ("no1-middle", "第一中学相关微博（演示）"),
    "county-news": ("no1-middle", "示范县新闻聚合（演示）"),
    "exp-primary": ("experimental-primary", "实验小学相关动态（演示）"),
}
DEMO_INTERVAL_SECONDS = 60


@lru_cache(maxsize=1)
def feeds() -> dict:
    return json.loads(_DATA.read_text(encoding="utf-8"))


def base_url() -> str:
    return site_url()


def _started():
    first = Source.objects.filter(url__contains="/demo-feeds/").order_by("created_at").first()
    return first.created_at if first else timezone.now()


def render_feed(name: str, now=None) -> str:
    """RSS 2.0 of one demo feed as it looks at ``now``."""
    feed = feeds()[name]
    now = now or timezone.now()
    minutes = max(0.0, (now - _started()).total_seconds() / 60)
    items = []
    for post in feed["posts"]:
        comments = min(post.get("comments_max", 10**6),
                       int(post.get("comments_start", 0) + post.get("comments_per_minute", 0) * minutes))
        published = now - timedelta(minutes=post["minutes_ago"])
        items.append(
            "<item>"
            f"<title>{escape(post['title'] or post['text'][:30])}</title>"
            f"<link>{escape(post['url'])}</link><guid isPermaLink=\"false\">demo-{name}-{post['id']}</guid>"
            f"<author>{escape(post['author'])}</author><pubDate>{format_datetime(published)}</pubDate>"
            f"<description>{escape('<p>' + escape(post['text']) + '</p>')}</description>"
            f"<slash:comments>{comments}</slash:comments>"
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:slash="http://purl.org/rss/1.0/modules/slash/"><channel>'
        f"<title>{escape(feed['title'])}</title><link>{escape(base_url())}/</link>"
        f"<description>Yuqing demo feed</description>{''.join(items)}</channel></rss>"
    )


def feed(request, name: str):
    if name not in feeds():
        raise Http404("no such demo feed")
    return HttpResponse(render_feed(name), content_type="application/rss+xml; charset=utf-8")


def _demo_admin():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_superuser=True).order_by("pk").first()


def retarget() -> int:
    """Point the demo sources at this site's address (it may be served elsewhere than when they were made)."""
    from yuqing.monitoring.actions import do_update_source

    admin, moved = _demo_admin(), 0
    for source in Source.objects.filter(url__contains="/demo-feeds/", name__in=[t for _, t in DEMO_SOURCES.values()]):
        name = source.url.rsplit("/demo-feeds/", 1)[1]
        wanted = f"{base_url()}/demo-feeds/{name}"
        if source.url != wanted and admin is not None:
            do_update_source(source, acting_user=admin, url=wanted)
            moved += 1
    return moved


def load() -> str | None:
    """Create the demo sources once (idempotent); they point at this Yuqing's own /demo-feeds/."""
    from yuqing.monitoring.actions import do_create_source
    from yuqing.orgs.models import Organization

    admin = _demo_admin()
    retarget()
    created = []
    for name, (slug, title) in DEMO_SOURCES.items():
        org = Organization.objects.filter(slug=slug).first()
        if org is None or admin is None or Source.objects.filter(organization=org, name=title).exists():
            continue
        do_create_source(organization=org, acting_user=admin, name=title, kind=Source.Kind.RSS,
                         url=f"{base_url()}/demo-feeds/{name}.xml", interval_seconds=DEMO_INTERVAL_SECONDS,
                         allow_private=True, respect_robots=False)
        created.append(title)
    if not created:
        return None
    return f"演示信息源已创建（{'、'.join(created)}），其订阅源由本站提供：{base_url()}/demo-feeds/"
