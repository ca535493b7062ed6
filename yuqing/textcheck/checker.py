"""The TextChecker: lexicons, personal data and links combined into one reusable engine."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

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
        """:meth:`check` for each text (no HTTP)."""
        return [self.check(t) for t in texts]

    def lexicon_findings(self, text: str) -> list[Finding]:
        """Lexicon matches only, with offsets into the original text."""
        normalized = text.translate(self._table)
        matches = self.matcher.find(normalized)
        if not matches:
            return []
        if len(normalized) == len(text):
            # Nothing was removed: normalised and original offsets are the same (the common fast path).
            return [
                Finding(f"lexicon.{e.category}", e.category, e.severity, s, end, text[s:end], e.normalized,
                        e.suggestion)
                for s, end, e in matches
            ]
        offsets = offsets_for(text).tolist()
        result = []
        for s, end, e in matches:
            start, stop = offsets[s], offsets[end - 1] + 1
            result.append(
                Finding(f"lexicon.{e.category}", e.category, e.severity, start, stop, text[start:stop],
                        e.normalized, e.suggestion)
            )
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
