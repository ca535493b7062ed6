"""WeCom, DingTalk, Feishu and webhook transports against a real local HTTP server."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

import pytest

from yuqing.notify.transports import (
    KINDS,
    ConfigError,
    Message,
    config_from_dict,
    dingtalk,
    feishu,
    get_transport,
    webhook,
    wecom,
)
from yuqing.notify.transports.message import MAX_PROVIDER_RESPONSE

NOW = datetime(2024, 5, 1, 8, 30, 15, 250000, tzinfo=ZoneInfo("Asia/Shanghai"))
ALERT = Message(
    title="某中学食堂饭菜发霉引发家长关注",
    text="评论数 120 ≥ 100\n来源：微博",
    url="https://yuqing.example.edu.cn/events/42",
    level="重大",
    event_id=42,
)
SECRET = "SECtest-secret-0123456789abcdef"


# ------------------------------------------------------------------------------------------------ WeCom


def test_wecom_posts_markdown_with_the_robot_key(http_server):
    config = wecom.Config(key="693a91f6-7xxx", base_url=http_server.url)
    result = wecom.send(config, ALERT, now=NOW)

    assert result.ok and result.status_code == 200 and not result.error
    assert json.loads(result.provider_response) == {"errcode": 0, "errmsg": "ok"}
    [request] = http_server.requests
    assert request.path == "/cgi-bin/webhook/send"
    assert request.params == {"key": "693a91f6-7xxx"}
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert request.json == {
        "msgtype": "markdown",
        "markdown": {
            "content": "### 【重大】某中学食堂饭菜发霉引发家长关注\n\n评论数 120 ≥ 100\n来源：微博\n\n"
            "[查看详情](https://yuqing.example.edu.cn/events/42)\n\n> 事件编号：42"
        },
    }


def test_wecom_text_message_mentions_the_people_on_duty(http_server):
    config = wecom.Config(key="k", msgtype="text", mentioned_mobiles=("13800001111",), base_url=http_server.url)
    assert wecom.send(config, ALERT, now=NOW).ok
    body = http_server.requests[0].json
    assert body["msgtype"] == "text"
    assert body["text"]["mentioned_mobile_list"] == ["13800001111"]
    assert body["text"]["content"].startswith("【重大】某中学食堂饭菜发霉引发家长关注\n\n评论数")


def test_wecom_long_markdown_is_cut_to_the_robot_byte_limit(http_server):
    long_alert = Message(title="长文", text="舆" * 3000, level="一般")
    wecom.send(wecom.Config(key="k", base_url=http_server.url), long_alert, now=NOW)
    content = http_server.requests[0].json["markdown"]["content"]
    assert len(content.encode()) <= wecom.MAX_MARKDOWN_BYTES
    assert content.endswith("…")


def test_wecom_provider_error_is_logged_and_not_retried(http_server):
    http_server.reply(200, {"errcode": 93000, "errmsg": "invalid webhook url, hint: [1714]"})
    result = wecom.send(wecom.Config(key="wrong", base_url=http_server.url), ALERT, now=NOW)
    assert not result.ok and not result.retryable
    assert result.error == "errcode 93000: invalid webhook url, hint: [1714]"
    assert "93000" in result.provider_response


def test_wecom_rate_limit_answer_is_retryable(http_server):
    http_server.reply(200, {"errcode": 45009, "errmsg": "api freq out of limit"})
    result = wecom.send(wecom.Config(key="k", base_url=http_server.url), ALERT, now=NOW)
    assert not result.ok and result.retryable


# ------------------------------------------------------------------------------------------------ DingTalk


def dingtalk_signature(secret: str, timestamp: str) -> str:
    """The documented algorithm, written independently of the transport."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def test_dingtalk_request_is_signed_with_millisecond_timestamp(http_server):
    config = dingtalk.Config(access_token="abc123", secret=SECRET, at_mobiles=("13800001111",),
                             base_url=http_server.url)
    result = dingtalk.send(config, ALERT, now=NOW)

    assert result.ok
    [request] = http_server.requests
    assert request.path == "/robot/send"
    params = request.params
    assert params["access_token"] == "abc123"
    assert params["timestamp"] == "1714523415250"  # 2024-05-01 08:30:15.250 +08:00 in ms
    expected = dingtalk_signature(SECRET, params["timestamp"])
    assert params["sign"] == expected
    # The Base64 signature is URL-encoded in the query string (+ / = escaped).
    assert f"sign={quote_plus(expected)}" in request.query
    body = request.json
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "【重大】某中学食堂饭菜发霉引发家长关注"
    assert body["markdown"]["text"].endswith("@13800001111")
    assert body["at"] == {"atMobiles": ["13800001111"], "isAtAll": False}


def test_dingtalk_signature_mismatch_answer_fails_with_provider_text(http_server):
    http_server.reply(200, {"errcode": 310000, "errmsg": "sign not match, more: [https://ding-doc...]"})
    result = dingtalk.send(dingtalk.Config("abc", "SECwrong", base_url=http_server.url), ALERT, now=NOW)
    assert not result.ok and not result.retryable
    assert result.error.startswith("errcode 310000: sign not match")
    assert "sign not match" in result.provider_response


def test_dingtalk_server_error_is_retryable(http_server):
    http_server.reply(502, "<html>Bad Gateway</html>")
    result = dingtalk.send(dingtalk.Config("abc", SECRET, base_url=http_server.url), ALERT, now=NOW)
    assert not result.ok and result.retryable and result.status_code == 502
    assert result.provider_response == "<html>Bad Gateway</html>"


def test_dingtalk_text_message(http_server):
    config = dingtalk.Config("abc", SECRET, msgtype="text", at_all=True, base_url=http_server.url)
    dingtalk.send(config, ALERT, now=NOW)
    body = http_server.requests[0].json
    assert body["text"]["content"].startswith("【重大】")
    assert body["at"]["isAtAll"] is True


# ------------------------------------------------------------------------------------------------ Feishu


def feishu_signature(secret: str, timestamp: str) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, msg=b"", digestmod=hashlib.sha256).digest()).decode()


def test_feishu_card_is_signed_in_the_body_with_second_timestamp(http_server):
    http_server.reply(200, {"code": 0, "data": {}, "msg": "success"})
    config = feishu.Config(hook_id="0f6c-4e1b-hook", secret=SECRET, base_url=http_server.url)
    result = feishu.send(config, ALERT, now=NOW)

    assert result.ok
    [request] = http_server.requests
    assert request.path == "/open-apis/bot/v2/hook/0f6c-4e1b-hook"
    assert request.query == ""
    body = request.json
    assert body["timestamp"] == "1714523415"
    assert body["sign"] == feishu_signature(SECRET, "1714523415")
    assert body["msg_type"] == "interactive"
    card = body["card"]
    assert card["header"] == {
        "title": {"tag": "plain_text", "content": "【重大】某中学食堂饭菜发霉引发家长关注"},
        "template": "orange",
    }
    assert card["elements"][0] == {"tag": "markdown", "content": "评论数 120 ≥ 100\n来源：微博"}
    assert card["elements"][1]["actions"][0]["url"] == "https://yuqing.example.edu.cn/events/42"


def test_feishu_level_colour_follows_the_statutory_colour(http_server):
    http_server.reply(200, {"code": 0, "msg": "success"})
    config = feishu.Config("hook", SECRET, base_url=http_server.url)
    feishu.send(config, Message(title="t", level="Ⅰ"), now=NOW)
    assert http_server.requests[0].json["card"]["header"]["template"] == "red"


def test_feishu_old_style_status_code_answer_counts_as_delivered(http_server):
    http_server.reply(200, {"Extra": None, "StatusCode": 0, "StatusMessage": "success"})
    config = feishu.Config("hook", SECRET, msg_type="text", base_url=http_server.url)
    assert feishu.send(config, ALERT, now=NOW).ok
    assert http_server.requests[0].json["content"]["text"].startswith("【重大】")


def test_feishu_bad_signature_answer_fails(http_server):
    http_server.reply(200, {"code": 19021, "msg": "sign match fail or timestamp is not within one hour"})
    result = feishu.send(feishu.Config("hook", "wrong", base_url=http_server.url), ALERT, now=NOW)
    assert not result.ok and not result.retryable
    assert result.error == "code 19021: sign match fail or timestamp is not within one hour"


# ------------------------------------------------------------------------------------------------ webhook


def test_webhook_posts_signed_json(http_server):
    http_server.default.body = '{"received": true}'
    config = webhook.Config(url=f"{http_server.url}/hooks/yuqing", secret="s" * 32,
                            headers={"X-Tenant": "county-7"})
    result = webhook.send(config, ALERT, now=NOW)

    assert result.ok and result.provider_response == '{"received": true}'
    [request] = http_server.requests
    assert request.path == "/hooks/yuqing"
    assert request.headers["x-tenant"] == "county-7"
    timestamp = request.headers["x-yuqing-timestamp"]
    assert timestamp == "1714523415"
    expected = hmac.new(b"s" * 32, timestamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    assert request.headers["x-yuqing-signature"] == f"sha256={expected}"
    assert webhook.verify("s" * 32, timestamp, request.body, request.headers["x-yuqing-signature"])
    assert not webhook.verify("t" * 32, timestamp, request.body, request.headers["x-yuqing-signature"])
    assert request.json == {
        "event_id": 42,
        "level": "major",
        "level_label": "重大",
        "title": "某中学食堂饭菜发霉引发家长关注",
        "text": "评论数 120 ≥ 100\n来源：微博",
        "url": "https://yuqing.example.edu.cn/events/42",
        "test": False,
        "sent_at": "2024-05-01T08:30:15.250000+08:00",
    }


@pytest.mark.parametrize(("status", "retryable"), [(500, True), (503, True), (429, True), (404, False),
                                                  (401, False)])
def test_webhook_error_status_decides_whether_to_retry(http_server, status, retryable):
    http_server.reply(status, '{"error": "nope"}')
    result = webhook.send(webhook.Config(http_server.url, "s" * 16), ALERT, now=NOW)
    assert not result.ok and result.retryable is retryable
    assert result.status_code == status and result.error == f"HTTP {status}: nope"


def test_test_message_is_marked_as_a_test(http_server):
    webhook.send(webhook.Config(http_server.url, "s" * 16), Message(title="测试消息", test=True), now=NOW)
    assert http_server.requests[0].json["test"] is True
    wecom.send(wecom.Config("k", base_url=http_server.url), Message(title="测试消息", test=True), now=NOW)
    assert http_server.requests[1].json["markdown"]["content"].startswith("### 【测试】测试消息")


# ------------------------------------------------------------------------------------------------ common


def test_unreachable_robot_is_retryable(closed_port):
    config = wecom.Config("k", base_url=f"http://127.0.0.1:{closed_port}")
    result = wecom.send(config, ALERT, now=NOW)
    assert not result.ok and result.retryable and result.status_code is None
    assert "ConnectError" in result.error


def test_slow_robot_times_out_and_is_retryable(http_server):
    http_server.reply(200, {"errcode": 0}, delay=1.0)
    result = dingtalk.send(dingtalk.Config("abc", SECRET, base_url=http_server.url), ALERT, now=NOW, timeout=0.2)
    assert not result.ok and result.retryable
    assert result.error.startswith("timed out after 0.2 s")


def test_huge_provider_answer_is_truncated_for_the_delivery_log(http_server):
    http_server.reply(200, json.dumps({"errcode": 1, "errmsg": "x" * 5000}))
    result = wecom.send(wecom.Config("k", base_url=http_server.url), ALERT, now=NOW)
    assert result.truncated and len(result.provider_response) == MAX_PROVIDER_RESPONSE


def test_non_json_answer_from_a_robot_is_a_failure(http_server):
    http_server.reply(200, "<html>portal login</html>")
    result = feishu.send(feishu.Config("hook", SECRET, base_url=http_server.url), ALERT, now=NOW)
    assert not result.ok and result.error == "the reply is not JSON"


@pytest.mark.parametrize(
    ("kind", "data", "field"),
    [
        ("wecom", {"key": ""}, "key"),
        ("wecom", {"key": "k", "msgtype": "news"}, "msgtype"),
        ("wecom", {"key": "k", "base_url": "ftp://x"}, "base_url"),
        ("wecom", {"key": "k", "mentioned_mobiles": ["abc"]}, "mentioned_mobiles"),
        ("wecom", {}, "key"),
        ("dingtalk", {"access_token": "a b", "secret": "S"}, "access_token"),
        ("dingtalk", {"access_token": "a", "secret": ""}, "secret"),
        ("feishu", {"hook_id": "h", "secret": "s", "msg_type": "post"}, "msg_type"),
        ("webhook", {"url": "http://x", "secret": "short"}, "secret"),
        ("webhook", {"url": "not a url", "secret": "s" * 16}, "url"),
        ("webhook", {"url": "http://x", "secret": "s" * 16, "headers": {"X-Yuqing-Signature": "x"}}, "headers"),
        ("email", {"host": "smtp.x.cn", "from_addr": "no-at-sign", "to_addrs": ["a@b.cn"]}, "from_addr"),
        ("email", {"host": "smtp.x.cn", "from_addr": "a@b.cn", "to_addrs": []}, "to_addrs"),
        ("email", {"host": "smtp.x.cn", "from_addr": "a@b.cn", "to_addrs": ["a@b.cn"], "port": 0}, "port"),
        ("email", {"host": "smtp.x.cn", "from_addr": "a@b.cn", "to_addrs": ["a@b.cn"], "security": "tls"},
         "security"),
        ("email", {"host": "s", "from_addr": "a@b.cn", "to_addrs": ["a@b.cn"], "colour": "red"}, "colour"),
    ],
)
def test_bad_configuration_names_the_field(kind, data, field):
    with pytest.raises(ConfigError) as caught:
        config_from_dict(kind, data)
    assert caught.value.field == field


def test_invalid_configuration_is_reported_without_sending(http_server):
    result = wecom.send(wecom.Config(key="", base_url=http_server.url), ALERT, now=NOW)
    assert not result.ok and not result.retryable
    assert result.error == "invalid configuration: key: is required"
    assert http_server.requests == []


def test_configs_round_trip_through_json_and_hide_secrets():
    config = dingtalk.Config("token-123456789", SECRET, at_mobiles=("13800001111",))
    stored = json.loads(json.dumps(config.to_dict()))
    assert config_from_dict("dingtalk", stored) == config
    shown = config.redacted()
    assert shown["secret"].endswith("cdef") and "test-secret" not in shown["secret"]
    assert shown["access_token"].endswith("6789")


def test_robot_addresses_can_be_pasted_whole():
    assert wecom.Config.from_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc-1").key == "abc-1"
    ding = dingtalk.Config.from_url("https://oapi.dingtalk.com/robot/send?access_token=tok", secret=SECRET)
    assert (ding.access_token, ding.base_url) == ("tok", "https://oapi.dingtalk.com")
    fei = feishu.Config.from_url("https://open.feishu.cn/open-apis/bot/v2/hook/abc-def", secret=SECRET)
    assert (fei.hook_id, fei.base_url) == ("abc-def", "https://open.feishu.cn")
    with pytest.raises(ConfigError):
        wecom.Config.from_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send")


def test_every_kind_has_the_same_interface():
    assert set(KINDS) == {"email", "wecom", "dingtalk", "feishu", "webhook"}
    for kind in KINDS:
        module = get_transport(kind)
        assert module.KIND == kind
        for name in ("Config", "build_request", "send", "RATE_LIMIT_PER_MINUTE"):
            assert hasattr(module, name), (kind, name)
    with pytest.raises(KeyError, match="unknown notifier kind 'sms'"):
        get_transport("sms")
