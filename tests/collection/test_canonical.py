"""Canonical URLs: the same article shared with tracking noise is one URL."""

from __future__ import annotations

import pytest

from yuqing.collection.canonical import canonical_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://News.Example.CN:443/a/b.html#comments", "https://news.example.cn/a/b.html"),
        ("http://news.example.cn:80", "http://news.example.cn/"),
        ("http://news.example.cn:8080/x", "http://news.example.cn:8080/x"),
        ("https://x.cn/p?utm_source=wx&utm_medium=share&id=7", "https://x.cn/p?id=7"),
        ("https://x.cn/p?b=2&a=1&spm=a.b.c&from=timeline&fbclid=1&gclid=2", "https://x.cn/p?a=1&b=2"),
        ("https://x.cn/p?share_token=abc&shareId=9&share_source=qq&page=2", "https://x.cn/p?page=2"),
        ("https://www.bilibili.com/video/BV1xx?spm_id_from=333&vd_source=ab&p=2",
         "https://www.bilibili.com/video/BV1xx?p=2"),
        ("https://mp.weixin.qq.com/s?__biz=MzA5NjA&mid=2650&idx=1&sn=9f3c&chksm=8b&scene=21&sessionid=1#rd",
         "https://mp.weixin.qq.com/s?__biz=MzA5NjA&idx=1&mid=2650&sn=9f3c"),
        ("https://mp.weixin.qq.com/s/AbCdEf?from=groupmessage", "https://mp.weixin.qq.com/s/AbCdEf"),
        ("https://user:pw@x.cn/a", "https://x.cn/a"),
        ("https://x.cn/%e6%95%99%e8%82%b2", "https://x.cn/%E6%95%99%E8%82%B2"),
        ("https://x.cn/教育", "https://x.cn/%E6%95%99%E8%82%B2"),
        ("https://x.cn/search?q=a+b&empty=", "https://x.cn/search?empty=&q=a+b"),
        ("mailto:someone@example.cn", "mailto:someone@example.cn"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_canonical_url_is_idempotent() -> None:
    url = "https://mp.weixin.qq.com/s?__biz=MzA5&mid=1&idx=2&sn=x&scene=1"
    assert canonical_url(canonical_url(url)) == canonical_url(url)


def test_path_case_is_kept() -> None:
    assert canonical_url("https://X.cn/Video/BV1AbC") == "https://x.cn/Video/BV1AbC"
