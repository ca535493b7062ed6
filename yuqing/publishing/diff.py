"""Character-level differences between two versions of a text (Chinese has no spaces to split words at)."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Piece:
    op: str  # "equal" | "insert" | "delete"
    text: str


def char_diff(old: str, new: str) -> list[Piece]:
    """Pieces that turn `old` into `new`: joining the equal+delete pieces gives `old`, equal+insert gives `new`."""
    # autojunk would treat frequent characters (的, 。) as junk in longer texts and produce absurd diffs.
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    pieces: list[Piece] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(Piece("equal", old[i1:i2]))
            continue
        if tag in ("delete", "replace"):
            pieces.append(Piece("delete", old[i1:i2]))
        if tag in ("insert", "replace"):
            pieces.append(Piece("insert", new[j1:j2]))
    return pieces


def render_inline(pieces: list[Piece]) -> SafeString:
    """HTML with insertions in <ins> and deletions in <del>; line breaks kept by the page's pre-wrap style."""
    out = []
    for piece in pieces:
        text = escape(piece.text)
        if piece.op == "insert":
            out.append(f'<ins class="diff-ins">{text}</ins>')
        elif piece.op == "delete":
            out.append(f'<del class="diff-del">{text}</del>')
        else:
            out.append(text)
    return mark_safe("".join(out))


def summary(pieces: list[Piece]) -> dict:
    return {"inserted": sum(len(p.text) for p in pieces if p.op == "insert"),
            "deleted": sum(len(p.text) for p in pieces if p.op == "delete")}
