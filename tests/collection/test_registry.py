"""Every connector kit offers the same surface, and the decoding rules pick the right charset."""

from __future__ import annotations

import pytest

from yuqing.collection.connectors import CONNECTORS, PULL_KINDS, ConnectorKind, get_connector
from yuqing.collection.decoding import decode_bytes
from yuqing.collection.entries import RawEntry, guess_platform
from yuqing.collection.errors import ConfigError

EXAMPLE_OPTIONS = {
    "rss": {"url": "https://rsshub.example.cn/weibo/user/1"},
    "page": {"list_url": "https://edu.example.cn/news/", "link_selector": "ul.list a"},
    "json": {"url": "https://api.example.cn/v1/posts", "items": "data", "mapping": {"title": "t"}},
    "webhook": {"secret": "0123456789abcdef0123"},
    "fileimport": {"format": "csv", "mapping": {"text": "内容"}},
    "tip": {},
}


def test_registry_lists_every_kind() -> None:
    assert set(CONNECTORS) == set(ConnectorKind) == set(EXAMPLE_OPTIONS)
    assert PULL_KINDS == {"rss", "page", "json"}
    with pytest.raises(KeyError, match="known kinds are"):
        get_connector("ftp")


@pytest.mark.parametrize("kind", sorted(EXAMPLE_OPTIONS))
def test_each_kit_has_the_same_surface_and_round_trips_options(kind: str) -> None:
    module = get_connector(kind)
    assert module.KIND == kind and module.LABEL
    assert callable(getattr(module, "collect", None)) == module.PULL
    config = module.Config.from_options(EXAMPLE_OPTIONS[kind])
    assert module.Config.from_options(config.to_options()) == config
    with pytest.raises(ConfigError) as err:
        module.Config.from_options({**EXAMPLE_OPTIONS[kind], "no_such_option": 1})
    assert err.value.field == "no_such_option"


@pytest.mark.parametrize(
    ("content", "content_type", "codec"),
    [
        ("通知".encode("gbk"), "text/html; charset=GB2312", "gb18030"),
        ('<meta http-equiv="Content-Type" content="text/html; charset=gbk">通知'.encode("gbk"), "text/html",
         "gb18030"),
        ('<?xml version="1.0" encoding="big5"?><r>學校</r>'.encode("big5"), "", "big5hkscs"),
        ("\ufeff通知".encode(), "", "utf-8-sig"),
    ],
)
def test_decoding_order(content: bytes, content_type: str, codec: str) -> None:
    text, used = decode_bytes(content, content_type)
    assert used == codec
    assert text.endswith(("通知", "學校</r>"))


def test_undeclared_gbk_is_detected() -> None:
    text = "县教育局关于进一步加强中小学生欺凌防治工作的通知，各学校要高度重视，认真落实。" * 3
    assert decode_bytes(text.encode("gbk"))[0] == text


def test_platform_guess_and_entry_defaults() -> None:
    assert guess_platform("https://m.weibo.cn/status/1") == "weibo"
    assert guess_platform("https://mp.weixin.qq.com/s/x") == "wechat"
    assert guess_platform("https://tieba.baidu.com/p/1") == "tieba"
    assert guess_platform("https://www.edu.example.cn/") == "web"
    from datetime import datetime

    entry = RawEntry(title="t", published=datetime(2024, 5, 1, 8))
    assert entry.published.utcoffset().total_seconds() == 8 * 3600
    assert entry.to_dict()["published"] == "2024-05-01T08:00:00+08:00"
