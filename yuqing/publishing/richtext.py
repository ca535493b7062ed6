"""Rich-text bodies: sanitise pasted HTML (Word/WPS) with nh3, and derive the plain text checks and diffs use."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field

import lxml.html
import nh3

ALLOWED_TAGS = {
    "p", "br", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "b", "em", "i", "u", "s",
    "sub", "sup", "blockquote", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "hr", "figure",
    "figcaption",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"},
                      "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
# Office conditional comments, <style> and <xml> blocks carry no content worth keeping.
CLEAN_CONTENT_TAGS = {"script", "style", "xml", "title", "head", "template", "object", "iframe"}
BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "tr", "table", "ul", "ol", "hr",
              "figure", "figcaption", "div"}
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(bold|[6-9]00)", re.I)
_ITALIC_STYLE = re.compile(r"font-style\s*:\s*italic", re.I)
_DATA_URI = re.compile(r"^data:(image/[a-z+.-]+);base64,(.+)$", re.I | re.S)
MAX_INLINE_IMAGE_BYTES = 10 * 1024 * 1024


@dataclass
class CleanBody:
    html: str
    text: str
    # Images pasted inline as data: URIs (WPS does this); the caller stores them as attachments and
    # replaces the placeholder src "inline:N" with the stored file's address.
    inline_images: list[bytes] = field(default_factory=list)


def _office_to_semantic(root) -> None:
    """Word and WPS mark bold/italic and headings with styles and classes, which nh3 would drop."""
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if ":" in tag:  # <o:p>, <v:shape>, <w:...>: Office namespaces; keep their text, lose the tag
            el.drop_tag()
            continue
        style = el.get("style", "")
        cls = el.get("class", "")
        if tag == "span":
            if _BOLD_STYLE.search(style):
                el.tag = "strong"
            elif _ITALIC_STYLE.search(style):
                el.tag = "em"
        elif tag == "p":
            heading = re.match(r"Mso(?:Heading|Title)(\d?)", cls)
            outline = re.search(r"mso-outline-level\s*:\s*(\d)", style)
            if heading is not None or outline is not None:
                level = int((heading.group(1) if heading else outline.group(1)) or 1)
                el.tag = f"h{min(max(level, 1), 6)}"
            elif "MsoListParagraph" in cls or "mso-list" in style:
                el.tag = "li"


def _wrap_loose_items(html: str) -> str:
    # Word's list paragraphs become <li> without a list around them; group runs of them into one <ul>.
    return re.sub(r"((?:<li>.*?</li>\s*)+)", r"<ul>\1</ul>", html, flags=re.S) if "<li>" in html and "<ul>" not in html \
        and "<ol>" not in html else html


def sanitize(html: str) -> CleanBody:
    """Safe HTML keeping headings, lists, bold/italic, tables, links and images; plus its plain text."""
    html = html or ""
    if not html.strip():
        return CleanBody("", "")
    if "<" not in html:  # plain text typed or pasted without markup: paragraphs per line
        paragraphs = [line.strip() for line in html.replace("\r\n", "\n").split("\n")]
        html = "".join(f"<p>{nh3.clean_text(p)}</p>" for p in paragraphs if p)
    inline: list[bytes] = []
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except Exception:  # lxml refuses only pathological input; nh3 alone still makes it safe
        root = None
    if root is not None:
        _office_to_semantic(root)
        for img in root.iter("img"):
            match = _DATA_URI.match(img.get("src", "").strip())
            if match:
                try:
                    data = base64.b64decode(match.group(2), validate=False)
                except ValueError:
                    data = b""
                if data and len(data) <= MAX_INLINE_IMAGE_BYTES:
                    inline.append(data)
                    img.set("src", f"inline:{len(inline) - 1}")
                else:
                    img.drop_tree()
            elif img.get("src", "").lower().startswith("file:"):
                img.drop_tree()  # a path on the author's own computer means nothing to anyone else
        html = lxml.html.tostring(root, encoding="unicode")
    cleaned = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, clean_content_tags=CLEAN_CONTENT_TAGS,
                        url_schemes={"http", "https", "mailto", "inline"}, link_rel="noopener noreferrer")
    cleaned = _wrap_loose_items(cleaned.strip())
    return CleanBody(cleaned, plain_text(cleaned), inline)


def plain_text(html: str) -> str:
    """The text of sanitised HTML, one line per block, as a reader would see it."""
    if not html.strip():
        return ""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    parts: list[str] = []

    def walk(el) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag == "br":
            parts.append("\n")
        elif tag == "img" and el.get("alt"):
            parts.append(f"[{el.get('alt')}]")
        if el.text and tag != "img":
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if tag in BLOCK_TAGS or tag in {"td", "th"}:
            parts.append("\n" if tag not in {"td", "th"} else "\t")

    walk(root)
    text = "".join(parts)
    lines = [line.strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)
