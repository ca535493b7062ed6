"""Web-page sources: list page → article links by CSS selector or URL pattern → extracted main text."""

from __future__ import annotations

from datetime import datetime

import pytest

from yuqing.collection.connectors import page
from yuqing.collection.entries import SHANGHAI
from yuqing.collection.errors import ConfigError, ParseError
from yuqing.collection.fetching import Fetcher

from .localserver import LOCAL, LocalServer, Reply

LIST = """<html><head><meta charset="gbk"><title>教育新闻</title></head><body>
<div class="nav"><a href="/about.html">关于我们</a><a href="https://other.example.com/ad">广告</a></div>
<ul class="news">
  <li><a href="/news/2024/0501/1.html">某中学召开安全工作会议</a></li>
  <li><a href="news/2024/0502/2.html#comments">县教育局部署防溺水工作</a></li>
  <li><span>无链接</span></li>
  <li><a href="/news/2024/0501/1.html">重复链接</a></li>
</ul></body></html>"""

ARTICLE = """<html><head><meta charset="gbk"><title>{title} - 教育新闻网</title>
<meta name="author" content="{author}"><meta property="article:published_time" content="2024-05-01 08:30">
</head><body><div class="nav">首页 | 新闻 | 通知</div><article><h1>{title}</h1>
<p>5月1日上午，{title}。会议强调，要进一步压实安全责任，加强对学生的安全教育，认真排查校园及周边安全隐患。</p>
<p>会议要求，各班主任要利用班会课开展防溺水、防交通事故、防食物中毒等专题教育，确保学生平安。</p>
<p>会上还通报了近期全县学校安全检查中发现的问题，并就整改工作作出具体安排，要求限期整改到位。</p>
</article><footer>版权所有 某县教育局</footer></body></html>"""


def serve_site(server: LocalServer) -> None:
    server.routes["/list"] = Reply(LIST.encode("gbk"), headers={"Content-Type": "text/html"})
    for path, title, author in (("/news/2024/0501/1.html", "某中学召开安全工作会议", "王记者"),
                                ("/news/2024/0502/2.html", "县教育局部署防溺水工作", "李编辑")):
        body = ARTICLE.format(title=title, author=author).encode("gbk")
        server.routes[path] = Reply(body, headers={"Content-Type": "text/html"})


def run(server: LocalServer, fetcher: Fetcher, **options):
    config = page.Config.from_options({"list_url": server.url("/list"), **options})
    return page.collect(config, fetcher, options=LOCAL, now=datetime(2024, 5, 10, tzinfo=SHANGHAI))


def test_links_chosen_by_css_selector_lead_to_extracted_articles(server: LocalServer, fetcher: Fetcher) -> None:
    serve_site(server)
    result = run(server, fetcher, link_selector="ul.news li")
    assert [e.url for e in result.entries] == [server.url("/news/2024/0501/1.html"),
                                               server.url("/news/2024/0502/2.html")]
    first = result.entries[0]
    assert first.title == "某中学召开安全工作会议"
    assert "压实安全责任" in first.text
    assert "版权所有" not in first.text
    assert first.author == "王记者"
    assert first.published == datetime(2024, 5, 1, 8, 30, tzinfo=SHANGHAI)
    assert result.errors == []


def test_links_chosen_by_url_pattern(server: LocalServer, fetcher: Fetcher) -> None:
    serve_site(server)
    result = run(server, fetcher, link_pattern=r"/news/\d{4}/\d{4}/\d+\.html$")
    assert len(result.entries) == 2
    assert server.hits("/about.html") == 0


def test_known_articles_are_not_fetched_again(server: LocalServer, fetcher: Fetcher) -> None:
    serve_site(server)
    known = {server.url("/news/2024/0501/1.html")}
    config = page.Config.from_options({"list_url": server.url("/list"), "link_selector": "ul.news a"})
    result = page.collect(config, fetcher, options=LOCAL, is_known=known.__contains__)
    assert [e.title for e in result.entries] == ["县教育局部署防溺水工作"]
    assert server.hits("/news/2024/0501/1.html") == 0


def test_broken_article_is_reported_and_others_kept(server: LocalServer, fetcher: Fetcher) -> None:
    serve_site(server)
    server.routes["/news/2024/0502/2.html"] = Reply("<html><body><div></div></body></html>")
    result = run(server, fetcher, link_selector="ul.news a")
    assert len(result.entries) == 1
    assert "no article text found" in result.errors[0].message


def test_missing_article_is_reported(server: LocalServer, fetcher: Fetcher) -> None:
    serve_site(server)
    del server.routes["/news/2024/0501/1.html"]
    result = run(server, fetcher, link_selector="ul.news a")
    assert "404 Not Found" in result.errors[0].message


def test_selector_matching_nothing_is_a_clear_error(server: LocalServer, fetcher: Fetcher) -> None:
    serve_site(server)
    with pytest.raises(ParseError, match="no links on the list page match selector 'div.gone a'"):
        run(server, fetcher, link_selector="div.gone a")


def test_malformed_html_list_page_still_yields_links(server: LocalServer, fetcher: Fetcher) -> None:
    serve_site(server)
    server.routes["/list"] = Reply('<ul class="news"><li><a href="/news/2024/0501/1.html">未闭合<li><a href=')
    result = run(server, fetcher, link_selector="ul.news a")
    assert [e.title for e in result.entries] == ["某中学召开安全工作会议"]


def test_empty_list_page_is_an_error(server: LocalServer, fetcher: Fetcher) -> None:
    server.routes["/list"] = Reply("")
    with pytest.raises(ParseError, match="the page is empty"):
        run(server, fetcher, link_selector="a")


def test_all_articles_failing_fails_the_run(server: LocalServer, fetcher: Fetcher) -> None:
    server.routes["/list"] = Reply('<a href="/gone/1">1</a><a href="/gone/2">2</a>')
    with pytest.raises(ParseError, match="none of the 2 article pages could be read"):
        run(server, fetcher, link_pattern="/gone/")


@pytest.mark.parametrize(
    ("options", "field"),
    [({"link_selector": "ul[[["}, "link_selector"), ({"link_pattern": "(unclosed"}, "link_pattern"),
     ({}, "link_selector"), ({"link_selector": "a", "max_articles": 0}, "max_articles"),
     ({"link_selector": "a", "list_url": "ftp://x"}, "list_url"), ({"link_selector": "a", "colour": 1}, "colour")],
)
def test_bad_options_name_the_field(options: dict, field: str) -> None:
    with pytest.raises(ConfigError) as err:
        page.Config.from_options({"list_url": "https://news.example.cn/", **options})
    assert err.value.field == field
