"""Which hosts are mainstream news sites (主流媒体), read from data/mainstream_domains.txt."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

_DATA = Path(__file__).resolve().parent / "data" / "mainstream_domains.txt"


@lru_cache(maxsize=1)
def mainstream_domains() -> frozenset[str]:
    lines = _DATA.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def is_mainstream(url: str) -> bool:
    """True when the URL's host is a listed domain or a subdomain of one."""
    host = (urlsplit(url).hostname or "").lower()
    if not host:
        return False
    domains = mainstream_domains()
    parts = host.split(".")
    return any(".".join(parts[i:]) in domains for i in range(len(parts) - 1))
