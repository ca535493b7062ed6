"""The TextChecker: lexicons, personal data and links combined into one reusable engine."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from .findings import Finding
from .lexicon import Lexicon, load_default_lexicons, load_lexicon
from .links import LinkPolicy, check_broken_links, check_domains
from .matcher import Matcher
from .normalize import offsets_for, translate_table
from .personal_data import PersonalDataConfig, PersonalDataDetector


class TextChecker:
    """Build once (the automaton is the expensive part), then call :meth:`check` for every text.

    ``lexicons`` defaults to the shipped lexicons; ``extra_lexicons`` (an organisation's own terms and
    allow lists, as :class:`Lexicon` objects or file paths) are loaded after them and win on conflicts.
    """

    def __init__(
        self,
        lexicons: Iterable[Lexicon] | None = None,
        *,
        extra_lexicons: Iterable[Lexicon | str | Path] = (),
        personal_data: PersonalDataConfig | None = None,
        links: LinkPolicy | None = None,
    ) -> None:
        base = list(load_default_lexicons() if lexicons is None else lexicons)
        extra = [lx if isinstance(lx, Lexicon) else load_lexicon(lx) for lx in extra_lexicons]
        self.lexicons: tuple[Lexicon, ...] = tuple(base + extra)
        self.matcher = Matcher(self.lexicons)
        self.personal_data = PersonalDataDetector(personal_data)
        self.link_policy = links or LinkPolicy()
        self._table = translate_table()

    def check(
        self, text: str, *, check_links: bool = False, allow_private: bool = False, timeout: float = 5.0
    ) -> list[Finding]:
        """All findings in ``text``, ordered by position. ``check_links`` adds real HTTP requests."""
        findings = self.lexicon_findings(text)
        findings.extend(self.personal_data.find(text))
        findings.extend(check_domains(text, self.link_policy))
        if check_links:
            findings.extend(check_broken_links(
                text, timeout=timeout, allow_private=allow_private, policy=self.link_policy
            ))
        if len(findings) > 1:
            findings.sort(key=_position)
        return findings

    def check_many(self, texts: Sequence[str]) -> list[list[Finding]]:
        """:meth:`check` for each text (no HTTP), done in bulk.

        The texts are joined with line breaks, a boundary that no lexicon term, number, e-mail or URL
        crosses, so normalisation, the automaton and the regular expressions each run once over all of
        them; findings are then split back per text with offsets relative to each text.
        """
        if not texts:
            return []
        joined = "\n".join(texts)
        bounds = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1, out=bounds[1:])
        results: list[list[Finding]] = [[] for _ in texts]
        normalized = joined.translate(self._table)
        raw = self.matcher.find_indexes(normalized)
        if raw:
            matches = np.array(raw, dtype=np.int64).reshape(-1, 3)
            offsets = offsets_for(joined, normalized)
            starts = offsets[matches[:, 1]]
            ends = offsets[matches[:, 2] - 1] + 1
            posts = np.searchsorted(bounds, starts, side="right") - 1
            local_starts = starts - bounds[posts]
            local_ends = ends - bounds[posts]
            entries, rule_ids = self.matcher.entries, self.matcher.rule_ids
            for k, post, s, e in zip(matches[:, 0].tolist(), posts.tolist(), local_starts.tolist(),
                                     local_ends.tolist(), strict=True):
                entry = entries[k]
                results[post].append(Finding(rule_ids[k], entry.category, entry.severity, s, e, texts[post][s:e],
                                             entry.normalized, entry.suggestion))
        others = self.personal_data.find(joined)
        others.extend(check_domains(joined, self.link_policy))
        if others:
            positions = bounds.tolist()
            for finding in others:
                post = bisect_right(positions, finding.start) - 1
                base = positions[post]
                if finding.end > positions[post + 1] - 1:
                    continue  # a configurable pattern that ran across two texts
                results[post].append(replace(finding, start=finding.start - base, end=finding.end - base))
        for findings in results:
            if len(findings) > 1:
                findings.sort(key=_position)
        return results

    def lexicon_findings(self, text: str) -> list[Finding]:
        """Lexicon matches only, with offsets into the original text."""
        normalized = text.translate(self._table)
        raw = self.matcher.find_indexes(normalized)
        if not raw:
            return []
        entries, rule_ids = self.matcher.entries, self.matcher.rule_ids
        if len(normalized) == len(text):
            # Nothing was removed: normalised and original offsets are the same (the fast path).
            return [
                Finding(rule_ids[k], entries[k].category, entries[k].severity, s, e, text[s:e],
                        entries[k].normalized, entries[k].suggestion)
                for k, s, e in raw
            ]
        offsets = offsets_for(text).tolist()
        result = []
        for k, s, e in raw:
            entry = entries[k]
            start, stop = offsets[s], offsets[e - 1] + 1
            result.append(Finding(rule_ids[k], entry.category, entry.severity, start, stop, text[start:stop],
                                  entry.normalized, entry.suggestion))
        return result


def _position(f: Finding) -> tuple[int, int]:
    return (-1 if f.start is None else f.start, -1 if f.end is None else f.end)


@lru_cache(maxsize=1)
def default_checker() -> TextChecker:
    """The shared engine with the shipped lexicons, built on first use."""
    return TextChecker()


def check_text(text: str) -> list[Finding]:
    """Check ``text`` with the default engine."""
    return default_checker().check(text)
