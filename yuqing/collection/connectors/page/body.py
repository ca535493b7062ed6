"""An article's main text: the better of two extractors on each page, without trailing link lists.

trafilatura is precise on news pages but drops what it takes for comments (a forum's replies, a Q&A page's
answers) and sometimes keeps the list of related links after the article; readability (readability-lxml)
keeps the densest block of the page whole. Neither knows which page it got, so both run and the text with more
*prose* wins: characters on lines that hold a sentence mark (。！？，；…), which link lists, navigation and
"【纠错】" lines do not; readability needs 20 % more, as on news pages it adds image captions. Then short trailing lines without a sentence mark that are the
page's link texts or editorial tags are dropped.
"""

from __future__ import annotations

import re
import warnings

import lxml.html
import trafilatura

_PROSE_MARKS = re.compile(r"[。！？，；!?;…]|[.,](?:\s|$)")
_EDITORIAL = re.compile(r"^[【\[]|^】$|^(?:责任编辑|纠错|返回|分享到?|打印|关闭|上一篇|下一篇|阅读下一篇)")
_BLOCKS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "article",
           "dd", "dt", "pre", "table", "ul", "ol")
MAX_TAIL_LINE = 40
# readability's text replaces trafilatura's only with this much more prose: what trafilatura drops on a forum
# (the replies) is most of the page, while what readability adds on a news page (image captions) is a little.
READABILITY_MARGIN = 1.2


def prose_chars(text: str) -> int:
    """How many characters of ``text`` are on lines that read as sentences."""
    return sum(len(line) for line in text.splitlines() if _PROSE_MARKS.search(line))


def with_trafilatura(html: str, url: str):
    """trafilatura's document (metadata and text) or None."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # trafilatura's lxml truth-testing FutureWarning
        return trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                           include_tables=True)


def with_readability(html: str) -> str:
    """readability's main block as plain text, one line per paragraph; "" when it finds none."""
    try:
        from readability import Document
    except ImportError:  # an optional second opinion: without it trafilatura's text is used alone
        return ""
    try:
        summary = Document(html).summary(html_partial=True)
        root = lxml.html.fragment_fromstring(summary, create_parent="div")
    except Exception:  # readability raises bare exceptions on odd pages; trafilatura's text still counts
        return ""
    for element in root.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
        if element.tag == "br":
            continue
        element.text = "\n" + (element.text or "")
    return _tidy(root.text_content())


def _tidy(text: str) -> str:
    lines = (" ".join(line.replace("\u3000", " ").split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def drop_trailing_links(text: str, link_texts: set[str]) -> str:
    """``text`` without the short lines after the article that are links or editorial tags ("【纠错】")."""
    lines = text.splitlines()
    while lines:
        last = lines[-1].strip()
        if len(last) <= MAX_TAIL_LINE and not re.search("[。！？!?]", last) and (
                last in link_texts or _EDITORIAL.search(last)):
            lines.pop()
        else:
            break
    return "\n".join(lines)


def best_text(root: lxml.html.HtmlElement, html: str, trafilatura_text: str) -> str:
    """The main text of the page parsed as ``root`` (``html`` its markup) given trafilatura's."""
    readable = with_readability(html)
    text = _tidy(trafilatura_text)
    if prose_chars(readable) > READABILITY_MARGIN * prose_chars(text):
        text = readable
    links = {" ".join(a.text_content().split()) for a in root.iter("a")}
    return drop_trailing_links(text, links)
