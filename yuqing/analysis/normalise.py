"""Light, fast text normalisation applied before classification (NFKC, lower case, simplified script)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_URL = re.compile(r"https?://\S+|www\.\S+")
# Weibo reply chains look like "//@某人:" or "回复@某人:"; the user name says nothing about sentiment.
_MENTION = re.compile(r"@[\w\-\u4e00-\u9fff·]{1,30}[:：]?")
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _t2s():
    """OpenCC traditional-to-simplified converter, or None when OpenCC is unavailable."""
    try:
        import opencc
    except ImportError:  # pragma: no cover - OpenCC is a base dependency, but stay usable without it
        return None
    try:
        return opencc.OpenCC("t2s")
    except Exception:  # pragma: no cover - broken OpenCC data files
        return None


def normalise(text: str) -> str:
    """Return the text in the canonical form the classifier was trained on."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    converter = _t2s()
    if converter is not None:
        text = converter.convert(text)
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    text = _DIGITS.sub("0", text)
    return _SPACE.sub(" ", text).strip()
