"""Article titles without the site's suffix, not a portal's generic title; bodies the better of two extractors."""

import json
from pathlib import Path

import lxml.html
import pytest

from yuqing.collection.connectors.page import body
from yuqing.collection.connectors.page.parse import extract_article
from yuqing.collection.connectors.page.title import article_title, strip_site_suffix

PAGES = Path(__file__).parent / "pages"


def char_f1(got: str, want: str) -> float:
    from collections import Counter

    a, b = Counter("".join(got.split())), Counter("".join(want.split()))
    common = sum((a & b).values())
    return 0.0 if not common else 2 * common / (sum(a.values()) + sum(b.values()))


@pytest.mark.parametrize("page", sorted(PAGES.glob("*.html")), ids=lambda p: p.stem)
def test_real_pages_give_the_exact_title_and_the_article_body(page):
    want = json.loads(page.with_suffix(".json").read_text("utf-8"))
    entry = extract_article(page.read_text("utf-8"), f"https://example.cn/{page.stem}.html")
    assert entry.title == want["title"]
    assert char_f1(entry.text, want["body"]) >= 0.98
    assert "【纠错】" not in entry.text and "最热新闻" not in entry.text


@pytest.mark.parametrize(("page_title", "title"), [
    # Real <title> texts (found in public repositories' code and fixtures).
    ("短缺药品保供稳价 全力保障临床用药需求-新华网", "短缺药品保供稳价 全力保障临床用药需求"),
    ("外国专家：中美合作共赢符合国际社会利益 - 中国日报网", "外国专家：中美合作共赢符合国际社会利益"),
    ("海军节前国产航母出海 为何悬挂“日本国旗”|中国|国产航母|信号旗_新浪军事_新浪网",
     "海军节前国产航母出海 为何悬挂“日本国旗”"),
    ("辽宁鞍山：生态树葬带起文明祭祀之风_新浪财经_新浪网", "辽宁鞍山：生态树葬带起文明祭祀之风"),
    ("港特首梁振英就住宅违建事件道歉 - BBC中文网 - 两岸三地", "港特首梁振英就住宅违建事件道歉"),
    ("怎么把本地工程上传到到github？_百度知道", "怎么把本地工程上传到到github？"),
    ("2016年我省重点流域生态补偿资金规模进一步增加_部门动态_中国福建--福建省人民政府门户网站",
     "2016年我省重点流域生态补偿资金规模进一步增加"),
    ("聚焦十九届六中全会--专题报道--人民网", "聚焦十九届六中全会"),
    ("文学区版规已更新 请各位会员阅读知悉 - 文學區 - 百合会 - 手机版 - Powered by Discuz!",
     "文学区版规已更新 请各位会员阅读知悉"),
    ("上海一中学开展防溺水教育 | 澎湃新闻", "上海一中学开展防溺水教育"),
    # Hyphens inside a title stay.
    ("关于2024-2025学年校历安排的通知", "关于2024-2025学年校历安排的通知"),
])
def test_site_suffixes_are_removed(page_title, title):
    assert strip_site_suffix(page_title) == title


def page(head: str, body_html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(f"<html><head>{head}</head><body>{body_html}</body></html>")


def test_a_portals_generic_title_loses_to_the_headline():
    root = page('<title>新浪首页</title><meta property="og:title" content="新浪首页">',
                '<h1 class="logo">新浪</h1><div><h1 class="main-title">县教育局通报一中食堂检查结果</h1></div>')
    assert article_title(root) == "县教育局通报一中食堂检查结果"


def test_the_headline_that_the_title_names_wins_over_a_logo_and_a_hidden_copy():
    root = page("<title>县一中举行运动会--教育--人民网</title>",
                '<h1>人民网教育频道</h1><div style="display:none"><h1>分享用标题</h1></div>'
                '<h1 class="title">县一中举行运动会</h1>')
    assert article_title(root) == "县一中举行运动会"


def test_og_title_with_the_suffix_is_stripped_when_nothing_else_agrees():
    root = page('<title>首页</title><meta property="og:title" content="学校召开家长会_新浪教育_新浪网">', "")
    assert article_title(root) == "学校召开家长会"


def test_the_text_with_more_prose_wins_so_forum_replies_are_kept(monkeypatch):
    thread = "楼主：学校食堂饭菜太咸了，大家觉得呢？\n2楼：同意，昨天的汤也很咸。\n3楼：已经反映给老师了，下周会改。"
    monkeypatch.setattr(body, "with_readability", lambda html: thread)
    root = page("", "<a>首页</a>")
    assert body.best_text(root, "", "楼主：学校食堂饭菜太咸了，大家觉得呢？") == thread
    # Ties and less prose: trafilatura's text stays.
    monkeypatch.setattr(body, "with_readability", lambda html: "首页\n下一页")
    assert body.best_text(root, "", "正文第一段。") == "正文第一段。"


def test_trailing_link_lists_and_editorial_tags_are_dropped():
    root = page("", '<a href="/1">多项促民营经济发展政策举措酝酿出台</a><a href="/2">哥白尼手稿复刻本在北京展出</a>')
    text = "正文第一段。\n正文第二段。\n【责任编辑:张樵苏\n】\n多项促民营经济发展政策举措酝酿出台\n哥白尼手稿复刻本在北京展出"
    assert body.best_text(root, "", text) == "正文第一段。\n正文第二段。"


def test_readability_reads_paragraphs_as_lines():
    html = ("<html><body><div id='a'><p>第一段，很长的正文内容在这里。</p><p>第二段，也是正文，继续说明情况。</p>"
            "<p>第三段，结尾。</p></div></body></html>")
    assert body.with_readability(html).splitlines()[:3] == [
        "第一段，很长的正文内容在这里。", "第二段，也是正文，继续说明情况。", "第三段，结尾。"]
