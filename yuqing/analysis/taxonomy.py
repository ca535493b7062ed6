"""Categories of concern (food safety, bullying, fees, …) found by Aho-Corasick matching of a shipped taxonomy."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import ahocorasick

TAXONOMY_FILE = Path(__file__).resolve().parent / "taxonomy.json"

_NON_WORD = re.compile(r"[^\w]|_")


def _fallback_normalise(text: str) -> str:
    from yuqing.analysis.normalise import normalise

    return _NON_WORD.sub("", unicodedata.normalize("NFKC", normalise(text)))


@lru_cache(maxsize=1)
def _normaliser():
    """The text-check normaliser when available, so spaced-out or traditional spellings still match."""
    try:
        from yuqing.textcheck.normalize import normalize_text
    except ImportError:  # the text-check package is optional for this library
        return _fallback_normalise
    return normalize_text


def match_form(text: str) -> str:
    """Text as the matcher sees it (shared with taxonomy terms so both sides agree)."""
    return _normaliser()(text)


@dataclass(frozen=True)
class Category:
    """One category of concern with its hand-checked terms."""

    code: str
    name: str
    name_en: str
    terms: tuple[str, ...]


@dataclass
class CategoryMatch:
    """Category codes in taxonomy order with the terms that triggered each."""

    categories: list[str] = field(default_factory=list)
    matched_terms: dict[str, list[str]] = field(default_factory=dict)


class TaxonomyError(ValueError):
    """The taxonomy file is malformed."""


class Taxonomy:
    """Matches texts against all categories at once with a single automaton."""

    def __init__(self, categories: Iterable[Category]):
        self.categories = list(categories)
        self._order = {c.code: i for i, c in enumerate(self.categories)}
        self._automaton = ahocorasick.Automaton()
        entries: dict[str, list[tuple[str, str]]] = {}
        for category in self.categories:
            for term in category.terms:
                key = match_form(term)
                if not key:
                    raise TaxonomyError(f"term {term!r} of {category.code} is empty after normalisation")
                entries.setdefault(key, []).append((category.code, term))
        for key, hits in entries.items():
            self._automaton.add_word(key, tuple(hits))
        if entries:
            self._automaton.make_automaton()
        self._empty = not entries

    @classmethod
    def from_file(cls, path: str | Path) -> Taxonomy:
        """Read a taxonomy JSON file (``{"categories": [{"code", "name", "name_en", "terms"}]}``)."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            categories = [
                Category(
                    code=str(item["code"]),
                    name=str(item["name"]),
                    name_en=str(item.get("name_en", item["code"])),
                    terms=tuple(str(t) for t in item["terms"]),
                )
                for item in data["categories"]
            ]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise TaxonomyError(f"{path}: {exc}") from exc
        codes = [c.code for c in categories]
        if len(set(codes)) != len(codes):
            raise TaxonomyError(f"{path}: duplicate category codes")
        return cls(categories)

    def match(self, text: str) -> CategoryMatch:
        """Categories whose terms occur in the text (after normalisation)."""
        found: dict[str, set[str]] = {}
        if not self._empty and text:
            for _end, hits in self._automaton.iter(match_form(text)):
                for code, term in hits:
                    found.setdefault(code, set()).add(term)
        codes = sorted(found, key=self._order.__getitem__)
        return CategoryMatch(categories=codes, matched_terms={c: sorted(found[c]) for c in codes})

    def name_of(self, code: str) -> str:
        """Chinese display name of a category code."""
        return self.categories[self._order[code]].name


@lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    """The shipped taxonomy, built once per process."""
    return Taxonomy.from_file(TAXONOMY_FILE)
