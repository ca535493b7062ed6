"""Sending a prepared HTTP request and judging the robot's JSON answer, shared by the HTTP transports."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection

import httpx

from yuqing.notify.transports.message import (
    DEFAULT_TIMEOUT,
    ConfigError,
    DeliveryResult,
    PreparedRequest,
    now_shanghai,
)
from yuqing.outbound import BlockedDestination

WITHHELD = "(the answer of a non-public address is not shown)"
# Status codes worth another attempt later: the provider is down, overloaded or asks us to slow down.
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})

Judge = Callable[[str], tuple[bool, str, bool]]
"""Takes a 2xx reply body, returns (ok, error, retryable)."""


def post(
    prepared: PreparedRequest,
    judge: Judge,
    *,
    client: httpx.Client | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> DeliveryResult:
    """POST once; network failures and 5xx/429 come back as retryable, never as exceptions."""
    own_client = client is None
    http = client or httpx.Client(timeout=timeout, follow_redirects=False)
    try:
        response = http.request(
            prepared.method, prepared.url, content=prepared.body, headers=prepared.headers, timeout=timeout
        )
    except BlockedDestination as error:
        return DeliveryResult(ok=False, error=f"refused: {error}", retryable=False)
    except httpx.TimeoutException as error:
        return DeliveryResult(ok=False, error=f"timed out after {timeout:g} s: {error}", retryable=True)
    except httpx.HTTPError as error:
        return DeliveryResult(ok=False, error=f"{type(error).__name__}: {error}", retryable=True)
    finally:
        if own_client:
            http.close()
    text = response.text
    status = response.status_code
    private = bool(response.extensions.get("yuqing_private"))
    if 200 <= status < 300:
        ok, error, retryable = judge(text)
    else:
        ok = False
        retryable = status in RETRYABLE_STATUS or status >= 500
        detail = "" if private else _provider_message(text)
        error = f"HTTP {status}" + (f": {detail}" if detail else "")
    if private:
        # An internal service's answer must not be readable through the delivery log or the test page.
        text = WITHHELD
        error = error if ok or not error.startswith(("errcode", "code", "StatusCode")) else "the reply says it failed"
    return DeliveryResult.with_response(ok=ok, status_code=status, response=text, error=error, retryable=retryable)


def _provider_message(text: str) -> str:
    try:
        data = json.loads(text)
    except ValueError:
        return ""
    if isinstance(data, dict):
        for key in ("errmsg", "msg", "StatusMessage", "message", "error"):
            if isinstance(data.get(key), str):
                return data[key]
    return ""


def errcode_judge(code_keys: tuple[str, ...], message_keys: tuple[str, ...],
                  retryable_codes: Collection[int]) -> Judge:
    """A judge for robots that answer `{"errcode": 0, ...}`-style JSON even on failure."""

    def judge(text: str) -> tuple[bool, str, bool]:
        try:
            data = json.loads(text)
        except ValueError:
            return False, "the reply is not JSON", False
        if not isinstance(data, dict):
            return False, "the reply is not a JSON object", False
        for key in code_keys:
            if key in data:
                code = data[key]
                break
        else:
            return False, f"the reply has no {' or '.join(code_keys)}", False
        if code == 0:
            return True, "", False
        message = next((data[k] for k in message_keys if isinstance(data.get(k), str)), "")
        return False, f"{key} {code}: {message}".rstrip(": "), code in retryable_codes

    return judge


def status_only_judge(text: str) -> tuple[bool, str, bool]:
    """Any 2xx means delivered (generic webhooks answer whatever they like)."""
    return True, "", False


def http_sender(build_request: Callable, judge: Callable[[str], tuple[bool, str, bool]]) -> Callable[..., DeliveryResult]:
    """The `send` of an HTTP transport: validate the config, build the request, post it once, judge the answer."""

    def send(config, message, *, client: httpx.Client | None = None, timeout: float = DEFAULT_TIMEOUT,
             now=None) -> DeliveryResult:
        try:
            config.validate()
        except ConfigError as error:
            return DeliveryResult.invalid_config(error)
        return post(build_request(config, message, now or now_shanghai()), judge, client=client, timeout=timeout)

    return send
