"""Fetching against real local servers: conditional requests, limits, retries, robots.txt and the SSRF guard."""

from __future__ import annotations

import gzip
import threading
import time

import pytest

from yuqing.collection import fetching
from yuqing.collection.fetching import (
    MB,
    Fetcher,
    FetchError,
    FetchErrorKind,
    FetchOptions,
    HostRateLimiter,
    Validator,
    is_public_address,
)

from .localserver import LOCAL, FakeClock, LocalServer, Reply


def test_plain_fetch_returns_body_headers_and_timing(server: LocalServer, fetcher: Fetcher) -> None:
    server.routes["/hello"] = Reply("你好，世界", headers={"Content-Type": "text/plain; charset=utf-8"})
    result = fetcher.fetch(server.url("/hello"), options=LOCAL)
    assert result.status == 200
    assert result.text == "你好，世界"
    assert result.final_url == server.url("/hello")
    assert result.not_modified is False
    assert result.elapsed >= 0
    assert server.requests[-1].headers["user-agent"].startswith("YuqingBot")


def test_etag_and_last_modified_give_not_modified(server: LocalServer, fetcher: Fetcher) -> None:
    def feed(request):
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(status=304, headers={"ETag": '"v1"'})
        return Reply("<rss/>", headers={"ETag": '"v1"', "Last-Modified": "Wed, 01 May 2024 00:00:00 GMT"})

    server.routes["/feed"] = feed
    first = fetcher.fetch(server.url("/feed"), options=LOCAL)
    assert first.validator == Validator('"v1"', "Wed, 01 May 2024 00:00:00 GMT")
    second = fetcher.fetch(server.url("/feed"), options=LOCAL, validator=first.validator)
    assert second.not_modified is True
    assert second.status == 304
    assert server.requests[-1].headers["if-modified-since"] == "Wed, 01 May 2024 00:00:00 GMT"


def test_gbk_page_without_header_charset_is_decoded_from_meta(server: LocalServer, fetcher: Fetcher) -> None:
    html = '<html><head><meta charset="gb2312"></head><body>教育局通知：镕基</body></html>'
    server.routes["/gbk"] = Reply(html.encode("gbk"), headers={"Content-Type": "text/html"})
    result = fetcher.fetch(server.url("/gbk"), options=LOCAL)
    assert "教育局通知：镕基" in result.text
    assert result.encoding == "gb18030"


def test_big5_page_with_header_charset(server: LocalServer, fetcher: Fetcher) -> None:
    server.routes["/big5"] = Reply("學校公告".encode("big5"), headers={"Content-Type": "text/html; charset=big5"})
    assert fetcher.fetch(server.url("/big5"), options=LOCAL).text == "學校公告"


def test_oversized_body_is_refused_with_declared_length(server: LocalServer, fetcher: Fetcher) -> None:
    server.routes["/big"] = Reply(b"x" * (MB + 1))
    with pytest.raises(FetchError) as err:
        fetcher.fetch(server.url("/big"), options=FetchOptions(allow_private=True, max_bytes=MB))
    assert err.value.kind == FetchErrorKind.TOO_LARGE
    assert str(err.value) == "response larger than 1 MB"


def test_oversized_body_without_length_is_cut_off_while_streaming(server: LocalServer, fetcher: Fetcher) -> None:
    server.routes["/stream"] = Reply(b"y" * 300_000, omit_length=True, chunks=10)
    with pytest.raises(FetchError, match="response larger than 100 KB"):
        fetcher.fetch(server.url("/stream"), options=FetchOptions(allow_private=True, max_bytes=100 * 1024))


def test_gzip_bomb_counts_decompressed_bytes(server: LocalServer, fetcher: Fetcher) -> None:
    server.routes["/bomb"] = Reply(gzip.compress(b"0" * (2 * MB)), headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match="larger than 1 MB"):
        fetcher.fetch(server.url("/bomb"), options=FetchOptions(allow_private=True, max_bytes=MB))


def test_slow_server_times_out_in_plain_words(server: LocalServer, fetcher: Fetcher) -> None:
    server.routes["/slow"] = Reply("late", delay=1.0)
    started = time.monotonic()
    with pytest.raises(FetchError) as err:
        fetcher.fetch(server.url("/slow"), options=FetchOptions(allow_private=True, timeout=0.2, retries=0))
    assert err.value.kind == FetchErrorKind.TIMEOUT
    assert str(err.value) == "timed out after 0.2 s"
    assert time.monotonic() - started < 0.9


def test_dripping_server_hits_total_timeout(server: LocalServer, fetcher: Fetcher) -> None:
    server.routes["/drip"] = Reply(b"z" * 10, chunks=10, chunk_delay=0.1)
    options = FetchOptions(allow_private=True, timeout=1.0, total_timeout=0.3, retries=0)
    with pytest.raises(FetchError, match="timed out after 0.3 s"):
        fetcher.fetch(server.url("/drip"), options=options)


def test_server_errors_are_retried_with_exponential_backoff(
    server: LocalServer, fetcher: Fetcher, clock: FakeClock
) -> None:
    answers = iter([Reply(status=503), Reply(status=502), Reply("ok")])
    server.routes["/flaky"] = lambda request: next(answers)
    result = fetcher.fetch(server.url("/flaky"), options=FetchOptions(allow_private=True, retries=3, backoff=2))
    assert result.text == "ok"
    assert clock.sleeps == [2, 4]


def test_retry_after_is_honoured_and_attempts_are_limited(
    server: LocalServer, fetcher: Fetcher, clock: FakeClock
) -> None:
    server.routes["/busy"] = Reply(status=429, headers={"Retry-After": "7"})
    with pytest.raises(FetchError) as err:
        fetcher.fetch(server.url("/busy"), options=FetchOptions(allow_private=True, retries=2, backoff=1))
    assert err.value.status == 429
    assert str(err.value) == "the server answered 429 Too Many Requests"
    assert clock.sleeps == [7, 7]
    assert server.hits("/busy") == 3


def test_client_errors_are_not_retried(server: LocalServer, fetcher: Fetcher, clock: FakeClock) -> None:
    with pytest.raises(FetchError, match="the server answered 404 Not Found"):
        fetcher.fetch(server.url("/missing"), options=FetchOptions(allow_private=True, retries=3))
    assert clock.sleeps == []


def test_refused_connection_is_reported_and_retried(fetcher: Fetcher, clock: FakeClock) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again at once: nothing listens there
    with pytest.raises(FetchError) as err:
        fetcher.fetch(f"http://127.0.0.1:{port}/", options=FetchOptions(allow_private=True, retries=1))
    assert err.value.kind == FetchErrorKind.CONNECT
    assert "could not connect to 127.0.0.1: connection refused" == str(err.value)
    assert clock.sleeps == [1.0]


def test_rate_limit_spaces_requests_to_one_host_only(server: LocalServer, clock: FakeClock) -> None:
    server.routes["/a"] = Reply("a")
    limiter = HostRateLimiter(5.0, clock=clock, sleep=clock.sleep)
    options = FetchOptions(allow_private=True, respect_robots=False)
    with Fetcher(rate_limiter=limiter, sleep=clock.sleep) as fetcher:
        fetcher.fetch(server.url("/a"), options=options)
        fetcher.fetch(server.url("/a"), options=options)
        fetcher.fetch(server.url("/a", host="localhost"), options=options)  # another host name: no wait
        fetcher.fetch(server.url("/a"), options=options)
    assert clock.sleeps == [5.0, 5.0]


def test_rate_limiter_is_thread_safe() -> None:
    limiter = HostRateLimiter(0.05)
    stamps: list[float] = []
    lock = threading.Lock()

    def hit() -> None:
        limiter.wait("example.com")
        with lock:
            stamps.append(time.monotonic())

    threads = [threading.Thread(target=hit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stamps.sort()
    gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    assert min(gaps) >= 0.04
    assert stamps[-1] - stamps[0] >= 0.24


def test_robots_txt_disallow_is_honoured_and_cached(server: LocalServer, fetcher: Fetcher) -> None:
    server.routes["/robots.txt"] = Reply("User-agent: *\nDisallow: /private\n")
    server.routes["/private/page"] = Reply("secret")
    server.routes["/public"] = Reply("hello")
    options = FetchOptions(allow_private=True)
    assert fetcher.fetch(server.url("/public"), options=options).text == "hello"
    with pytest.raises(FetchError) as err:
        fetcher.fetch(server.url("/private/page"), options=options)
    assert err.value.kind == FetchErrorKind.ROBOTS
    assert str(err.value) == "robots.txt of 127.0.0.1 does not allow fetching /private/page"
    assert server.hits("/private/page") == 0
    assert server.hits("/robots.txt") == 1
    ignoring = FetchOptions(allow_private=True, respect_robots=False)
    assert fetcher.fetch(server.url("/private/page"), options=ignoring).text == "secret"


def test_missing_robots_txt_allows_everything(server: LocalServer, fetcher: Fetcher) -> None:
    server.routes["/page"] = Reply("ok")
    assert fetcher.fetch(server.url("/page"), options=FetchOptions(allow_private=True)).text == "ok"
    assert server.hits("/robots.txt") == 1


def test_robots_txt_for_our_agent(server: LocalServer, fetcher: Fetcher) -> None:
    server.routes["/robots.txt"] = Reply("User-agent: YuqingBot\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    server.routes["/page"] = Reply("ok")
    with pytest.raises(FetchError, match="robots.txt"):
        fetcher.fetch(server.url("/page"), options=FetchOptions(allow_private=True))


# --- server-side request forgery guard ---------------------------------------------------------------


def test_loopback_host_is_refused_without_permission(server: LocalServer, fetcher: Fetcher) -> None:
    server.routes["/x"] = Reply("x")
    with pytest.raises(FetchError) as err:
        fetcher.fetch(server.url("/x", host="localhost"))
    assert err.value.kind == FetchErrorKind.BLOCKED_ADDRESS
    assert "is private and this source may not reach private networks" in str(err.value)
    assert server.requests == []
    assert fetcher.fetch(server.url("/x", host="localhost"), options=LOCAL).text == "x"


def test_literal_private_address_is_refused(fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match="address 127.0.0.1 is private"):
        fetcher.fetch("http://127.0.0.1:9/")
    with pytest.raises(FetchError, match="address 169.254.169.254 is private"):
        fetcher.fetch("http://169.254.169.254/latest/meta-data/")


@pytest.fixture
def public_looking_server(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> LocalServer:
    """Pretend news.example.com is a public site: it resolves to our test server, which we treat as public."""
    from yuqing import outbound

    real_reason = outbound.non_public_reason
    monkeypatch.setattr(outbound, "non_public_reason", lambda a: None if str(a) == "127.0.0.1" else real_reason(a))
    return server


@pytest.mark.parametrize(
    "target",
    ["http://10.0.0.5/admin", "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://[::ffff:10.0.0.1]/",
     "http://192.168.1.1/", "http://0.0.0.0/"],
)
def test_redirect_from_public_host_to_private_address_is_refused(
    public_looking_server: LocalServer, target: str
) -> None:
    server = public_looking_server
    server.routes["/go"] = Reply(status=302, headers={"Location": target})
    resolver = lambda host, port: ["127.0.0.1"] if host == "news.example.com" else fetching.system_resolver(host, port)  # noqa: E731
    with Fetcher(min_interval=0, resolver=resolver) as fetcher:
        with pytest.raises(FetchError) as err:
            fetcher.fetch(f"http://news.example.com:{server.port}/go", options=FetchOptions(respect_robots=False))
    assert err.value.kind == FetchErrorKind.BLOCKED_ADDRESS
    assert "may not reach private networks" in str(err.value)


def test_public_host_is_pinned_to_the_checked_address(public_looking_server: LocalServer) -> None:
    server = public_looking_server
    server.routes["/a"] = Reply("pinned")
    calls: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["127.0.0.1"]

    with Fetcher(min_interval=0, resolver=resolver) as fetcher:
        result = fetcher.fetch(f"http://news.example.com:{server.port}/a", options=FetchOptions(respect_robots=False))
    assert result.text == "pinned"
    assert calls == ["news.example.com"]  # resolved once, by us; httpx connected to the IP we checked
    assert server.requests[-1].headers["host"] == f"news.example.com:{server.port}"


def test_redirect_to_private_address_is_followed_with_permission(server: LocalServer, fetcher: Fetcher) -> None:
    server.routes["/old"] = Reply(status=301, headers={"Location": "/new"})
    server.routes["/new"] = Reply("moved")
    result = fetcher.fetch(server.url("/old", host="localhost"), options=LOCAL)
    assert result.text == "moved"
    assert result.final_url == server.url("/new", host="localhost")
    assert result.redirects == [server.url("/new", host="localhost")]


def test_redirect_loop_stops(server: LocalServer, fetcher: Fetcher) -> None:
    server.routes["/loop"] = Reply(status=302, headers={"Location": "/loop"})
    with pytest.raises(FetchError, match="more than 3 redirects"):
        fetcher.fetch(server.url("/loop"), options=FetchOptions(allow_private=True, max_redirects=3))


def test_non_http_schemes_are_refused(fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match="only http and https"):
        fetcher.fetch("file:///etc/passwd", options=LOCAL)


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
     "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1", "ff02::1", "::ffff:127.0.0.1",
     "::ffff:192.168.1.1", "64:ff9b::a00:1", "2002:7f00:1::1", "2001:db8::1"],
)
def test_non_public_addresses(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "114.114.114.114", "2400:3200::1", "::ffff:8.8.8.8"])
def test_public_addresses(address: str) -> None:
    assert is_public_address(address)
