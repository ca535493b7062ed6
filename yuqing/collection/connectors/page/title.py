"""An article's own title: not the site's suffix ("…--人民网", "…_新浪网", "… | 澎湃新闻"), not a portal's generic title.

Pages name their article in several places that each fail somewhere: ``<title>`` carries the site (and often the
channel) after a separator; ``og:title`` is sometimes the portal's name on every page; there may be several
``<h1>`` (the logo, a hidden copy for sharing, the mobile header). The rule: the candidates (``og:title``,
``twitter:title``, ``itemprop=headline``, headline elements, ``<h1>``) are compared with ``<title>``; the longest
one that ``<title>`` starts with, or contains, is the title, because a site puts the article title first and
adds its own name, never the reverse. Without such agreement, the first visible ``<h1>`` of article length is
preferred over ``<title>`` with its suffix removed.
"""

from __future__ import annotations

import re

import lxml.html

# Separators between an article title and the site / channel names after it. A plain hyphen counts only with
# spaces around it, doubled ("--"), or before a final site name ("…-新华网"): titles themselves contain
# hyphens ("米勒-怀特", "2024-2025学年").
_SUFFIX_SEPARATOR = re.compile(
    r"\s*(?:--+|—+|_+|\||｜|\s[-–]\s|-(?=[^-\s]{1,10}(?:网|报|新闻|频道|在线|网站|门户|客户端)$))\s*")
_HEADLINE_XPATHS = (
    "//meta[@property='og:title']/@content",
    "//meta[@name='twitter:title']/@content",
    "//*[@itemprop='headline']",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' article-title ')]",
    "//h1",
)
MIN_TITLE_CHARS = 4
MAX_TITLE_CHARS = 120
# A portal's generic title ("新浪首页", "教育频道") is short; a headline that says more is longer than this.
GENERIC_TITLE_CHARS = 8


def _clean(text: str) -> str:
    return " ".join((text or "").split())


def _hidden(element: lxml.html.HtmlElement) -> bool:
    for node in [element, *element.iterancestors()]:
        style = (node.get("style") or "").replace(" ", "").lower()
        if "display:none" in style or node.get("hidden") is not None:
            return True
    return False


def strip_site_suffix(title: str) -> str:
    """``title`` without the site and channel names after its last meaningful separator."""
    title = _clean(title)
    parts = _SUFFIX_SEPARATOR.split(title)
    head = parts[0].strip()
    return head if len(head) >= MIN_TITLE_CHARS else title


def candidates(root: lxml.html.HtmlElement) -> list[tuple[str, bool]]:
    """``(text, is_element)`` of every place that may hold the headline, in the order of ``_HEADLINE_XPATHS``;
    hidden elements (copies kept for sharing, ``display:none``) are left out."""
    found: list[tuple[str, bool]] = []
    for xpath in _HEADLINE_XPATHS:
        for value in root.xpath(xpath):
            if isinstance(value, str):
                text, element = _clean(value), False
            elif _hidden(value):
                continue
            else:
                text, element = _clean(value.text_content()), True
            if MIN_TITLE_CHARS <= len(text) <= MAX_TITLE_CHARS:
                found.append((text, element))
    return found


def article_title(root: lxml.html.HtmlElement, fallback: str = "") -> str:
    """The article's title from a parsed page (``fallback``: e.g. the extractor's guess, used last)."""
    page_title = _clean(root.findtext(".//title") or "")
    stripped = strip_site_suffix(page_title) if page_title else ""
    found = candidates(root)
    # A candidate agrees with <title> when <title> holds it where the article's part is (not in the suffix,
    # where a logo's <h1> "中国日报网" would also be found).
    agreeing = [text for text, _ in found
                if text == page_title or text == stripped or page_title.startswith(text)
                or 0 <= page_title.find(text) < len(stripped)]
    elements = [text for text, element in found if element]
    if agreeing:
        best = max(agreeing, key=len)
        best = strip_site_suffix(best) if best == page_title else best
        longer = [text for text in elements if len(text) > max(len(best), GENERIC_TITLE_CHARS)]
        if best not in elements and longer:
            return longer[0]  # only meta tags agree with <title>, and a headline says more: a portal's title
        return best
    # <title> names no candidate: a portal's generic title, or one rewritten for search engines.
    if elements:
        return elements[0]
    metas = [text for text, element in found if not element]
    if metas:
        return strip_site_suffix(metas[0])
    return stripped or strip_site_suffix(fallback)
