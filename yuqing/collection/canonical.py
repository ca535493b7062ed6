"""Canonical URLs: one spelling per article, so the same link shared with tracking noise is one item."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}

# Exact parameter names that only say who shared a link or how it travelled, never which article it is.
TRACKING_PARAMS = frozenset(
    {
        "spm", "spm_id_from", "scm", "from", "from_source", "ref_src", "fbclid", "gclid", "dclid", "yclid",
        "msclkid", "igshid", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "vd_source", "bbid", "buvid", "unique_k",
        "is_story_h5", "sudaref", "refer_flag", "wfr", "isappinstalled", "nsukey", "wxshare_count", "pvid",
        "tt_from", "u_code", "xhsshare", "apptime", "appuid", "xsec_source", "xsec_token",
        # WeChat share noise; on mp.weixin.qq.com itself a whitelist applies (see _WECHAT_KEEP)
        "chksm", "scene", "sessionid", "subscene", "clicktime", "enterid", "ascene", "pass_ticket", "exportkey",
    }
)
# Parameter name prefixes that are tracking noise: utm_source, share_token, shareId, …
TRACKING_PREFIXES = ("utm_", "share", "hmsr", "hmpl", "hmcu", "hmkw", "hmci", "mkt_", "wt.", "_ga", "_gl")

# On WeChat (mp.weixin.qq.com/s?...) only these identify the article; everything else is session noise.
_WECHAT_KEEP = ("__biz", "mid", "idx", "sn")

_SAFE_PATH = "/:@!$&'()*+,;=-._~%"


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """Return the canonical spelling of an http(s) URL; other strings come back stripped but unchanged.

    Lower-cases scheme and host, drops the default port, the fragment and tracking parameters, and sorts
    the remaining query parameters. WeChat article links keep only ``__biz``, ``mid``, ``idx`` and ``sn``.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return url
    host = parts.hostname.lower().rstrip(".")
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        pass
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    # user:password@ is dropped on purpose: two people sharing a link still share one article
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = quote(unquote(parts.path), safe=_SAFE_PATH) or "/"
    path = re.sub(r"/{2,}", "/", path)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if host == "mp.weixin.qq.com":
        pairs = [(k, v) for k, v in pairs if k in _WECHAT_KEEP]
    else:
        pairs = [(k, v) for k, v in pairs if not _is_tracking(k)]
    query = urlencode(sorted(pairs), doseq=True)
    return urlunsplit((scheme, netloc, path, query, ""))
