"""Lexicon files: parsing, validation and the lexicons shipped with the package.

File format (UTF-8, one entry per line, see docs/textcheck.md)::

    # comment
    @category: wrong_word        directives apply to the lines after them
    @severity: warn              block | warn | info (default: the category's default)
    @kind: deny                  deny (flag these terms, default) | allow (never flag inside these)
    按装 => 安装                 term, optionally "=>" and a suggestion
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .findings import DEFAULT_SEVERITY, Category, Severity
from .normalize import normalize_text

KIND_DENY = "deny"
KIND_ALLOW = "allow"
_KINDS = (KIND_DENY, KIND_ALLOW)
_DIRECTIVES = ("category", "severity", "kind")
_CATEGORY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_DIRECTIVE_RE = re.compile(r"^@\s*([A-Za-z_]+)\s*:\s*(.*?)\s*$")


class LexiconError(ValueError):
    """A lexicon file is malformed; the message names the file and the line."""

    def __init__(self, source: str, line: int, message: str) -> None:
        super().__init__(f"{source}:{line}: {message}")
        self.source = source
        self.line = line
        self.reason = message


@dataclass(frozen=True, slots=True)
class Entry:
    """One term of a lexicon with what to report when it is found."""

    term: str
    normalized: str
    category: str
    severity: str
    suggestion: str
    kind: str
    source: str
    line: int


@dataclass(frozen=True)
class Lexicon:
    """The entries read from one file (deny and allow entries may be mixed)."""

    source: str
    entries: tuple[Entry, ...] = field(default_factory=tuple)

    @property
    def deny(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.kind == KIND_DENY)

    @property
    def allow(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.kind == KIND_ALLOW)


def _default_severity(category: str) -> str:
    try:
        return DEFAULT_SEVERITY[Category(category)].value
    except ValueError:
        return Severity.WARN.value  # an organisation's own category


def parse_lexicon(text: str, source: str = "<string>") -> Lexicon:
    """Parse lexicon text; raise :class:`LexiconError` naming ``source`` and the line on any problem."""
    category: str | None = None
    severity: str | None = None
    kind = KIND_DENY
    entries: list[Entry] = []
    seen: dict[tuple[str, str], int] = {}
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            m = _DIRECTIVE_RE.match(line)
            if not m:
                raise LexiconError(source, lineno, f"malformed directive {line!r}; expected '@name: value'")
            key, value = m.group(1).lower(), m.group(2)
            if key not in _DIRECTIVES:
                raise LexiconError(source, lineno, f"unknown directive @{key}; known: {', '.join(_DIRECTIVES)}")
            if key == "category":
                if not _CATEGORY_RE.match(value):
                    raise LexiconError(source, lineno, f"invalid category {value!r}; use lower-case a-z, 0-9, _")
                category, severity = value, None
            elif key == "severity":
                if value not in {s.value for s in Severity}:
                    raise LexiconError(source, lineno, f"invalid severity {value!r}; use block, warn or info")
                severity = value
            else:
                if value not in _KINDS:
                    raise LexiconError(source, lineno, f"invalid kind {value!r}; use deny or allow")
                kind = value
            continue
        term, sep, suggestion = (part.strip() for part in line.partition("=>"))
        if sep and not suggestion:
            raise LexiconError(source, lineno, "'=>' must be followed by a suggestion")
        if "=>" in suggestion:
            raise LexiconError(source, lineno, "more than one '=>' on a line")
        if not term:
            raise LexiconError(source, lineno, "missing term before '=>'")
        normalized = normalize_text(term)
        if not normalized:
            raise LexiconError(source, lineno, f"term {term!r} has no letters or digits after normalisation")
        if kind == KIND_DENY and category is None:
            raise LexiconError(source, lineno, "term before any '@category:' directive")
        key = (kind, normalized)
        if key in seen:
            raise LexiconError(source, lineno, f"duplicate term {term!r} (first on line {seen[key]})")
        seen[key] = lineno
        cat = category or ""
        entries.append(
            Entry(
                term=term,
                normalized=normalized,
                category=cat,
                severity=severity or (_default_severity(cat) if cat else Severity.INFO.value),
                suggestion=suggestion,
                kind=kind,
                source=source,
                line=lineno,
            )
        )
    return Lexicon(source=source, entries=tuple(entries))


def load_lexicon(path: str | Path) -> Lexicon:
    """Read and parse a lexicon file (UTF-8, optional BOM)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LexiconError(str(path), 0, f"cannot read lexicon: {exc.strerror or exc}") from exc
    for lineno, raw in enumerate(data.split(b"\n"), start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise LexiconError(str(path), lineno, f"not valid UTF-8 ({exc.reason})") from exc
    return parse_lexicon(data.decode("utf-8-sig"), str(path))


@lru_cache(maxsize=1)
def load_default_lexicons() -> tuple[Lexicon, ...]:
    """The lexicons shipped in ``yuqing/textcheck/lexicons/``, in file-name order."""
    folder = resources.files("yuqing.textcheck") / "lexicons"
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".txt")), key=lambda f: f.name)
    return tuple(parse_lexicon(f.read_text("utf-8-sig"), f"lexicons/{f.name}") for f in files)
