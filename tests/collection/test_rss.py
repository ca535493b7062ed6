"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds served by a local server, including GBK feeds and 304 answers."""

from __future__ import annotations

from datetime import datetime

import pytest

from yuqing.collection.connectors import rss
from yuqing.collection.entries import SHANGHAI, Metric, Platform
from yuqing.collection.errors import ParseError
from yuqing.collection.fetching import Fetcher, Validator

from .localserver import LOCAL, LocalServer, Reply

RSS2 = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:slash="http://purl.org/rss/1.0/modules/slash/">
<channel><title>某某的微博</title><link>https://weibo.com/123</link><description>RSSHub</description>
<item><title>学校食堂饭菜有异物</title><description><![CDATA[<p>今天在<b>食堂</b>吃饭发现异物。</p><img src="a.jpg">]]></description>
<link>https://weibo.com/123/Abc?utm_source=rsshub</link><guid isPermaLink="false">weibo-Abc</guid>
<pubDate>Wed, 01 May 2024 08:00:00 +0800</pubDate><author>某网友</author><slash:comments>42</slash:comments></item>
<item><title>第二条</title><description>没有时区的时间</description><link>https://weibo.com/123/Def</link>
<pubDate>2024-05-02 09:30:00</pubDate></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>教育局动态</title><link href="https://edu.example.cn/"/>
<id>urn:feed</id><updated>2024-05-01T00:00:00Z</updated><author><name>教育局</name></author>
<entry><title>关于做好防溺水工作的通知</title><link href="/notice/1.html"/><id>urn:notice:1</id>
<updated>2024-05-01T02:00:00Z</updated><content type="html">&lt;p&gt;各学校：请加强安全教育。&lt;/p&gt;</content></entry>
</feed>"""

RDF = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://bbs.example.cn/"><title>论坛</title><link>https://bbs.example.cn/</link>
<description>d</description></channel>
<item rdf:about="https://bbs.example.cn/t/1"><title>家长反映校车超载</title><link>https://bbs.example.cn/t/1</link>
<description>校车严重超载，请有关部门管一管。</description><dc:date>2024-05-03T10:00:00+08:00</dc:date>
<dc:creator>家长甲</dc:creator></item>
</rdf:RDF>"""

NOW = datetime(2024, 5, 10, 12, 0, tzinfo=SHANGHAI)


def collect(server: LocalServer, fetcher: Fetcher, path: str, reply: Reply, **kwargs):
    server.routes[path] = reply
    config = rss.Config.from_options({"url": server.url(path)})
    return rss.collect(config, fetcher, options=LOCAL, now=NOW, **kwargs)


def test_rss2_feed_from_rsshub_gives_entries(server: LocalServer, fetcher: Fetcher) -> None:
    result = collect(server, fetcher, "/weibo", Reply(RSS2, headers={"Content-Type": "application/rss+xml"}))
    first, second = result.entries
    assert first.title == "学校食堂饭菜有异物"
    assert first.text == "今天在食堂吃饭发现异物。"
    assert "<b>食堂</b>" in first.html
    assert first.url == "https://weibo.com/123/Abc?utm_source=rsshub"
    assert first.source_ref == "weibo-Abc"
    assert first.published == datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI)
    assert first.author == "某网友"
    assert first.platform == Platform.WEIBO
    assert first.metrics == {Metric.COMMENTS: 42}
    # no zone in the feed: the time is read as Beijing time, not UTC
    assert second.published == datetime(2024, 5, 2, 9, 30, tzinfo=SHANGHAI)
    assert second.source_ref == "https://weibo.com/123/Def"


def test_atom_feed_resolves_relative_links(server: LocalServer, fetcher: Fetcher) -> None:
    result = collect(server, fetcher, "/atom", Reply(ATOM, headers={"Content-Type": "application/atom+xml"}))
    [entry] = result.entries
    assert entry.url == server.url("/notice/1.html")  # relative to the document, as the Atom spec says
    assert entry.text == "各学校：请加强安全教育。"
    assert entry.author == "教育局"
    assert entry.published.astimezone(SHANGHAI) == datetime(2024, 5, 1, 10, 0, tzinfo=SHANGHAI)


def test_rss1_rdf_feed(server: LocalServer, fetcher: Fetcher) -> None:
    result = collect(server, fetcher, "/rdf", Reply(RDF, headers={"Content-Type": "application/rdf+xml"}))
    [entry] = result.entries
    assert entry.title == "家长反映校车超载"
    assert entry.author == "家长甲"
    assert entry.published == datetime(2024, 5, 3, 10, 0, tzinfo=SHANGHAI)


def test_gbk_feed_labelled_gb2312_is_decoded(server: LocalServer, fetcher: Fetcher) -> None:
    # 镕 is in GBK but not in GB2312: a strict GB2312 decoder would fail on this real-world feed
    feed = RSS2.replace('encoding="UTF-8"', 'encoding="gb2312"').replace("某网友", "朱镕基中学网友")
    result = collect(server, fetcher, "/gbk", Reply(feed.encode("gbk"), headers={"Content-Type": "text/xml"}))
    assert result.entries[0].title == "学校食堂饭菜有异物"
    assert result.entries[0].author == "朱镕基中学网友"


def test_gbk_feed_with_charset_only_in_header(server: LocalServer, fetcher: Fetcher) -> None:
    feed = RSS2.replace('<?xml version="1.0" encoding="UTF-8"?>', "")
    reply = Reply(feed.encode("gbk"), headers={"Content-Type": "application/xml; charset=GBK"})
    assert collect(server, fetcher, "/gbk2", reply).entries[0].text == "今天在食堂吃饭发现异物。"


def test_unchanged_feed_answers_304_and_keeps_validator(server: LocalServer, fetcher: Fetcher) -> None:
    def feed(request):
        if request.headers.get("if-none-match") == '"abc"':
            return Reply(status=304)
        return Reply(RSS2, headers={"ETag": '"abc"', "Last-Modified": "Wed, 01 May 2024 00:00:00 GMT"})

    first = collect(server, fetcher, "/cond", feed)
    assert len(first.entries) == 2
    assert first.validator == Validator('"abc"', "Wed, 01 May 2024 00:00:00 GMT")
    second = collect(server, fetcher, "/cond", feed, validator=first.validator)
    assert second.not_modified is True
    assert second.entries == []
    assert second.validator == first.validator


def test_malformed_xml_without_entries_is_a_clear_error(server: LocalServer, fetcher: Fetcher) -> None:
    with pytest.raises(ParseError) as err:
        collect(server, fetcher, "/bad", Reply("<rss><channel><title>坏的</title><item><title>x</channel>"))
    assert str(err.value).startswith("the feed is not valid XML")


def test_malformed_feed_with_entries_keeps_them(server: LocalServer, fetcher: Fetcher) -> None:
    broken = RSS2.replace("</channel></rss>", "<item><title>断")  # truncated download
    result = collect(server, fetcher, "/trunc", Reply(broken))
    assert [e.title for e in result.entries][:2] == ["学校食堂饭菜有异物", "第二条"]


def test_html_page_is_not_a_feed(server: LocalServer, fetcher: Fetcher) -> None:
    with pytest.raises(ParseError):
        collect(server, fetcher, "/html", Reply("<html><body><p>欢迎</p></body></html>"))


def test_empty_but_valid_feed_has_no_entries(server: LocalServer, fetcher: Fetcher) -> None:
    feed = '<?xml version="1.0"?><rss version="2.0"><channel><title>空</title></channel></rss>'
    assert collect(server, fetcher, "/empty", Reply(feed)).entries == []


def test_entry_without_title_text_link_image_or_date_is_reported(server: LocalServer, fetcher: Fetcher) -> None:
    feed = RSS2.replace("<item><title>第二条</title><description>没有时区的时间</description>", "<item>")
    kept = collect(server, fetcher, "/holes", Reply(feed))
    assert [e.title for e in kept.entries] == ["学校食堂饭菜有异物", "（无标题）"]
    feed = RSS2.replace(
        "<item><title>第二条</title><description>没有时区的时间</description><link>https://weibo.com/123/Def</link>\n"
        "<pubDate>2024-05-02 09:30:00</pubDate></item>", "<item><guid isPermaLink=\"false\">x</guid></item>")
    result = collect(server, fetcher, "/holes2", Reply(feed))
    assert len(result.entries) == 1
    assert result.errors[0].index == 1
    assert "neither a title nor a text" in result.errors[0].message


def test_parse_feed_never_opens_urls_or_files() -> None:
    # feedparser fetches strings that look like URLs or paths; we always hand it bytes
    with pytest.raises(ParseError):
        rss.parse_feed(b"/etc/passwd")


def test_entries_with_only_a_link_an_image_or_a_date_are_kept() -> None:
    feed = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>t</title><link>https://weibo.com/1</link>
<item><link>https://weibo.com/1/onlylink</link></item>
<item><description><![CDATA[<img src="/p/1.jpg" alt="食堂照片">]]></description><guid isPermaLink="false">img-1</guid></item>
<item><media:content url="https://img.example.cn/2.jpg" medium="image"/><guid isPermaLink="false">img-2</guid></item>
<item><description><![CDATA[<a href="https://example.cn/x">一中食堂视频</a>]]></description><link>https://weibo.com/1/a</link></item>
<item><pubDate>Wed, 01 May 2024 08:00:00 +0800</pubDate><guid isPermaLink="false">date-only</guid></item>
<item><guid isPermaLink="false">nothing-at-all</guid></item>
</channel></rss>"""
    result = rss.parse_feed(feed.encode(), base_url="https://weibo.com/1", now=NOW)
    titles = [e.title for e in result.entries]
    # an entry with a text keeps its empty title (the text stands for it), as before
    assert titles == ["（无标题）", "食堂照片", "（无标题）", "", "（无标题）"]
    assert result.entries[0].url == "https://weibo.com/1/onlylink"
    assert result.entries[1].extra["image"] == "https://weibo.com/p/1.jpg"
    assert result.entries[2].extra["image"] == "https://img.example.cn/2.jpg"
    assert result.entries[4].published is not None
    assert [e.index for e in result.errors] == [5]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "utf-16", "utf-32"])
def test_utf16_and_utf32_feeds_with_and_without_a_bom_are_read(encoding) -> None:
    feed = RSS2.replace('encoding="UTF-8"', 'encoding="UTF-16"' if "16" in encoding else 'encoding="UTF-32"')
    result = rss.parse_feed(feed.encode(encoding), now=NOW)
    assert [e.title for e in result.entries] == ["学校食堂饭菜有异物", "第二条"]


@pytest.mark.parametrize("feed", [
    '<?xml version="1.0"?><rss version="2.0"><channel><title>空</title></channel></rss>',
    '<?xml version="1.0"?><!DOCTYPE rss><rss version="2.0" xmlns:x="urn:x"><channel><x:y/></channel></rss>',
    '<feed xmlns="http://www.w3.org/2005/Atom"><title>空</title></feed>',
])
def test_a_well_formed_feed_without_items_is_healthy(feed) -> None:
    assert rss.parse_feed(feed.encode()).entries == []
