"""The TextChecker: lexicons, personal data and links combined into one reusable engine."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from .findings import Finding, new_finding
from .lexicon import Lexicon, load_default_lexicons, load_lexicon
from .links import LinkPolicy, check_broken_links, check_domains, may_contain_links
from .matcher import Matcher
from .normalize import code_points, normalize_marks, normalize_text, offsets_for, original_indexes
from .personal_data import PersonalDataConfig, PersonalDataDetector

# From about this length on, one text is checked through the bulk path (numpy normalisation).
BULK_MIN_CHARS = 2000


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

    def check(
        self, text: str, *, check_links: bool = False, allow_private: bool = False, timeout: float = 5.0
    ) -> list[Finding]:
        """All findings in ``text``, ordered by position. ``check_links`` adds real HTTP requests."""
        if len(text) >= BULK_MIN_CHARS:
            findings = self.check_many((text,))[0]  # numpy normalisation beats str.translate on long texts
        else:
            normalized = normalize_text(text)
            raw = self.matcher.find_indexes(normalized)
            findings = self._lexicon_findings(text, normalized, raw) if raw else []
            pii = self.personal_data.find(text)
            if pii:
                findings.extend(pii)
            if may_contain_links(text):
                findings.extend(check_domains(text, self.link_policy))
            if len(findings) > 1:
                findings.sort(key=_position)
        if check_links:
            findings.extend(check_broken_links(
                text, timeout=timeout, allow_private=allow_private, policy=self.link_policy
            ))
            findings.sort(key=_position)
        return findings

    def check_many(self, texts: Sequence[str]) -> list[list[Finding]]:
        """:meth:`check` for each text (no HTTP), done in bulk; the result is the same.

        The texts are joined with line breaks, a boundary that no lexicon term or URL crosses, so
        normalisation (numpy), the automaton and the URL scan each run once over all of them; findings
        are split back per text with offsets relative to each text. Personal data is looked for, text by
        text, only in the texts that a numpy pass finds could hold some (enough digits, '@' or '号').
        """
        if not texts:
            return []
        joined = "\n".join(texts)
        bounds = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1, out=bounds[1:])
        results: list[list[Finding]] = [[] for _ in texts]
        codes = code_points(joined)
        normalized, marks = normalize_marks(codes)
        raw = self.matcher.find_indexes(normalized)
        if raw:
            matches = np.array(raw, dtype=np.int64).reshape(-1, 3)
            starts = original_indexes(marks, matches[:, 1])
            ends = original_indexes(marks, matches[:, 2] - 1) + 1
            posts = np.searchsorted(bounds, starts, side="right") - 1
            base = bounds[posts]
            reports = self.matcher.reports
            for k, post, s, e in zip(matches[:, 0].tolist(), posts.tolist(), (starts - base).tolist(),
                                     (ends - base).tolist(), strict=True):
                rule_id, category, severity, term, suggestion = reports[k]
                results[post].append(new_finding(rule_id, category, severity, s, e, texts[post][s:e], term,
                                                 suggestion))
        # Lexicon findings come out of the automaton in order; only texts that get more need sorting.
        unsorted: set[int] = set()
        find_personal_data = self.personal_data.find
        for post in self.personal_data.candidates(codes, bounds):
            pii = find_personal_data(texts[post])
            if pii:
                results[post].extend(pii)
                unsorted.add(post)
        links = check_domains(joined, self.link_policy)
        if links:
            positions = bounds.tolist()
            for finding in links:
                post = bisect_right(positions, finding.start) - 1
                results[post].append(replace(finding, start=finding.start - positions[post],
                                             end=finding.end - positions[post]))
                unsorted.add(post)
        for post in unsorted:
            results[post].sort(key=_position)
        return results

    def lexicon_findings(self, text: str) -> list[Finding]:
        """Lexicon matches only, with offsets into the original text."""
        normalized = normalize_text(text)
        raw = self.matcher.find_indexes(normalized)
        return self._lexicon_findings(text, normalized, raw) if raw else []

    def _lexicon_findings(self, text: str, normalized: str, raw: list[tuple[int, int, int]]) -> list[Finding]:
        reports = self.matcher.reports
        result = []
        if len(normalized) == len(text):
            # Nothing was removed: normalised and original offsets are the same (the common fast path).
            for k, s, e in raw:
                rule_id, category, severity, term, suggestion = reports[k]
                result.append(new_finding(rule_id, category, severity, s, e, text[s:e], term, suggestion))
            return result
        offsets = offsets_for(text).tolist()
        for k, s, e in raw:
            rule_id, category, severity, term, suggestion = reports[k]
            start, stop = offsets[s], offsets[e - 1] + 1
            result.append(new_finding(rule_id, category, severity, start, stop, text[start:stop], term,
                                      suggestion))
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
