"""The one guard for outbound connections (sources, link checks, notifiers, SMTP, evidence capture).

Every outbound request resolves its destination, refuses any address in the IANA IPv4 and IPv6 special-purpose
registries (plus multicast, the deprecated site-local and 6bone blocks and everything outside the IPv6 global
unicast space) unless an administrator allowed that destination, and then connects to the very address it
checked, so DNS rebinding between check and connect cannot move the request. A proxy, when configured, only
carries the request: the guard judges the destination, never the proxy (which is usually a private address).

Use `guarded_client()` for HTTP (any httpx code), `smtp_connection()` for SMTP, or `check_destination()` when
you connect yourself. This module does not import Django at load time, so pure libraries may use it.
"""

from __future__ import annotations

import ipaddress
import smtplib
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

# IANA IPv4 Special-Purpose Address Registry (iana-ipv4-special-registry), every entry, whether or not it is
# marked globally reachable: no source, robot or mail server of a school lives on an anycast service address.
SPECIAL_PURPOSE_IPV4: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "this network"),
    ("10.0.0.0/8", "private use"),
    ("100.64.0.0/10", "shared address space (carrier-grade NAT)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link local"),
    ("172.16.0.0/12", "private use"),
    ("192.0.0.0/24", "IETF protocol assignments"),
    ("192.0.0.0/29", "IPv4 service continuity prefix"),
    ("192.0.0.8/32", "IPv4 dummy address"),
    ("192.0.0.9/32", "port control protocol anycast"),
    ("192.0.0.10/32", "traversal using relays around NAT anycast"),
    ("192.0.0.170/31", "NAT64/DNS64 discovery"),
    ("192.0.2.0/24", "documentation (TEST-NET-1)"),
    ("192.31.196.0/24", "AS112-v4"),
    ("192.52.193.0/24", "automatic multicast tunneling"),
    ("192.88.99.0/24", "deprecated 6to4 relay anycast"),
    ("192.168.0.0/16", "private use"),
    ("192.175.48.0/24", "direct delegation AS112 service"),
    ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation (TEST-NET-2)"),
    ("203.0.113.0/24", "documentation (TEST-NET-3)"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
    ("255.255.255.255/32", "limited broadcast"),
)

# IANA IPv6 Special-Purpose Address Registry (iana-ipv6-special-registry), every entry, plus deprecated blocks of
# the IPv6 address space registry. The three prefixes that embed an IPv4 address and are routed as such
# (IPv4-mapped, the well-known NAT64 prefix, 6to4) are judged by that IPv4 address instead, see _embedded_ipv4.
SPECIAL_PURPOSE_IPV6: tuple[tuple[str, str], ...] = (
    ("::1/128", "loopback"),
    ("::/128", "unspecified"),
    ("::/96", "deprecated IPv4-compatible"),
    ("::ffff:0:0:0/96", "IPv4-translated (SIIT)"),
    ("64:ff9b:1::/48", "local-use IPv4/IPv6 translation"),
    ("100::/64", "discard-only"),
    ("100:0:0:1::/64", "dummy IPv6 prefix"),
    ("2001::/23", "IETF protocol assignments"),
    ("2001::/32", "Teredo"),
    ("2001:1::1/128", "port control protocol anycast"),
    ("2001:1::2/128", "traversal using relays around NAT anycast"),
    ("2001:1::3/128", "DNS-SD service registration protocol anycast"),
    ("2001:2::/48", "benchmarking"),
    ("2001:3::/32", "automatic multicast tunneling"),
    ("2001:4:112::/48", "AS112-v6"),
    ("2001:10::/28", "deprecated ORCHID"),
    ("2001:20::/28", "ORCHIDv2"),
    ("2001:30::/28", "drone remote ID protocol entity tags"),
    ("2001:db8::/32", "documentation"),
    ("2620:4f:8000::/48", "direct delegation AS112 service"),
    ("3fff::/20", "documentation"),
    ("3ffe::/16", "deprecated 6bone"),
    ("5f00::/16", "segment routing (SRv6) SIDs"),
    ("fc00::/7", "unique local"),
    ("fe80::/10", "link local"),
    ("fec0::/10", "deprecated site local"),
    ("ff00::/8", "multicast"),
)
_IPV4_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_6TO4 = ipaddress.IPv6Network("2002::/16")
_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")

_V4 = tuple((ipaddress.IPv4Network(net), name) for net, name in SPECIAL_PURPOSE_IPV4)
_V6 = tuple((ipaddress.IPv6Network(net), name) for net, name in SPECIAL_PURPOSE_IPV6)


class BlockedDestination(Exception):
    """The destination is not a public address and no administrator allowed it."""

    def __init__(self, host: str, address: str, reason: str) -> None:
        self.host, self.address, self.reason = host, address, reason
        shown = host if host == address else f"{host} ({address})"
        super().__init__(f"{shown} is a non-public address ({reason}); an administrator must allow it first")


def parse_address(value: str | IPAddress) -> IPAddress:
    """An IP address from its text (an IPv6 zone such as %eth0 is dropped)."""
    if isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return value
    return ipaddress.ip_address(value.strip().strip("[]").split("%")[0])


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip in _IPV4_MAPPED:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _6TO4:
        return ip.sixtofour
    return None


def non_public_reason(address: str | IPAddress) -> str | None:
    """Why `address` is not public (the registry entry's name), or None for a public unicast address."""
    ip = parse_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            reason = non_public_reason(embedded)
            return f"{reason}, embedded in IPv6" if reason else None
        for net, name in _V6:
            if ip in net:
                return name
        if ip not in _GLOBAL_UNICAST:
            return "outside the IPv6 global unicast space"
        return None
    for net, name in _V4:
        if ip in net:
            return name
    return None


def is_public_address(address: str | IPAddress) -> bool:
    return non_public_reason(address) is None


def system_resolver(host: str, port: int) -> list[str]:
    """All addresses `host` resolves to, IPv4 first. Numeric forms (2130706433, 0x7f.1, 127.1) resolve as the
    C library reads them, so what is checked is what a connection would reach."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    return sorted(addresses, key=lambda a: ":" in a)


@dataclass(frozen=True)
class AllowEntry:
    """One allowed destination: a host name, an address or a network, optionally with a port."""

    host: str = ""
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    port: int | None = None

    @classmethod
    def parse(cls, text: str) -> AllowEntry:
        """`10.1.2.0/24`, `10.1.2.3:8080`, `[fd00::1]:25`, `mail.school.cn:587`, `robot.intranet`."""
        value = text.strip()
        if not value:
            raise ValueError("an allowed destination cannot be empty")
        port = None
        if value.startswith("["):
            inner, _, rest = value[1:].partition("]")
            value, port = inner, _port(rest.lstrip(":")) if rest else None
        elif value.count(":") == 1:
            value, raw_port = value.split(":")
            port = _port(raw_port)
        try:
            return cls(network=ipaddress.ip_network(value, strict=False), port=port)
        except ValueError:
            pass
        host = value.lower().rstrip(".")
        if not host or any(c in host for c in "/ @?#"):
            raise ValueError(f"{text!r} is not a host name, address or network")
        return cls(host=host, port=port)

    def matches(self, host: str, port: int, address: IPAddress) -> bool:
        if self.port is not None and self.port != port:
            return False
        if self.network is not None:
            return address.version == self.network.version and address in self.network
        return host.lower().rstrip(".") == self.host


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"{text!r} is not a port number")
    return int(text)


@dataclass(frozen=True)
class Policy:
    """What may be reached: public addresses always; others only if allowed (entries or `allow_private`)."""

    allow: tuple[AllowEntry, ...] = ()
    allow_private: bool = False  # a source's own permission, granted by an organisation administrator
    resolver: Resolver = field(default=system_resolver, compare=False)

    def check(self, host: str, port: int) -> list[str]:
        """The addresses to connect to, in order; raises BlockedDestination or OSError (cannot resolve)."""
        host = host.strip("[]")
        try:
            addresses = [str(parse_address(host))]
        except ValueError:
            addresses = self.resolver(host, port)
        if not addresses:
            raise OSError(f"the host name {host} could not be resolved")
        for address in addresses:
            ip = parse_address(address)
            reason = non_public_reason(ip)
            if reason is None or self.allow_private:
                continue
            if not any(entry.matches(host, port, ip) for entry in self.allow):
                raise BlockedDestination(host, str(ip), reason)
        return [str(parse_address(a)) for a in addresses]


def parse_allow_list(values: Iterable[str]) -> tuple[AllowEntry, ...]:
    return tuple(AllowEntry.parse(v) for v in values if v and v.strip())


def current_policy(*, allow_private: bool = False, resolver: Resolver | None = None) -> Policy:
    """The installation's policy: YUQING_OUTBOUND_ALLOW plus the administrators' allowed destinations."""
    from django.conf import settings

    entries = list(parse_allow_list(getattr(settings, "YUQING_OUTBOUND_ALLOW", ())))
    try:
        from yuqing.system.models import AllowedDestination

        entries += [AllowEntry.parse(p) for p in AllowedDestination.objects.values_list("pattern", flat=True)]
    except Exception:  # before migrations, or outside Django: the settings alone
        pass
    return Policy(tuple(entries), allow_private, resolver or system_resolver)


def current_proxy(own: str = "") -> str:
    """The proxy for a request: the source's or notifier's own, else the global YUQING_OUTBOUND_PROXY."""
    if own:
        return own
    from django.conf import settings

    return getattr(settings, "YUQING_OUTBOUND_PROXY", "") or ""


# ------------------------------------------------------------------------------------------------- HTTP


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport that checks each request's destination and connects to the checked address.

    Redirects are not followed here (clients must not follow them automatically): each new request made for a
    redirect passes through this transport again and is checked again.
    """

    def __init__(self, policy: Policy, *, proxy: str = "", verify=True) -> None:
        self.policy = policy
        # trust_env=False: an environment proxy would connect by name and bypass the pinning.
        self._inner = httpx.HTTPTransport(proxy=proxy or None, verify=verify, trust_env=False)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"only http and https may be requested, not {url.scheme}")
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            addresses = self.policy.check(url.host, port)
        except OSError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        last: Exception | None = None
        for address in addresses:
            request.url = url.copy_with(host=address)
            if url.scheme == "https":
                request.extensions = {**request.extensions, "sni_hostname": url.host}
            try:
                response = self._inner.handle_request(request)
            except httpx.ConnectError as exc:
                last = exc
                continue
            # Callers withhold what a non-public (administrator-allowed) destination answered from pages.
            response.extensions = {**response.extensions, "yuqing_private": not is_public_address(address)}
            return response
        raise last or httpx.ConnectError("no address to connect to", request=request)

    def close(self) -> None:
        self._inner.close()


def guarded_client(*, policy: Policy | None = None, proxy: str = "", timeout: float = 10.0,
                   allow_private: bool = False, **kwargs) -> httpx.Client:
    """An httpx client whose every request goes through the guard (and the proxy, if any)."""
    policy = policy or current_policy(allow_private=allow_private)
    transport = GuardedTransport(policy, proxy=proxy, verify=kwargs.pop("verify", True))
    return httpx.Client(transport=transport, timeout=timeout, follow_redirects=False, trust_env=False, **kwargs)


# ------------------------------------------------------------------------------------------------- SMTP


class _PinnedMixin:
    """Connects the socket to the checked address while TLS still verifies the server's name."""

    _pinned: list[str]

    def _get_socket(self, host, port, timeout):
        last: OSError | None = None
        for address in self._pinned:
            try:
                sock = socket.create_connection((address, port), timeout, self.source_address)
            except OSError as exc:
                last = exc
                continue
            if isinstance(self, smtplib.SMTP_SSL):
                return self.context.wrap_socket(sock, server_hostname=self._host)
            return sock
        raise last or OSError("no address to connect to")


class GuardedSMTP(_PinnedMixin, smtplib.SMTP):
    pass


class GuardedSMTPSSL(_PinnedMixin, smtplib.SMTP_SSL):
    pass


def smtp_connection(host: str, port: int, *, timeout: float, ssl_context=None,
                    policy: Policy | None = None) -> smtplib.SMTP:
    """A connected SMTP (or SMTP over TLS when `ssl_context` is given) session to a checked address."""
    addresses = (policy or current_policy()).check(host, port)
    cls = GuardedSMTPSSL if ssl_context is not None else GuardedSMTP
    smtp = cls.__new__(cls)
    smtp._pinned = addresses
    if ssl_context is not None:
        smtplib.SMTP_SSL.__init__(smtp, timeout=timeout, context=ssl_context)
    else:
        smtplib.SMTP.__init__(smtp, timeout=timeout)
    smtp.connect(host, port)
    return smtp
