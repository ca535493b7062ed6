"""Aho-Corasick matching of all lexicons at once, with the leftmost-longest rule and allow lists.

Overlap rule (documented in docs/textcheck.md):

1. Deny terms are matched on the normalised text leftmost-longest and non-overlapping: scanning from the
   left, the earliest starting occurrence wins; among occurrences starting there the longest wins; the
   scan resumes after it.
2. A match is dropped when an allow-list term occurs in the normalised text and covers it entirely
   (allow ``最后`` suppresses ``最`` in 最后; it does not suppress ``最佳``).
3. When several lexicons define the same normalised term, the one loaded last wins, so an
   organisation's lexicon can change a shipped term's category, severity or suggestion.
"""

from __future__ import annotations

from collections.abc import Iterable

import ahocorasick_rs
import numpy as np

from .lexicon import KIND_ALLOW, Entry, Lexicon


class Matcher:
    """An automaton over every deny term of the given lexicons, built once and reused."""

    def __init__(self, lexicons: Iterable[Lexicon]) -> None:
        deny: dict[str, Entry] = {}
        allow: set[str] = set()
        for lexicon in lexicons:
            for entry in lexicon.entries:
                if entry.kind == KIND_ALLOW:
                    allow.add(entry.normalized)
                else:
                    deny.pop(entry.normalized, None)  # re-insert so that "last loaded wins"
                    deny[entry.normalized] = entry
        self.entries: tuple[Entry, ...] = tuple(deny.values())
        self.allow_terms: frozenset[str] = frozenset(allow)
        self.rule_ids: tuple[str, ...] = tuple(f"lexicon.{e.category}" for e in self.entries)
        # What every finding of entry k reports, in one tuple so that building findings unpacks it at once.
        self.reports: tuple[tuple[str, str, str, str, str], ...] = tuple(
            (rule_id, e.category, e.severity, e.normalized, e.suggestion)
            for rule_id, e in zip(self.rule_ids, self.entries, strict=True)
        )
        patterns = [e.normalized for e in self.entries]
        # The automaton runs over UTF-8 bytes: ahocorasick-rs's str interface converts the text to UTF-8 and
        # every match offset back itself, which cost more than matching; the engine maps only what it needs.
        # A DFA is the fastest for the shipped lexicons; for large ones its size grows too fast.
        self._automaton = (
            ahocorasick_rs.BytesAhoCorasick(
                [p.encode("utf-8") for p in patterns], matchkind=ahocorasick_rs.MATCHKIND_LEFTMOST_LONGEST,
                implementation=(ahocorasick_rs.Implementation.DFA if len(patterns) <= DFA_MAX_PATTERNS
                                else ahocorasick_rs.Implementation.ContiguousNFA))
            if patterns
            else None
        )
        # For each deny pattern, the allow terms containing it and where, in bytes: (allow_term, offset) pairs.
        # Only patterns listed here ever need an allow check, so most matches cost nothing extra.
        index = {p: i for i, p in enumerate(patterns)}
        contexts: dict[int, list[tuple[bytes, int]]] = {}
        text_contexts: dict[int, list[tuple[str, int]]] = {}  # the same in characters, for short texts
        for term in allow:
            for i in range(len(term)):
                for j in range(i + 1, len(term) + 1):
                    k = index.get(term[i:j])
                    if k is not None:
                        contexts.setdefault(k, []).append((term.encode("utf-8"), len(term[:i].encode("utf-8"))))
                        text_contexts.setdefault(k, []).append((term, i))
        self._allow_contexts = {k: tuple(v) for k, v in contexts.items()}
        self._allow_text_contexts = {k: tuple(v) for k, v in text_contexts.items()}
        self._allow_automaton: ahocorasick_rs.BytesAhoCorasick | None = None  # built when first needed
        self._patterns = patterns
        self._text_automaton: ahocorasick_rs.AhoCorasick | None = None  # built when first needed

    def __len__(self) -> int:
        return len(self.entries)

    def find(self, normalized: str) -> list[tuple[int, int, Entry]]:
        """Matches in ``normalized`` as ``(start, end, entry)`` in normalised coordinates."""
        entries = self.entries
        return [(s, e, entries[k]) for k, s, e in self.find_indexes(normalized)]

    def find_indexes(self, normalized: str) -> list[tuple[int, int, int]]:
        """Matches as ``(entry_index, start, end)`` in character offsets of ``normalized``."""
        if len(normalized) < SHORT_TEXT_CHARS:
            return self._find_short(normalized)
        data = normalized.encode("utf-8")
        raw = self.find_bytes(data)
        if not raw or len(data) == len(normalized):
            return raw  # ASCII only: byte and character offsets are the same
        matches = np.array(raw, dtype=np.int64).reshape(-1, 3)
        codes = np.frombuffer(normalized.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        matches[:, 1:] = char_indexes(codes, matches[:, 1:].ravel()).reshape(-1, 2)
        return [tuple(m) for m in matches.tolist()]

    def _find_short(self, normalized: str) -> list[tuple[int, int, int]]:
        """One short text (a post): ahocorasick-rs's str interface, whose own offset conversion costs less
        than encoding and mapping back for a few hundred characters."""
        if not self._patterns:
            return []
        if self._text_automaton is None:
            self._text_automaton = ahocorasick_rs.AhoCorasick(
                self._patterns, matchkind=ahocorasick_rs.MATCHKIND_LEFTMOST_LONGEST)
        raw = self._text_automaton.find_matches_as_indexes(normalized)
        contexts = self._allow_text_contexts
        if not raw or not contexts:
            return raw
        return [m for m in raw if m[0] not in contexts or not _covered(normalized, m[1], contexts[m[0]])]

    def find_bytes(self, data: bytes) -> list[tuple[int, int, int]]:
        """Matches in UTF-8 ``data`` as ``(entry_index, start, end)`` in byte offsets (the cheapest)."""
        if self._automaton is None:
            return []
        raw = self._automaton.find_matches_as_indexes(data)
        contexts = self._allow_contexts
        if not raw or not contexts:
            return raw
        if len(raw) > MANY_MATCHES:
            return self._uncovered(data, raw)
        return [m for m in raw if m[0] not in contexts or not _covered(data, m[1], contexts[m[0]])]

    def _uncovered(self, data: bytes, raw: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
        """The allow rule for many matches at once: one pass of an automaton of the allow terms finds every
        allow occurrence, and a match is covered when an occurrence starting at or before it ends at or
        after it (such an occurrence's term contains the match's term, so this is the same rule)."""
        if self._allow_automaton is None:
            self._allow_automaton = ahocorasick_rs.BytesAhoCorasick(
                [t.encode("utf-8") for t in sorted(self.allow_terms)])
        found = self._allow_automaton.find_matches_as_indexes(data, overlapping=True)
        if not found:
            return raw
        allowed = np.array(found, dtype=np.int64).reshape(-1, 3)
        allowed = allowed[np.argsort(allowed[:, 1], kind="stable")]
        reach = np.maximum.accumulate(allowed[:, 2])  # furthest end of the occurrences starting up to here
        matches = np.array(raw, dtype=np.int64).reshape(-1, 3)
        before = np.searchsorted(allowed[:, 1], matches[:, 1], side="right") - 1
        covered = (before >= 0) & (reach[np.maximum(before, 0)] >= matches[:, 2])
        if not covered.any():
            return raw
        return [m for m, hidden in zip(raw, covered.tolist(), strict=True) if not hidden]


# Up to this many patterns the automaton is a DFA (about 2x faster to run, larger and slower to build).
DFA_MAX_PATTERNS = 2_000
# From this many matches on, the allow rule is applied in bulk (Matcher._uncovered).
MANY_MATCHES = 256
# Texts shorter than this (in characters) are matched through the str automaton (Matcher._find_short).
SHORT_TEXT_CHARS = 2_000
_BLOCK = 1 << 16


def char_indexes(codes: np.ndarray, byte_offsets: np.ndarray) -> np.ndarray:
    """Character indexes of the UTF-8 byte offsets (each at a character boundary) of the text whose code points
    are ``codes``. Works in blocks of characters so that no byte-offset array as long as the text is built."""
    result = np.empty(len(byte_offsets), dtype=np.int64)
    if not len(byte_offsets):
        return result
    sizes = np.ones(-(-len(codes) // _BLOCK) * _BLOCK, dtype=np.uint8)  # UTF-8 length of each character
    sizes[len(codes):] = 0
    view = sizes[:len(codes)]
    view += codes >= 0x80
    view += codes >= 0x800
    view += codes >= 0x10000
    firsts = np.arange(0, len(codes), _BLOCK)
    block_bytes = np.zeros(len(firsts) + 1, dtype=np.int64)
    np.cumsum(sizes.reshape(-1, _BLOCK).sum(axis=1, dtype=np.int64), out=block_bytes[1:])
    blocks = np.searchsorted(block_bytes, byte_offsets, side="right") - 1
    order = np.argsort(blocks, kind="stable")
    sorted_blocks = blocks[order]
    edges = np.flatnonzero(np.diff(sorted_blocks)) + 1
    for group in np.split(order, edges):
        block = int(blocks[group[0]])
        first = block * _BLOCK
        if block == len(firsts):  # the very end of the text
            result[group] = len(codes)
            continue
        starts = np.zeros(min(_BLOCK, len(codes) - first) + 1, dtype=np.int64)
        np.cumsum(sizes[first:first + len(starts) - 1], out=starts[1:])
        result[group] = first + np.searchsorted(starts, byte_offsets[group] - block_bytes[block])
    return result


def _covered(normalized, start: int, contexts) -> bool:
    """Whether an allow term of ``contexts`` (``(term, offset)`` pairs, both str or both bytes) covers the
    match at ``start``."""
    for term, offset in contexts:
        at = start - offset
        if at >= 0 and normalized.startswith(term, at):
            return True
    return False
