"""The TextChecker: lexicons, personal data and links combined into one reusable engine."""

from __future__ import annotations

import gc
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import replace
from functools import lru_cache
from operator import attrgetter
from pathlib import Path

import numpy as np

from .findings import Finding, new_finding
from .lexicon import Lexicon, load_default_lexicons, load_lexicon
from .links import LinkPolicy, check_broken_links, check_domains, may_contain_links
from .matcher import Matcher, char_indexes
from .normalize import code_points, normalize_code_marks, normalize_text, offsets_for, original_indexes
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
            findings = self._check_long(text)  # numpy normalisation beats str.translate on long texts
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
        entries, starts, ends = self._lexicon_matches(codes)
        if len(entries):
            posts = np.searchsorted(bounds, starts, side="right") - 1
            base = bounds[posts]
            reports = self.matcher.reports
            with _collection_paused():
                for k, post, s, e in zip(entries.tolist(), posts.tolist(), (starts - base).tolist(),
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

    def _check_long(self, text: str) -> list[Finding]:
        """:meth:`check` of one long text, done like :meth:`check_many` of its lines (no rule crosses a line
        break), without splitting it: offsets stay those of the text, and only the lines that the numpy
        pass picks are searched for personal data."""
        codes = code_points(text)
        entries, starts, ends = self._lexicon_matches(codes)
        reports = self.matcher.reports
        findings = []
        with _collection_paused():
            for k, s, e in zip(entries.tolist(), starts.tolist(), ends.tolist(), strict=True):
                rule_id, category, severity, term, suggestion = reports[k]
                findings.append(new_finding(rule_id, category, severity, s, e, text[s:e], term, suggestion))
        lexicon_count = len(findings)
        if self.personal_data.custom_patterns:
            findings.extend(self.personal_data.find(text))  # an organisation's pattern may span lines
        else:
            breaks = (codes == 10).nonzero()[0]
            lines = np.empty(len(breaks) + 2, dtype=np.int64)  # line i is text[lines[i]:lines[i + 1] - 1]
            lines[0], lines[-1] = 0, len(text) + 1
            lines[1:-1] = breaks + 1
            for line in self.personal_data.candidates(codes, lines):
                first = int(lines[line])
                for f in self.personal_data.find(text[first:int(lines[line + 1]) - 1]):
                    findings.append(replace(f, start=f.start + first, end=f.end + first))
        findings.extend(check_domains(text, self.link_policy))
        if len(findings) > lexicon_count:
            findings.sort(key=_START_END)  # every finding here has a span, so this is _position's order
        return findings

    def _lexicon_matches(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Entry indexes, starts and ends (original offsets) of the lexicon matches in :func:`code_points`."""
        kept, marks = normalize_code_marks(codes)
        data = kept.tobytes().decode("utf-32-le", "surrogatepass").encode("utf-8")
        raw = self.matcher.find_bytes(data)
        if not raw:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, empty
        matches = np.array(raw, dtype=np.int64).reshape(-1, 3)
        spans = matches[:, 1:].ravel()
        if len(data) != len(kept):  # not all ASCII: byte offsets differ from character offsets
            spans = char_indexes(kept, spans)
        spans = spans.reshape(-1, 2)
        starts = original_indexes(marks, spans[:, 0])
        ends = original_indexes(marks, spans[:, 1] - 1) + 1
        return matches[:, 0], starts, ends

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
        offsets = offsets_for(text, normalized).tolist()
        for k, s, e in raw:
            rule_id, category, severity, term, suggestion = reports[k]
            start, stop = offsets[s], offsets[e - 1] + 1
            result.append(new_finding(rule_id, category, severity, start, stop, text[start:stop], term,
                                      suggestion))
        return result


_START_END = attrgetter("start", "end")


@contextmanager
def _collection_paused():
    """Pause the cyclic garbage collector while building many findings: they hold no cycles, and each
    collection it would start walks every object alive, which cost as much as building them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _position(f: Finding) -> tuple[int, int]:
    return (-1 if f.start is None else f.start, -1 if f.end is None else f.end)


@lru_cache(maxsize=1)
def default_checker() -> TextChecker:
    """The shared engine with the shipped lexicons, built on first use."""
    return TextChecker()


def check_text(text: str) -> list[Finding]:
    """Check ``text`` with the default engine."""
    return default_checker().check(text)
