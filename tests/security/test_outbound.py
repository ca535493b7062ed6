"""M1 and the fetch guard: no request of any kind reaches a non-public address unless a system administrator
allowed it; the guard judges the destination, not the proxy; a private answer is never shown back."""

from __future__ import annotations

import ipaddress
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.collection.localserver import LocalServer, Reply
from tests.notify_transports.conftest import http_server, smtp_server  # noqa: F401 - fixtures
from yuqing import outbound
from yuqing.collection.fetching import Fetcher, FetchError, FetchErrorKind, FetchOptions

# Written out from the IANA registries (iana-ipv4-special-registry, iana-ipv6-special-registry, as of 2025) and
# the deprecated blocks of the address space registries, independently of the guard's own table.
IANA_IPV4 = ["0.0.0.0/8", "0.0.0.0/32", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
             "172.16.0.0/12", "192.0.0.0/24", "192.0.0.0/29", "192.0.0.8/32", "192.0.0.9/32", "192.0.0.10/32",
             "192.0.0.170/32", "192.0.0.171/32", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24",
             "192.88.99.0/24", "192.168.0.0/16", "192.175.48.0/24", "198.18.0.0/15", "198.51.100.0/24",
             "203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32", "224.0.0.0/4"]
# ::ffff:0:0/96 (IPv4-mapped), 64:ff9b::/96 (NAT64) and 2002::/16 (6to4) are judged by the IPv4 address they carry
# (a mapped public address is that public address): see EMBEDDING.
IANA_IPV6 = ["::1/128", "::/128", "64:ff9b:1::/48", "100::/64", "100:0:0:1::/64", "2001::/23",
             "2001::/32", "2001:1::1/128", "2001:1::2/128", "2001:1::3/128", "2001:2::/48", "2001:3::/32",
             "2001:4:112::/48", "2001:10::/28", "2001:20::/28", "2001:30::/28", "2001:db8::/32",
             "2620:4f:8000::/48", "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10",
             # deprecated: IPv4-compatible, site-local, 6bone; and multicast
             "::/96", "fec0::/10", "3ffe::/16", "ff00::/8"]
# Prefixes that carry an IPv4 address: judged by it, so a private one embedded is refused.
EMBEDDING = ["::ffff:10.0.0.1", "::ffff:127.0.0.1", "::ffff:0.0.0.0", "::ffff:100.64.0.1", "::ffff:192.88.99.1",
             "::ffff:192.0.0.8", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b::c058:6301", "2002:7f00:1::1",
             "2002:c0a8:101::1", "2002:c000:8::1", "::ffff:0:7f00:1", "::127.0.0.1"]


def _samples(cidr: str) -> list[str]:
    net = ipaddress.ip_network(cidr)
    picks = {net.network_address, net.broadcast_address, net.network_address + (net.num_addresses // 2)}
    if net.num_addresses > 2:
        picks.add(net.network_address + 1)
    return [str(a) for a in picks]


@pytest.mark.parametrize("cidr", IANA_IPV4 + IANA_IPV6)
def test_every_special_purpose_range_is_refused(cidr):
    for address in _samples(cidr):
        assert not outbound.is_public_address(address), f"{address} of {cidr} passes the guard"
        with pytest.raises(FetchError) as err, Fetcher(min_interval=0) as fetcher:
            host = f"[{address}]" if ":" in address else address
            fetcher.fetch(f"http://{host}:9/", options=FetchOptions(respect_robots=False, retries=0))
        assert err.value.kind == FetchErrorKind.BLOCKED_ADDRESS, (address, err.value)


@pytest.mark.parametrize("address", EMBEDDING)
def test_private_ipv4_embedded_in_ipv6_is_refused(address):
    assert not outbound.is_public_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "114.114.114.114", "223.5.5.5", "2400:3200::1", "::ffff:8.8.8.8",
                                     "64:ff9b::808:808", "2002:808:808::1", "240e::1"])
def test_public_addresses_pass(address):
    assert outbound.is_public_address(address)


@pytest.fixture
def listener():
    server = LocalServer()
    server.routes["/"] = Reply("reached the listener")
    yield server
    server.close()


@pytest.mark.parametrize("notation", ["127.0.0.1", "127.1", "2130706433", "0x7f000001", "0x7f.1", "0177.0.0.1",
                                      "017700000001", "127.000.000.001", "0", "0.0.0.0", "[::1]", "[::ffff:127.0.0.1]",
                                      "[::ffff:7f00:1]", "[0:0:0:0:0:ffff:7f00:1]", "[::127.0.0.1]", "localhost",
                                      "LOCALHOST", "[::]"])
def test_no_notation_of_loopback_reaches_a_listener(listener, notation):
    with Fetcher(min_interval=0) as fetcher:
        try:
            fetcher.fetch(f"http://{notation}:{listener.port}/", options=FetchOptions(respect_robots=False, retries=0))
        except FetchError as exc:
            assert exc.kind in (FetchErrorKind.BLOCKED_ADDRESS, FetchErrorKind.DNS, FetchErrorKind.INVALID_URL), exc
        else:
            pytest.fail(f"{notation} was fetched")
    assert listener.requests == []


def test_dns_rebinding_cannot_move_a_checked_request(listener):
    """The name resolves to a public address when checked: the connection goes to that address, never again by
    name (a rebinding resolver would say 127.0.0.1 the second time)."""
    answers = iter([["203.0.113.0"]])  # never used: documentation ranges are refused too
    policy = outbound.Policy(resolver=lambda h, p: next(answers, ["127.0.0.1"]))
    with pytest.raises(outbound.BlockedDestination), outbound.guarded_client(policy=policy) as client:
        client.get(f"http://rebind.example:{listener.port}/")
    assert listener.requests == []


def test_allow_list_entries_match_host_address_network_and_port():
    entry = outbound.AllowEntry.parse
    ip = ipaddress.ip_address
    assert entry("10.1.2.0/24").matches("x", 80, ip("10.1.2.9"))
    assert not entry("10.1.2.0/24").matches("x", 80, ip("10.1.3.9"))
    assert entry("mail.school.cn:587").matches("MAIL.school.cn", 587, ip("10.0.0.1"))
    assert not entry("mail.school.cn:587").matches("mail.school.cn", 25, ip("10.0.0.1"))
    assert entry("[fd00::1]:25").matches("h", 25, ip("fd00::1"))
    with pytest.raises(ValueError):
        entry("http://x/")


# --------------------------------------------------------------------------------------------- M1: notifiers



@pytest.mark.django_db
def test_m1_publicity_lead_cannot_post_to_loopback_through_a_webhook_notifier(world, login, http_server):  # noqa: F811
    http_server.reply(200, '{"internal": "secret answer of an internal service"}')
    c = login(world.publicity)
    r = c.post("/notify/notifiers/new/webhook/", {"name": "内网", "min_level": "1", "enabled": "on",
                                                  "url": http_server.url + "/", "secret": "s3cret-for-the-webhook-0123"})
    assert r.status_code == 302, r.content.decode()[:1500]
    from yuqing.notify.models import Notifier

    notifier = Notifier.objects.get()
    html = c.post(f"/notify/notifiers/{notifier.pk}/test/").content.decode()
    assert http_server.requests == []
    assert "secret answer" not in html and "non-public address" in html
    notifier.refresh_from_db()
    assert "secret answer" not in notifier.last_error


@pytest.mark.django_db
@pytest.mark.parametrize("kind,config", [
    ("wecom", {"key": "abc"}), ("dingtalk", {"access_token": "abc", "secret": "SECabc"}),
    ("feishu", {"hook_id": "abc", "secret": "feishu-sign-secret"}),
])
def test_m1_robot_base_urls_cannot_point_inside(world, http_server, kind, config):  # noqa: F811
    from yuqing.notify import actions

    notifier = actions.do_create_notifier(organization=world.school, kind=kind, name=kind, acting_user=world.publicity,
                                          settings={**config, "base_url": http_server.url})
    result = actions.do_send_test_message(notifier, acting_user=world.publicity)
    assert not result.ok and "refused" in result.error and http_server.requests == []


@pytest.mark.django_db
def test_m1_smtp_host_and_port_cannot_point_inside(world, smtp_server):  # noqa: F811
    from yuqing.notify import actions

    handler, port = smtp_server()
    notifier = actions.do_create_notifier(organization=world.school, kind="email", name="mail",
                                          acting_user=world.publicity,
                                          settings={"host": "127.0.0.1", "port": port, "security": "none",
                                                    "from_addr": "a@no1.test", "to_addrs": ["b@no1.test"]})
    result = actions.do_send_test_message(notifier, acting_user=world.publicity)
    assert not result.ok and "refused" in result.error and handler.received == []


@pytest.mark.django_db
def test_an_allowed_private_destination_is_reached_but_its_answer_not_shown(world, login, http_server):  # noqa: F811
    from tests.notify.conftest import make_webhook
    from yuqing.orgs.permissions import PermissionDenied
    from yuqing.system.outbound_actions import do_allow_destination

    with pytest.raises(PermissionDenied):
        do_allow_destination(pattern="127.0.0.1", acting_user=world.school_admin)
    do_allow_destination(pattern=f"127.0.0.1:{http_server.url.rsplit(':', 1)[1]}", acting_user=world.root)
    http_server.reply(200, '{"internal": "secret answer of an internal service"}')
    notifier = make_webhook(world.school, http_server.url + "/hook")
    html = login(world.publicity).post(f"/notify/notifiers/{notifier.pk}/test/").content.decode()
    assert len(http_server.requests) == 1 and "Delivered" in html
    assert "secret answer" not in html


@pytest.mark.django_db
def test_link_check_is_guarded(listener, settings):
    from yuqing.textcheck.links import link_status

    assert link_status(f"http://127.0.0.1:{listener.port}/").startswith("refused")
    assert link_status(f"http://2130706433:{listener.port}/").startswith("refused")
    assert listener.requests == []
    settings.YUQING_OUTBOUND_ALLOW = [f"127.0.0.1:{listener.port}"]
    assert link_status(f"http://127.0.0.1:{listener.port}/") is None


# --------------------------------------------------------------------------------------------- proxies


class _RecordingProxy:
    """A forward HTTP proxy on 127.0.0.1 that records the request lines it receives and answers itself."""

    def __init__(self):
        self.lines: list[tuple[str, str]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                proxy.lines.append((self.path, self.headers.get("Host", "")))
                self.send_response(200)
                self.send_header("Content-Length", "7")
                self.end_headers()
                self.wfile.write(b"proxied")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://user:pa%40ss@127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy():
    p = _RecordingProxy()
    yield p
    p.close()


def test_the_guard_judges_the_destination_not_the_proxy(proxy):
    public = outbound.Policy(resolver=lambda h, p: ["93.184.215.14"])
    with outbound.guarded_client(policy=public, proxy=proxy.url) as client:
        assert client.get("http://news.example.cn/feed").text == "proxied"
    # The proxy (private, on loopback) carried it, to the checked address, with the name in Host.
    assert proxy.lines == [("http://93.184.215.14/feed", "news.example.cn")]
    inside = outbound.Policy(resolver=lambda h, p: ["10.0.0.7"])
    with pytest.raises(outbound.BlockedDestination), outbound.guarded_client(policy=inside, proxy=proxy.url) as c:
        c.get("http://intranet.example.cn/")
    assert len(proxy.lines) == 1


def test_sources_use_the_proxy_too(proxy):
    with Fetcher(min_interval=0, resolver=lambda h, p: ["93.184.215.14"]) as fetcher:
        result = fetcher.fetch("http://news.example.cn/feed", options=FetchOptions(respect_robots=False,
                                                                                    proxy=proxy.url))
        assert result.text == "proxied"
        with pytest.raises(FetchError) as err:
            fetcher.fetch("http://127.0.0.1/feed", options=FetchOptions(respect_robots=False, proxy=proxy.url))
    assert err.value.kind == FetchErrorKind.BLOCKED_ADDRESS
    assert proxy.lines == [("http://93.184.215.14/feed", "news.example.cn")]


def test_system_resolver_reads_numeric_forms_like_a_connection_would():
    assert outbound.system_resolver("2130706433", 80) == ["127.0.0.1"]
    assert socket.inet_aton("127.1") == socket.inet_aton("127.0.0.1")
