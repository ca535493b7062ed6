"""Display HTML never carries script: tags, event handlers and javascript: URLs are stripped."""

from __future__ import annotations

from yuqing.collection.sanitize import html_to_text, sanitize_html


def test_script_and_handlers_are_removed() -> None:
    dirty = ('<p onclick="steal()">校园<script>alert(1)</script><img src="x.png" onerror="alert(2)">'
             '<style>body{}</style><iframe src="https://evil.example/"></iframe></p>')
    clean = sanitize_html(dirty)
    assert "script" not in clean and "alert" not in clean
    assert "onclick" not in clean and "onerror" not in clean
    assert "iframe" not in clean and "style" not in clean
    assert "校园" in clean


def test_javascript_urls_are_dropped_and_links_are_safe() -> None:
    clean = sanitize_html('<a href="javascript:alert(1)">x</a><a href="JaVaScRiPt:alert(1)">y</a>'
                          '<a href="https://ok.example/" target="_blank">z</a>')
    assert "javascript" not in clean.lower()
    assert clean.count('rel="noopener noreferrer nofollow"') == 3
    assert 'href="https://ok.example/"' in clean


def test_relative_links_become_absolute_with_base_url() -> None:
    clean = sanitize_html('<a href="/n/1.html">n</a><img src="pic.jpg">', base_url="https://edu.example.cn/news/")
    assert 'href="https://edu.example.cn/n/1.html"' in clean
    assert 'src="https://edu.example.cn/news/pic.jpg"' in clean


def test_html_to_text_keeps_blocks_on_lines_and_drops_scripts() -> None:
    html = "<h1>通知</h1><p>各学校：<br>请做好<b>防汛</b>工作。</p><script>var x=1</script><ul><li>一</li><li>二</li></ul>"
    assert html_to_text(html) == "通知\n各学校：\n请做好防汛工作。\n一\n二"
    assert html_to_text("") == ""
    assert html_to_text("纯文本 ") == "纯文本"
