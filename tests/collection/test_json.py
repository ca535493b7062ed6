"""JSON API sources: token header, field mapping by dotted paths, and clear errors naming the path."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from yuqing.collection.connectors import json as json_connector
from yuqing.collection.entries import SHANGHAI, Platform
from yuqing.collection.errors import ConfigError, ParseError
from yuqing.collection.fetching import Fetcher

from .localserver import LOCAL, LocalServer, Reply

PAYLOAD = {
    "code": 0,
    "data": {
        "list": [
            {"id": 1, "title": "学生在校受伤家长质疑", "content": "家长称孩子在体育课受伤，学校未及时通知。",
             "link": "https://www.douyin.com/video/1", "time": 1714521600, "user": {"name": "家长A"},
             "stats": {"play": "1.2万", "comment": 356, "share": "88", "digg": "1,024"}},
            {"id": 2, "title": "第二条", "content": "正文", "link": "/p/2", "time": "2024年5月2日 10:00",
             "user": {"name": "B"}, "stats": {"play": 10}},
            {"id": 3, "title": "坏时间", "time": "不知道什么时候"},
            {"id": 4, "title": "坏计数", "stats": {"play": "很多"}},
        ]
    },
}
MAPPING = {"title": "title", "text": "content", "url": "link", "published": "time", "author": "user.name",
           "source_ref": "id", "metrics": {"views": "stats.play", "comments": "stats.comment",
                                           "reposts": "stats.share", "likes": "stats.digg"}}


def configure(server: LocalServer, **options) -> json_connector.JsonConfig:
    return json_connector.Config.from_options({"url": server.url("/api"), "items": "data.list",
                                               "mapping": MAPPING, **options})


def test_records_are_mapped_and_bad_records_reported(server: LocalServer, fetcher: Fetcher) -> None:
    server.routes["/api"] = Reply(json.dumps(PAYLOAD), headers={"Content-Type": "application/json"})
    result = json_connector.collect(configure(server), fetcher, options=LOCAL)
    first, second = result.entries
    assert first.title == "学生在校受伤家长质疑"
    assert first.author == "家长A"
    assert first.published == datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI)
    assert first.metrics == {"views": 12000, "comments": 356, "reposts": 88, "likes": 1024}
    assert first.platform == Platform.DOUYIN
    assert first.source_ref == "1"
    assert second.url == server.url("/p/2")
    assert second.published == datetime(2024, 5, 2, 10, 0, tzinfo=SHANGHAI)
    assert [(e.index, e.field) for e in result.errors] == [(2, "published"), (3, "metrics.views")]
    assert "不知道什么时候" in result.errors[0].message


def test_token_is_sent_as_bearer_header(server: LocalServer, fetcher: Fetcher) -> None:
    server.routes["/api"] = Reply(json.dumps(PAYLOAD))
    config = configure(server, token="s3cret", headers={"X-App": "yuqing"})
    json_connector.collect(config, fetcher, options=LOCAL)
    sent = server.requests[-1].headers
    assert sent["authorization"] == "Bearer s3cret"
    assert sent["x-app"] == "yuqing"


def test_malformed_json_names_line_and_column(server: LocalServer, fetcher: Fetcher) -> None:
    server.routes["/api"] = Reply('{"data": {"list": [1, 2,,]}}')
    with pytest.raises(ParseError) as err:
        json_connector.collect(configure(server), fetcher, options=LOCAL)
    assert str(err.value) == "the response is not valid JSON: Expecting value at line 1, column 25"


def test_wrong_list_path_names_the_path_and_the_keys_there(server: LocalServer, fetcher: Fetcher) -> None:
    server.routes["/api"] = Reply(json.dumps(PAYLOAD))
    with pytest.raises(ParseError) as err:
        json_connector.collect(configure(server, items="data.items"), fetcher, options=LOCAL)
    assert str(err.value) == "path 'data.items': 'data' has no key 'items' (keys: list)"
    assert err.value.path == "data.items"


def test_path_to_something_that_is_not_a_list(server: LocalServer, fetcher: Fetcher) -> None:
    server.routes["/api"] = Reply(json.dumps(PAYLOAD))
    with pytest.raises(ParseError, match="path 'data' leads to dict, not a list"):
        json_connector.collect(configure(server, items="data"), fetcher, options=LOCAL)


def test_top_level_list_needs_no_items_path() -> None:
    mapped = json_connector.map_records([{"t": "标题", "n": {"x": [{"v": "正文"}]}}], items="",
                                        mapping=json_connector.Config.from_options(
                                            {"url": "https://api.example.cn/", "mapping": {"title": "t",
                                                                                          "text": "n.x.0.v"}}).mapping)
    assert mapped.entries[0].text == "正文"


@pytest.mark.parametrize(
    ("options", "field"),
    [({"mapping": {"titel": "t"}}, "mapping.titel"),
     ({"mapping": {"title": "t", "metrics": {"shares": "s"}}}, "mapping.metrics.shares"),
     ({"mapping": {"url": "u"}}, "mapping"),
     ({"mapping": {"title": "t"}, "headers": {"Bad Header": "x"}}, "headers.Bad Header"),
     ({}, "mapping")],
)
def test_bad_mapping_names_the_field(options: dict, field: str) -> None:
    with pytest.raises(ConfigError) as err:
        json_connector.Config.from_options({"url": "https://api.example.cn/v1", **options})
    assert err.value.field == field
