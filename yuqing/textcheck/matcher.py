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
        self._automaton = (
            ahocorasick_rs.AhoCorasick(patterns, matchkind=ahocorasick_rs.MATCHKIND_LEFTMOST_LONGEST)
            if patterns
            else None
        )
        # For each deny pattern, the allow terms containing it and where: (allow_term, offset) pairs.
        # Only patterns listed here ever need an allow check, so most matches cost nothing extra.
        index = {p: i for i, p in enumerate(patterns)}
        contexts: dict[int, list[tuple[str, int]]] = {}
        for term in allow:
            for i in range(len(term)):
                for j in range(i + 1, len(term) + 1):
                    k = index.get(term[i:j])
                    if k is not None:
                        contexts.setdefault(k, []).append((term, i))
        self._allow_contexts = {k: tuple(v) for k, v in contexts.items()}

    def __len__(self) -> int:
        return len(self.entries)

    def find(self, normalized: str) -> list[tuple[int, int, Entry]]:
        """Matches in ``normalized`` as ``(start, end, entry)`` in normalised coordinates."""
        entries = self.entries
        return [(s, e, entries[k]) for k, s, e in self.find_indexes(normalized)]

    def find_indexes(self, normalized: str) -> list[tuple[int, int, int]]:
        """Matches as ``(entry_index, start, end)``, the automaton's own format (cheapest)."""
        if self._automaton is None:
            return []
        raw = self._automaton.find_matches_as_indexes(normalized)
        contexts = self._allow_contexts
        if not raw or not contexts:
            return raw
        return [m for m in raw if m[0] not in contexts or not _covered(normalized, m[1], contexts[m[0]])]


def _covered(normalized: str, start: int, contexts: tuple[tuple[str, int], ...]) -> bool:
    for term, offset in contexts:
        at = start - offset
        if at >= 0 and normalized.startswith(term, at):
            return True
    return False
