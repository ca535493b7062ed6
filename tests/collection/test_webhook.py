"""Signed pushes: HMAC-SHA256 over "timestamp.body", replay window, and per-item validation errors."""

from __future__ import annotations

import json

import pytest

from yuqing.collection.connectors import webhook
from yuqing.collection.errors import ConfigError, ParseError

SECRET = "a-very-long-shared-secret-123"
NOW = 1_714_521_600
BODY = json.dumps({"items": [
    {"id": "p1", "url": "https://weibo.com/1/A", "title": "某校食堂事件", "text": "网友爆料食堂卫生问题",
     "published": "2024-05-01 08:00", "metrics": {"views": 3000, "comments": "500"}, "extra": {"crawler": "x"}},
    {"id": "p2", "text": "没有链接也可以"},
    {"id": "p3", "url": "javascript:alert(1)", "title": "坏链接"},
    {"id": "p4", "title": "坏指标", "metrics": {"likes": -5}},
    {"id": "p5"},
    "not an object",
]}, ensure_ascii=False).encode()


def test_documented_signature_scheme() -> None:
    import hashlib
    import hmac

    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert webhook.sign(SECRET, NOW, BODY) == "sha256=" + expected


def test_good_signature_is_accepted() -> None:
    headers = webhook.signed_headers(SECRET, BODY, timestamp=NOW)
    assert webhook.verify(SECRET, headers, BODY, now=NOW + 10) == NOW


def test_header_names_are_case_insensitive() -> None:
    headers = {k.lower(): v for k, v in webhook.signed_headers(SECRET, BODY, timestamp=NOW).items()}
    assert webhook.verify(SECRET, headers, BODY, now=NOW) == NOW


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda h, b: (h, b + b" "), webhook.SignatureProblem.MISMATCH),
        (lambda h, b: ({**h, "X-Yuqing-Signature": webhook.sign("other-secret-0123456", NOW, b)}, b),
         webhook.SignatureProblem.MISMATCH),
        (lambda h, b: ({**h, "X-Yuqing-Timestamp": str(NOW + 1)}, b), webhook.SignatureProblem.MISMATCH),
        (lambda h, b: ({"X-Yuqing-Timestamp": str(NOW)}, b), webhook.SignatureProblem.MISSING_SIGNATURE),
        (lambda h, b: ({"X-Yuqing-Signature": h["X-Yuqing-Signature"]}, b), webhook.SignatureProblem.MISSING_TIMESTAMP),
        (lambda h, b: ({**h, "X-Yuqing-Timestamp": "yesterday"}, b), webhook.SignatureProblem.BAD_TIMESTAMP),
        (lambda h, b: ({**h, "X-Yuqing-Signature": h["X-Yuqing-Signature"][7:]}, b),
         webhook.SignatureProblem.BAD_FORMAT),
    ],
)
def test_bad_signatures_are_refused(change, problem) -> None:
    headers, body = change(webhook.signed_headers(SECRET, BODY, timestamp=NOW), BODY)
    with pytest.raises(webhook.SignatureError) as err:
        webhook.verify(SECRET, headers, body, now=NOW)
    assert err.value.problem == problem


def test_old_request_outside_window_is_refused() -> None:
    headers = webhook.signed_headers(SECRET, BODY, timestamp=NOW)
    with pytest.raises(webhook.SignatureError) as err:
        webhook.verify(SECRET, headers, BODY, now=NOW + 301)
    assert err.value.problem == webhook.SignatureProblem.OUTSIDE_WINDOW
    assert str(err.value) == "the request is 301 s away from now, outside the 300 s window"
    with pytest.raises(webhook.SignatureError):
        webhook.verify(SECRET, headers, BODY, now=NOW - 301)  # from the future as well
    assert webhook.verify(SECRET, headers, BODY, now=NOW + 600, window=900) == NOW


def test_replayed_request_within_window_is_refused() -> None:
    guard = webhook.MemoryReplayGuard(clock=lambda: NOW)
    headers = webhook.signed_headers(SECRET, BODY, timestamp=NOW)
    webhook.verify(SECRET, headers, BODY, now=NOW, replay_guard=guard)
    with pytest.raises(webhook.SignatureError) as err:
        webhook.verify(SECRET, headers, BODY, now=NOW + 5, replay_guard=guard)
    assert err.value.problem == webhook.SignatureProblem.REPLAYED


def test_previous_secret_still_verifies_during_rotation() -> None:
    config = webhook.Config.from_options({"secret": "new-secret-0123456789", "previous_secret": SECRET})
    headers = webhook.signed_headers(SECRET, BODY, timestamp=NOW)
    assert webhook.verify(config.secrets, headers, BODY, now=NOW) == NOW


def test_payload_items_are_validated_one_by_one() -> None:
    result = webhook.parse_payload(BODY)
    assert [e.source_ref for e in result.entries] == ["p1", "p2"]
    first = result.entries[0]
    assert first.metrics == {"views": 3000, "comments": 500}
    assert first.extra == {"crawler": "x"}
    assert first.platform == "weibo"
    assert [(e.index, e.field) for e in result.errors] == [
        (2, "items[2].url"), (3, "items[3].metrics.likes"), (4, "items[4].text"), (5, "items[5]")]


def test_bare_list_payload_and_malformed_json() -> None:
    assert len(webhook.parse_payload(b'[{"title": "t"}]').entries) == 1
    with pytest.raises(ParseError, match="not valid JSON"):
        webhook.parse_payload(b'{"items": [')
    with pytest.raises(ParseError, match='needs an "items" list'):
        webhook.parse_payload(b'{"data": []}')
    with pytest.raises(ParseError, match="too many items"):
        webhook.parse_payload(json.dumps([{"title": "t"}] * 3).encode(), max_entries=2)


def test_short_secret_is_refused() -> None:
    with pytest.raises(ConfigError) as err:
        webhook.Config.from_options({"secret": "short"})
    assert err.value.field == "secret"
    assert len(webhook.generate_secret()) >= 32
