"""Polite and safe HTTP fetching: timeouts, retries, per-host rate limits, size limits, robots.txt, SSRF guard."""

from __future__ import annotations

import enum
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from functools import cached_property
from http import HTTPStatus
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any
from urllib.parse import urljoin

import httpx

from yuqing.outbound import AllowEntry, BlockedDestination, Policy, system_resolver
from yuqing.outbound import is_public_address as is_public_address  # re-exported for callers of this module

from .decoding import decode_bytes
from .errors import CollectionError, gettext_noop

MB = 1024 * 1024
DEFAULT_USER_AGENT = "YuqingBot/0.1 (+https://yuqing.invalid/bot; public-opinion monitoring for schools)"
ROBOTS_AGENT = "YuqingBot"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309: crawlers may ignore robots.txt content beyond 500 KiB

Resolver = Callable[[str, int], list[str]]


class FetchErrorKind(enum.StrEnum):
    INVALID_URL = "invalid_url"
    BLOCKED_ADDRESS = "blocked_address"
    DNS = "dns"
    CONNECT = "connect"
    TIMEOUT = "timeout"
    PROTOCOL = "protocol"
    TOO_LARGE = "too_large"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    HTTP_STATUS = "http_status"
    ROBOTS = "robots"


class FetchError(CollectionError):
    """A fetch failed; ``message`` says why in plain words, ``kind`` says what kind of failure it was."""

    def __init__(
        self,
        kind: FetchErrorKind,
        template: str,
        *,
        url: str = "",
        status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
        **params: Any,
    ) -> None:
        self.kind = kind
        self.url = url
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after
        if status is not None:
            params["status"] = status
        super().__init__(template, **params)


def format_size(size: int) -> str:
    """5242880 → "5 MB", 1536 → "1.5 KB"."""
    for unit, scale in (("MB", MB), ("KB", 1024)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


def format_seconds(seconds: float) -> str:
    return f"{seconds:g} s"


@dataclass(frozen=True)
class Validator:
    """What the server said about the version we have: sent back as If-None-Match / If-Modified-Since."""

    etag: str = ""
    last_modified: str = ""

    def request_headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers

    def __bool__(self) -> bool:
        return bool(self.etag or self.last_modified)


@dataclass(frozen=True)
class FetchOptions:
    """Per-source fetch settings. ``allow_private`` is the administrator's permission to reach private networks."""

    timeout: float = 10.0  # seconds for connecting and for each read
    total_timeout: float = 60.0  # seconds for a whole response body, against servers that drip bytes
    max_bytes: int = 5 * MB
    max_redirects: int = 5
    retries: int = 2  # extra attempts after the first, for timeouts, broken connections, 429 and 5xx
    backoff: float = 1.0  # first retry waits this long, then twice as long each time
    backoff_max: float = 60.0
    allow_private: bool = False
    respect_robots: bool = True
    headers: Mapping[str, str] = field(default_factory=dict)
    allow: tuple[AllowEntry, ...] = ()  # the administrators' allowed non-public destinations
    proxy: str = ""  # http(s)://user:pass@proxy:port; the guard still judges the destination


@dataclass
class FetchResult:
    """A successful (2xx) or not-modified (304) response, body fully read within the size limit."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    content: bytes
    elapsed: float
    not_modified: bool = False
    redirects: list[str] = field(default_factory=list)

    @property
    def etag(self) -> str:
        return self.headers.get("etag", "")

    @property
    def last_modified(self) -> str:
        return self.headers.get("last-modified", "")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def validator(self) -> Validator:
        return Validator(etag=self.etag, last_modified=self.last_modified)

    @cached_property
    def _decoded(self) -> tuple[str, str]:
        return decode_bytes(self.content, self.content_type)

    @property
    def text(self) -> str:
        """The body decoded: header charset, then <meta charset>, then XML declaration, then detection."""
        return self._decoded[0]

    @property
    def encoding(self) -> str:
        return self._decoded[1]


class HostRateLimiter:
    """At most one request per ``min_interval`` seconds to each host, across threads.

    A caller reserves the next free slot under the lock and sleeps outside it, so threads for
    different hosts never wait for each other.
    """

    def __init__(
        self,
        min_interval: float = 1.0,
        *,
        per_host: Mapping[str, float] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.min_interval = min_interval
        self.per_host = dict(per_host or {})
        self._clock = clock
        self._sleep = sleep
        self._next_slot: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str) -> float:
        """Block until ``host`` may be contacted; returns the seconds waited."""
        host = host.lower()
        interval = self.per_host.get(host, self.min_interval)
        with self._lock:
            now = self._clock()
            start = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = start + interval
        delay = start - now
        if delay > 0:
            self._sleep(delay)
        return delay


_ALLOW_ALL = "allow"
_DISALLOW_ALL = "disallow"


class RobotsCache:
    """robots.txt rules per origin, kept for ``ttl`` seconds."""

    def __init__(self, ttl: float = 3600.0, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._rules: dict[str, tuple[Any, float]] = {}
        self._lock = threading.Lock()

    def get(self, origin: str) -> Any | None:
        with self._lock:
            cached = self._rules.get(origin)
        if cached is None or cached[1] < self._clock():
            return None
        return cached[0]

    def put(self, origin: str, rules: Any) -> None:
        with self._lock:
            self._rules[origin] = (rules, self._clock() + self.ttl)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()


class _NoCookies(DefaultCookiePolicy):
    """Never keep cookies: sources must not share sessions, and a fetch must not depend on earlier ones."""

    def set_ok(self, cookie: Any, request: Any) -> bool:
        return False

    def return_ok(self, cookie: Any, request: Any) -> bool:
        return False


class Fetcher:
    """Fetches URLs politely and safely; share one instance (it is thread-safe) so limits apply globally.

    Every hop (first request, each redirect, robots.txt) resolves the host, refuses non-public addresses
    unless ``allow_private``, and connects to the very address that was checked (the URL is rewritten to the
    IP, with Host header and TLS SNI set to the name), so DNS rebinding between check and connect is moot.
    """

    def __init__(
        self,
        *,
        user_agent: str = DEFAULT_USER_AGENT,
        min_interval: float = 1.0,
        rate_limiter: HostRateLimiter | None = None,
        robots: RobotsCache | None = None,
        resolver: Resolver = system_resolver,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.user_agent = user_agent
        self.rate_limiter = rate_limiter or HostRateLimiter(min_interval, sleep=sleep)
        self.robots = robots or RobotsCache()
        self.resolver = resolver
        self.sleep = sleep
        self._transport = transport
        self._client = self._new_client("")
        self._proxied: dict[str, httpx.Client] = {}
        self._proxied_lock = threading.Lock()

    def _new_client(self, proxy: str) -> httpx.Client:
        # trust_env=False: an environment proxy would connect by name and defeat the address check. A configured
        # proxy is given the checked address (the URL is pinned), so it cannot be steered by DNS either.
        return httpx.Client(
            transport=self._transport,
            proxy=proxy or None,
            trust_env=False,
            follow_redirects=False,
            cookies=CookieJar(policy=_NoCookies()),
            headers={"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate"},
        )

    def _client_for(self, proxy: str) -> httpx.Client:
        if not proxy or self._transport is not None:
            return self._client
        with self._proxied_lock:
            if proxy not in self._proxied:
                self._proxied[proxy] = self._new_client(proxy)
            return self._proxied[proxy]

    def close(self) -> None:
        self._client.close()
        for client in self._proxied.values():
            client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- public

    def fetch(
        self,
        url: str,
        *,
        options: FetchOptions | None = None,
        validator: Validator | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> FetchResult:
        """GET ``url`` and return its body; a 304 answer to ``validator`` gives ``not_modified=True``.

        Raises ``FetchError`` for anything else: refused address, robots.txt, timeout, size, HTTP errors.
        """
        options = options or FetchOptions()
        request_headers = {**options.headers, **(headers or {})}
        if validator:
            request_headers.update(validator.request_headers())
        return self._fetch_chain(url, options, request_headers)

    # --------------------------------------------------------------- internals

    def _fetch_chain(self, url: str, options: FetchOptions, headers: Mapping[str, str]) -> FetchResult:
        started = time.monotonic()
        current = url
        redirects: list[str] = []
        while True:
            target = _parse_url(current)
            if options.respect_robots:
                self._check_robots(target, options)
            response = self._request_with_retries(target, options, headers, started)
            status, response_headers, body = response
            if status in REDIRECT_STATUSES and "location" in response_headers:
                if len(redirects) >= options.max_redirects:
                    raise FetchError(
                        FetchErrorKind.TOO_MANY_REDIRECTS,
                        gettext_noop("more than %(count)s redirects"),
                        url=url,
                        count=options.max_redirects,
                    )
                current = urljoin(str(target), response_headers["location"])
                redirects.append(current)
                continue
            elapsed = time.monotonic() - started
            if status == 304:
                return FetchResult(url, str(target), status, response_headers, b"", elapsed, True, redirects)
            if 200 <= status < 300:
                return FetchResult(url, str(target), status, response_headers, body, elapsed, False, redirects)
            raise FetchError(
                FetchErrorKind.HTTP_STATUS,
                gettext_noop("the server answered %(status)s %(reason)s"),
                url=str(target),
                status=status,
                reason=_reason(status),
            )

    def _request_with_retries(
        self, target: httpx.URL, options: FetchOptions, headers: Mapping[str, str], started: float
    ) -> tuple[int, dict[str, str], bytes]:
        attempt = 0
        while True:
            try:
                status, response_headers, body = self._request_once(target, options, headers, started)
                if status in RETRY_STATUSES and attempt < options.retries:
                    raise FetchError(
                        FetchErrorKind.HTTP_STATUS,
                        gettext_noop("the server answered %(status)s %(reason)s"),
                        url=str(target),
                        status=status,
                        retryable=True,
                        retry_after=_retry_after(response_headers.get("retry-after")),
                        reason=_reason(status),
                    )
                return status, response_headers, body
            except FetchError as exc:
                if not exc.retryable or attempt >= options.retries:
                    raise
                delay = min(options.backoff * (2**attempt), options.backoff_max)
                if exc.retry_after is not None:
                    delay = min(max(delay, exc.retry_after), options.backoff_max)
                self.sleep(delay)
                attempt += 1

    def _request_once(
        self, target: httpx.URL, options: FetchOptions, headers: Mapping[str, str], started: float
    ) -> tuple[int, dict[str, str], bytes]:
        host = target.host
        addresses = self._resolve(target, options)
        self.rate_limiter.wait(host)
        host_header = target.netloc.decode("ascii")
        last_error: Exception | None = None
        for address in addresses:
            pinned = target.copy_with(host=address)
            extensions: dict[str, Any] = {"timeout": httpx.Timeout(options.timeout).as_dict()}
            if target.scheme == "https":
                extensions["sni_hostname"] = target.raw_host.decode("ascii")
            client = self._client_for(options.proxy)
            request = client.build_request(
                "GET", pinned, headers={**headers, "Host": host_header}, extensions=extensions
            )
            try:
                response = client.send(request, stream=True)
            except httpx.ConnectTimeout as exc:
                last_error = exc
                continue
            except httpx.ConnectError as exc:
                last_error = exc
                continue
            except httpx.TimeoutException as exc:
                raise _timeout_error(target, options) from exc
            except httpx.TransportError as exc:
                raise _broken_error(target, exc) from exc
            try:
                return self._read(response, target, options, started)
            finally:
                response.close()
        if isinstance(last_error, httpx.ConnectTimeout):
            raise _timeout_error(target, options) from last_error
        raise FetchError(
            FetchErrorKind.CONNECT,
            gettext_noop("could not connect to %(host)s: %(reason)s"),
            url=str(target),
            retryable=True,
            host=host,
            reason=_plain_reason(last_error),
        ) from last_error

    def _read(
        self, response: httpx.Response, target: httpx.URL, options: FetchOptions, started: float
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {k.lower(): v for k, v in response.headers.items()}
        status = response.status_code
        if status in REDIRECT_STATUSES or status == 304 or not 200 <= status < 300:
            return status, headers, b""  # the body of these is never used; do not spend time reading it
        too_large = FetchError(
            FetchErrorKind.TOO_LARGE,
            gettext_noop("response larger than %(limit)s"),
            url=str(target),
            limit=format_size(options.max_bytes),
        )
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > options.max_bytes:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        try:
            # iter_bytes yields decompressed data, so a gzip bomb hits the limit too
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > options.max_bytes:
                    raise too_large
                if time.monotonic() - started > options.total_timeout:
                    raise _timeout_error(target, options, options.total_timeout)
                chunks.append(chunk)
        except httpx.TimeoutException as exc:
            raise _timeout_error(target, options) from exc
        except httpx.DecodingError as exc:
            raise FetchError(
                FetchErrorKind.PROTOCOL,
                gettext_noop("the response could not be decompressed: %(reason)s"),
                url=str(target),
                reason=_plain_reason(exc),
            ) from exc
        except httpx.TransportError as exc:
            raise _broken_error(target, exc) from exc
        return status, headers, b"".join(chunks)

    def _resolve(self, target: httpx.URL, options: FetchOptions) -> list[str]:
        host = target.host
        port = target.port or (443 if target.scheme == "https" else 80)
        try:
            addresses = self.resolver(host, port)
        except (OSError, UnicodeError) as exc:
            raise FetchError(
                FetchErrorKind.DNS,
                gettext_noop("the host name %(host)s could not be resolved"),
                url=str(target),
                retryable=True,
                host=host,
            ) from exc
        if not addresses:
            raise FetchError(
                FetchErrorKind.DNS, gettext_noop("the host name %(host)s could not be resolved"),
                url=str(target), host=host,
            )
        policy = Policy(options.allow, options.allow_private, resolver=lambda _h, _p: addresses)
        try:
            return policy.check(host, port)
        except BlockedDestination as exc:
            raise FetchError(
                FetchErrorKind.BLOCKED_ADDRESS,
                gettext_noop("address %(address)s is private and this source may not reach private networks"),
                url=str(target),
                address=exc.address,
            ) from exc

    def _check_robots(self, target: httpx.URL, options: FetchOptions) -> None:
        origin = f"{target.scheme}://{target.netloc.decode('ascii')}"
        rules = self.robots.get(origin)
        if rules is None:
            rules = self._load_robots(origin, options)
        if rules == _ALLOW_ALL:
            return
        if rules == _DISALLOW_ALL or not rules.can_fetch(ROBOTS_AGENT, str(target)):
            raise FetchError(
                FetchErrorKind.ROBOTS,
                gettext_noop("robots.txt of %(host)s does not allow fetching %(path)s"),
                url=str(target),
                host=target.host,
                path=target.raw_path.decode("ascii"),
            )

    def _load_robots(self, origin: str, options: FetchOptions) -> Any:
        robots_options = FetchOptions(
            timeout=options.timeout,
            total_timeout=options.total_timeout,
            max_bytes=ROBOTS_MAX_BYTES,
            max_redirects=options.max_redirects,
            retries=options.retries,
            backoff=options.backoff,
            backoff_max=options.backoff_max,
            allow_private=options.allow_private,
            respect_robots=False,
            allow=options.allow,
            proxy=options.proxy,
        )
        try:
            result = self._fetch_chain(origin + "/robots.txt", robots_options, {})
        except FetchError as exc:
            if exc.kind == FetchErrorKind.HTTP_STATUS and exc.status is not None:
                if exc.status in (401, 403):
                    rules: Any = _DISALLOW_ALL  # RFC 9309 lets crawlers treat these as "no rules"; we stay shy
                elif exc.status < 500:
                    rules = _ALLOW_ALL
                else:
                    raise FetchError(
                        FetchErrorKind.ROBOTS,
                        gettext_noop("robots.txt could not be read (the server answered %(status)s); will retry"),
                        url=exc.url,
                        status=exc.status,
                    ) from exc
                self.robots.put(origin, rules)
                return rules
            if exc.kind == FetchErrorKind.TOO_LARGE:
                rules = _ALLOW_ALL
                self.robots.put(origin, rules)
                return rules
            raise
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(result.content.decode("utf-8", errors="replace").splitlines())
        parser.modified()  # can_fetch() refuses everything until the parser believes it has read the file
        self.robots.put(origin, parser)
        return parser


def _parse_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise FetchError(
            FetchErrorKind.INVALID_URL, gettext_noop("not a valid web address: %(value)r"), url=url, value=url
        ) from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise FetchError(
            FetchErrorKind.INVALID_URL,
            gettext_noop("only http and https addresses can be fetched: %(value)r"),
            url=url,
            value=url,
        )
    return parsed


def _timeout_error(target: httpx.URL, options: FetchOptions, seconds: float | None = None) -> FetchError:
    return FetchError(
        FetchErrorKind.TIMEOUT,
        gettext_noop("timed out after %(seconds)s"),
        url=str(target),
        retryable=True,
        seconds=format_seconds(seconds if seconds is not None else options.timeout),
    )


def _broken_error(target: httpx.URL, exc: Exception) -> FetchError:
    return FetchError(
        FetchErrorKind.PROTOCOL,
        gettext_noop("the connection to %(host)s broke off: %(reason)s"),
        url=str(target),
        retryable=True,
        host=target.host,
        reason=_plain_reason(exc),
    )


def _plain_reason(exc: Exception | None) -> str:
    if exc is None:
        return "no address to connect to"
    text = str(exc) or type(exc).__name__
    if "refused" in text.lower():
        return "connection refused"
    return text


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
