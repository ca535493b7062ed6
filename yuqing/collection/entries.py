"""Raw entries: what every connector produces, before the pipeline turns them into stored items."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Metric(enum.StrEnum):
    """Engagement counters kept as a time series on items."""

    VIEWS = "views"  # views or clicks (阅读/点击)
    COMMENTS = "comments"
    REPOSTS = "reposts"
    LIKES = "likes"


class Platform(enum.StrEnum):
    """Where an entry was published; guessed from the URL's host when the source does not say."""

    WEB = "web"
    WEIBO = "weibo"
    WECHAT = "wechat"
    BILIBILI = "bilibili"
    ZHIHU = "zhihu"
    DOUYIN = "douyin"
    KUAISHOU = "kuaishou"
    TOUTIAO = "toutiao"
    XIAOHONGSHU = "xiaohongshu"
    BAIDU_TIEBA = "tieba"
    DOUBAN = "douban"
    OTHER = "other"


# Host suffix → platform; longest suffix wins, so "tieba.baidu.com" beats "baidu.com" if both were listed.
_PLATFORM_HOSTS: dict[str, Platform] = {
    "weibo.com": Platform.WEIBO,
    "weibo.cn": Platform.WEIBO,
    "mp.weixin.qq.com": Platform.WECHAT,
    "bilibili.com": Platform.BILIBILI,
    "b23.tv": Platform.BILIBILI,
    "zhihu.com": Platform.ZHIHU,
    "douyin.com": Platform.DOUYIN,
    "iesdouyin.com": Platform.DOUYIN,
    "kuaishou.com": Platform.KUAISHOU,
    "toutiao.com": Platform.TOUTIAO,
    "xiaohongshu.com": Platform.XIAOHONGSHU,
    "xhslink.com": Platform.XIAOHONGSHU,
    "tieba.baidu.com": Platform.BAIDU_TIEBA,
    "douban.com": Platform.DOUBAN,
}


def guess_platform(url: str, default: str = Platform.WEB) -> str:
    """Return the platform a URL belongs to, or ``default`` for ordinary websites and unknown hosts."""
    host = (urlsplit(url).hostname or "").lower()
    if not host:
        return default
    best = ""
    for suffix in _PLATFORM_HOSTS:
        if (host == suffix or host.endswith("." + suffix)) and len(suffix) > len(best):
            best = suffix
    return _PLATFORM_HOSTS[best] if best else default


@dataclass
class RawEntry:
    """One post or article as a connector found it.

    ``html`` is untrusted markup straight from the source: pass it through ``sanitize.sanitize_html``
    before it is stored for display. ``published`` is aware (Asia/Shanghai when the source gave no zone)
    or None when unknown. ``source_ref`` is the source's own stable id (feed guid, API id) if any.
    """

    url: str = ""
    title: str = ""
    text: str = ""
    html: str = ""
    author: str = ""
    published: datetime | None = None
    platform: str = Platform.WEB
    metrics: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    source_ref: str = ""

    def __post_init__(self) -> None:
        if self.published is not None and self.published.tzinfo is None:
            self.published = self.published.replace(tzinfo=SHANGHAI)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (published as ISO 8601), e.g. for the "test now" preview or the API."""
        data = asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        data["platform"] = str(self.platform)
        return data


@dataclass(frozen=True)
class EntryError:
    """Why one entry (or file row) was left out; ``index`` is 0-based for lists, the row number for files."""

    index: int
    field: str
    message: str
    template: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        where = f"#{self.index}"
        return f"{where} {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


@dataclass
class CollectResult:
    """Outcome of one collection run of a pull source (rss, page, json).

    ``not_modified`` means the server answered 304 to a conditional request: nothing new, and
    ``validator`` is unchanged. Otherwise ``validator`` holds the ETag / Last-Modified to send next time.
    ``errors`` lists entries that were skipped; the run as a whole still succeeded.
    """

    entries: list[RawEntry] = field(default_factory=list)
    errors: list[EntryError] = field(default_factory=list)
    not_modified: bool = False
    validator: Any = None  # fetching.Validator; typed loosely to keep this module free of httpx
    final_url: str = ""
