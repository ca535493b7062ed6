"""Links in text (SPEC R5.4): extraction, a domain allow list, and an opt-in broken-link check over HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from .findings import Category, Finding, Severity

RULE_DOMAIN = "link.domain_not_allowed"
RULE_BROKEN = "link.broken"

# Domains commonly linked from school and bureau publications; an organisation replaces this list.
DEFAULT_ALLOWED_DOMAINS = (
    "gov.cn",
    "edu.cn",
    "moe.gov.cn",
    "people.com.cn",
    "xinhuanet.com",
    "news.cn",
    "cctv.com",
    "chinanews.com.cn",
    "gmw.cn",
    "mp.weixin.qq.com",
    "smartedu.cn",
)

# Stop at whitespace, quotes, brackets and CJK punctuation, which commonly follow a URL in Chinese text.
# Literal alternatives rather than re.IGNORECASE let the regex engine skip ahead to h/H/w/W in C.
_URL_RE = re.compile(
    r"(?:https?://|HTTPS?://|Https?://|www\.|WWW\.|Www\.)[^\s<>\"'`，。！？；：、（）【】《》「」“”‘’\u3000]+"
)
_TRAILING = ".,;:!?)]}'\""


@dataclass(frozen=True)
class LinkPolicy:
    """Which domains may be linked (a domain also allows its subdomains) and how bad other links are."""

    allowed_domains: Sequence[str] = field(default_factory=lambda: DEFAULT_ALLOWED_DOMAINS)
    severity: str = Severity.WARN.value
    broken_severity: str = Severity.WARN.value


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    start: int
    end: int

    @property
    def host(self) -> str:
        target = self.url if "://" in self.url else "http://" + self.url
        try:
            return (urlsplit(target).hostname or "").lower().rstrip(".")
        except ValueError:
            return ""


def may_contain_links(text: str) -> bool:
    """False when ``text`` surely has no URL: every URL prefix above contains one of these cores, and
    substring tests are far cheaper than the regex."""
    return "ttp" in text or "TTP" in text or "ww." in text or "WW." in text


def extract_links(text: str) -> list[Link]:
    """URLs in ``text`` with their offsets (trailing punctuation is not part of the URL)."""
    if not may_contain_links(text):
        return []
    links = []
    for m in _URL_RE.finditer(text):
        url = m.group().rstrip(_TRAILING)
        links.append(Link(url, m.start(), m.start() + len(url)))
    return links


def domain_allowed(host: str, allowed: Iterable[str]) -> bool:
    host = host.lower().rstrip(".")
    for domain in allowed:
        domain = domain.lower().strip(".")
        if host == domain or host.endswith("." + domain):
            return True
    return False


def check_domains(text: str, policy: LinkPolicy | None = None) -> list[Finding]:
    """A finding for every link whose host is outside the allow list."""
    policy = policy or LinkPolicy()
    findings = []
    for link in extract_links(text):
        host = link.host
        if not domain_allowed(host, policy.allowed_domains):
            findings.append(
                Finding(RULE_DOMAIN, Category.LINK.value, policy.severity, link.start, link.end, link.url,
                        host, f"域名 {host or '?'} 不在允许列表中")
            )
    return findings


def link_status(url: str, *, timeout: float = 5.0, allow_private: bool = False, max_redirects: int = 5,
                policy=None) -> str | None:
    """None when the link works; otherwise a short reason. Every hop, redirects included, goes through the
    outbound guard, which connects to the address it checked (no DNS rebinding between check and request)."""
    import httpx  # imported here: it takes longer to import than checking 20 MB takes, and is rarely needed

    from yuqing import outbound

    target = url if "://" in url else "http://" + url
    if policy is None:
        try:
            policy = outbound.current_policy(allow_private=allow_private)
        except Exception:  # outside a configured Django (the pure library used alone): no allow list
            policy = outbound.Policy(allow_private=allow_private)
    try:
        with outbound.guarded_client(policy=policy, timeout=timeout,
                                     headers={"User-Agent": "yuqing-linkcheck"}) as client:
            for _ in range(max_redirects + 1):
                parts = urlsplit(target)
                if parts.scheme not in ("http", "https") or not parts.hostname:
                    return f"unsupported URL {target}"
                response = client.head(target)
                if response.status_code in (405, 501):  # some servers refuse HEAD
                    response = client.get(target)
                if response.is_redirect and "location" in response.headers:
                    target = urljoin(target, response.headers["location"])
                    continue
                if response.status_code >= 400:
                    return f"HTTP {response.status_code}"
                return None
            return "too many redirects"
    except outbound.BlockedDestination as exc:
        return f"refused: {exc}"
    except httpx.TimeoutException:
        return "timed out"
    except (httpx.HTTPError, OSError, ValueError) as exc:
        return f"unreachable: {exc}"


def check_broken_links(
    text: str, *, timeout: float = 5.0, allow_private: bool = False, policy: LinkPolicy | None = None
) -> list[Finding]:
    """Make real HTTP requests for every link in ``text``; only call this when asked to."""
    policy = policy or LinkPolicy()
    findings = []
    for link in extract_links(text):
        reason = link_status(link.url, timeout=timeout, allow_private=allow_private)
        if reason is not None:
            findings.append(
                Finding(RULE_BROKEN, Category.LINK.value, policy.broken_severity, link.start, link.end, link.url,
                        link.host, f"链接无法访问：{reason}")
            )
    return findings
