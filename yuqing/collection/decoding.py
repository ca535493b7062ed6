"""Decode fetched or uploaded bytes: UTF-8, GB2312/GBK/GB18030, Big5 and the rest, as declared or detected."""

from __future__ import annotations

import codecs
import re

import charset_normalizer

# GB2312 and GBK are subsets of GB18030; pages labelled GB2312 routinely contain GBK-only characters,
# so every member of the family is decoded as GB18030 (as browsers do).
_LABEL_ALIASES = {
    **dict.fromkeys(
        ("gb2312", "gbk", "x-gbk", "cp936", "ms936", "windows-936", "gb_2312-80", "gb_2312", "csgb2312",
         "chinese", "iso-ir-58", "euc-cn", "euccn", "gb18030", "hz-gb-2312"),
        "gb18030",
    ),
    **dict.fromkeys(("big5", "big5-hkscs", "big5hkscs", "cn-big5", "x-x-big5", "csbig5", "cp950"), "big5hkscs"),
    # WHATWG: these labels mean windows-1252 on the web
    **dict.fromkeys(("iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii", "l1"), "cp1252"),
    **dict.fromkeys(("utf8", "utf-8", "unicode-1-1-utf-8"), "utf-8"),
}
# UTF-32 first: its little-endian BOM begins with the UTF-16 one.
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([\w.:-]+)[\"']", re.I)
_SNIFF_BYTES = 4096


def codec_for(label: str | None) -> str | None:
    """Python codec name for a charset label, or None when the label is unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    name = _LABEL_ALIASES.get(label, label)
    try:
        codecs.lookup(name)
    except LookupError:
        return None
    return _LABEL_ALIASES.get(codecs.lookup(name).name, name)


def charset_from_content_type(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, if any."""
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return match.group(1) if match else None


def sniff_wide_encoding(content: bytes) -> str | None:
    """UTF-16 or UTF-32 without a BOM, told by where the zero bytes of mostly-ASCII markup fall.

    XML and HTML start with ASCII ("<?xml", "<rss", whitespace), which UTF-16 writes as the character and a
    zero byte and UTF-32 as the character and three. A declaration inside cannot be read before this is known.
    """
    head = content[:512]
    if len(head) < 4:
        return None
    for name, pattern in (("utf-32-le", (False, True, True, True)), ("utf-32-be", (True, True, True, False)),
                          ("utf-16-le", (False, True)), ("utf-16-be", (True, False))):
        width = len(pattern)
        units = [head[i:i + width] for i in range(0, len(head) - width + 1, width)][:64]
        matching = sum(1 for unit in units if tuple(b == 0 for b in unit) == pattern)
        if units and matching / len(units) >= 0.6:
            return name
    return None


def declared_charsets(content: bytes, content_type: str | None = None) -> list[str]:
    """Candidate codecs in order of authority: BOM, UTF-16/32 by their zero bytes, HTTP header,
    <meta charset>, XML declaration."""
    candidates: list[str | None] = []
    for bom, name in _BOMS:
        if content.startswith(bom):
            candidates.append(name)
            break
    if not candidates:
        candidates.append(sniff_wide_encoding(content))
    candidates.append(codec_for(charset_from_content_type(content_type)))
    head = content[:_SNIFF_BYTES]
    if (meta := _META_CHARSET.search(head)) is not None:
        candidates.append(codec_for(meta.group(1).decode("ascii", "ignore")))
    if (xml := _XML_DECLARATION.search(head)) is not None:
        candidates.append(codec_for(xml.group(1).decode("ascii", "ignore")))
    seen: list[str] = []
    for name in candidates:
        if name and name not in seen:
            seen.append(name)
    return seen


def decode_bytes(content: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return ``(text, codec)``: the first declared charset that decodes cleanly, else UTF-8, else detection.

    Never fails: as a last resort the content is decoded as UTF-8 with replacement characters.
    """
    if not content:
        return "", "utf-8"
    candidates = declared_charsets(content, content_type)
    for name in [*candidates, "utf-8"]:
        try:
            text = content.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        if name == "gb18030" and (utf8 := _plausible_utf8(content, text)) is not None:
            return utf8, "utf-8"
        return text, name
    best = charset_normalizer.from_bytes(content).best()
    if best is not None and (name := codec_for(best.encoding)):
        try:
            return content.decode(name), name
        except (UnicodeDecodeError, LookupError):
            pass
    return content.decode("utf-8", errors="replace"), "utf-8"


def _common_share(text: str) -> float:
    """Share of the non-ASCII characters that are common: GB2312 level-1 hanzi (the 3,755 everyday ones)
    or CJK punctuation. Mojibake from reading UTF-8 as GBK is made of rare characters."""
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return 1.0
    common = 0
    for ch in wide:
        if "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef" or ch in "“”‘’…—·":
            common += 1
            continue
        try:
            code = ch.encode("gb2312")
        except UnicodeEncodeError:
            continue
        if len(code) == 2 and 0xB0A1 <= int.from_bytes(code, "big") <= 0xD7F9:
            common += 1
    return common / len(wide)


def _plausible_utf8(content: bytes, gb_text: str) -> str | None:
    """The UTF-8 reading of bytes declared GB2312/GBK when they are valid UTF-8 with multi-byte characters
    and read more plausibly so (pages mislabelled by a template, also short ones); else None."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.isascii():
        return None
    return text if _common_share(text) > _common_share(gb_text) else None
