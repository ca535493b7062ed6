"""Keyword expressions of monitoring schemes (监测方案): parse, evaluate, and match many at once."""

from __future__ import annotations

import importlib
import re
import threading
import unicodedata
from collections.abc import Callable, Container, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import ModuleType
from typing import Any, Generic, TypeVar

import ahocorasick_rs

__all__ = [
    "And",
    "CompiledExpression",
    "ExpressionError",
    "MatchResult",
    "Node",
    "Not",
    "Or",
    "SchemeSet",
    "Term",
    "compile_expression",
    "evaluate",
    "light_normalize",
    "matched_terms",
    "render",
    "resolve_normalizer",
]

Normalizer = Callable[[str], str]

# Deep nesting is never meaningful in a keyword expression and would only exhaust the recursion limit.
MAX_DEPTH = 64
MAX_LENGTH = 10_000


class ExpressionError(ValueError):
    """A malformed expression: `position` is the 0-based character index, `reason` says what is wrong."""

    def __init__(self, position: int, reason: str) -> None:
        super().__init__(f"{reason} (at character {position})")
        self.position = position
        self.reason = reason


# ---------------------------------------------------------------------------------------------- normalising

_NOT_WORD = re.compile(r"[\W_]+")


def light_normalize(text: str) -> str:
    """NFKC (full-width → half-width), case-fold, and drop everything but letters and digits."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


def _textcheck_normalize() -> Callable[[str], Any] | None:
    """The text-check normaliser if that package is importable, so schemes resist the same evasions."""
    for module_name in ("yuqing.textcheck.normalize", "yuqing.textcheck"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        # `normalize_text` skips building the offset map, which matching does not need.
        for name in ("normalize_text", "normalize", "normalise"):
            candidate = getattr(module, name, None)
            if callable(candidate) and not isinstance(candidate, ModuleType):
                return candidate
    return None


def _text_only(function: Callable[[str], Any]) -> Normalizer:
    """Adapt a normaliser that may return `str`, `(str, offsets)` or an object with `.text`."""

    def normalize(text: str) -> str:
        result = function(text)
        if isinstance(result, str):
            return result
        if isinstance(result, tuple | list) and result and isinstance(result[0], str):
            return result[0]
        text_attribute = getattr(result, "text", None)
        if isinstance(text_attribute, str):
            return text_attribute
        raise TypeError(f"normaliser returned {type(result).__name__}, expected str or (str, offsets)")

    normalize.__wrapped__ = function  # type: ignore[attr-defined]
    return normalize


def resolve_normalizer(normalize: Callable[[str], Any] | None = None) -> Normalizer:
    """The given normaliser, else `yuqing.textcheck`'s if importable now, else `light_normalize`."""
    if normalize is None:
        normalize = _textcheck_normalize() or light_normalize
    if normalize is light_normalize:
        return light_normalize
    return _text_only(normalize)


# ---------------------------------------------------------------------------------------------- syntax tree


@dataclass(frozen=True)
class Term:
    """A keyword or quoted phrase; `normalized` is what is searched for in normalised text."""

    text: str
    normalized: str
    position: int
    phrase: bool = False


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Term | Not | And | Or


# ---------------------------------------------------------------------------------------------- lexing


class _Kind(StrEnum):
    TERM = "term"
    AND = "AND"
    OR = "OR"
    NOT = "NOT"
    LPAREN = "("
    RPAREN = ")"


@dataclass(frozen=True)
class _Token:
    kind: _Kind
    position: int
    text: str = ""
    phrase: bool = False


# Chinese input methods produce full-width operators; accept them exactly like the ASCII ones.
_OPERATOR_CHARS = {
    "(": _Kind.LPAREN,
    "（": _Kind.LPAREN,
    ")": _Kind.RPAREN,
    "）": _Kind.RPAREN,
    "&": _Kind.AND,
    "＆": _Kind.AND,
    "+": _Kind.AND,
    "＋": _Kind.AND,
    "|": _Kind.OR,
    "｜": _Kind.OR,
    "!": _Kind.NOT,
    "！": _Kind.NOT,
}
_QUOTES = {
    '"': '"”',
    "＂": '＂"”',
    "“": '”"',
    "「": "」",
    "『": "』",
}
_KEYWORDS = {"and": _Kind.AND, "or": _Kind.OR, "not": _Kind.NOT}


def _tokenize(expression: str) -> Iterator[_Token]:
    index = 0
    length = len(expression)
    while index < length:
        char = expression[index]
        if char.isspace():
            index += 1
            continue
        kind = _OPERATOR_CHARS.get(char)
        if kind is not None:
            yield _Token(kind, index, char)
            # `&&` and `||` are common habits from programming; treat the doubled form as one operator.
            if kind in (_Kind.AND, _Kind.OR) and index + 1 < length and expression[index + 1] == char:
                index += 1
            index += 1
            continue
        closers = _QUOTES.get(char)
        if closers is not None:
            end = index + 1
            while end < length and expression[end] not in closers:
                end += 1
            if end >= length:
                raise ExpressionError(index, f"unclosed quote opened at {index}")
            content = expression[index + 1 : end]
            if not content.strip():
                raise ExpressionError(index, "empty quoted phrase")
            yield _Token(_Kind.TERM, index, content, phrase=True)
            index = end + 1
            continue
        end = index
        while (
            end < length
            and not expression[end].isspace()
            and expression[end] not in _OPERATOR_CHARS
            and expression[end] not in _QUOTES
        ):
            end += 1
        word = expression[index:end]
        keyword = _KEYWORDS.get(word.casefold())
        yield _Token(keyword or _Kind.TERM, index, word)
        index = end


# ---------------------------------------------------------------------------------------------- parsing


class _Parser:
    def __init__(self, expression: str, normalize: Normalizer) -> None:
        self.expression = expression
        self.normalize = normalize
        self.tokens = list(_tokenize(expression))
        self.index = 0
        self.open_parens: list[int] = []

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise ExpressionError(0, "empty expression")
        node = self.parse_or()
        token = self.peek()
        if token is not None:  # only an unmatched ")" can stop parse_or early
            raise ExpressionError(
                token.position,
                f"closing parenthesis at {token.position} has no matching opening parenthesis",
            )
        return node

    def _needs_operand_after(self, operator: _Token) -> None:
        following = self.peek()
        if following is None or following.kind in (_Kind.AND, _Kind.OR, _Kind.RPAREN):
            raise ExpressionError(operator.position, f"{operator.kind.value} needs a term after it")

    def parse_or(self) -> Node:
        children = [self.parse_and()]
        while (token := self.peek()) is not None and token.kind is _Kind.OR:
            self.advance()
            self._needs_operand_after(token)
            children.append(self.parse_and())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def parse_and(self) -> Node:
        children = [self.parse_not()]
        while (token := self.peek()) is not None:
            if token.kind is _Kind.AND:
                self.advance()
                self._needs_operand_after(token)
            elif token.kind not in (_Kind.TERM, _Kind.NOT, _Kind.LPAREN):
                break
            # Adjacent terms without an operator are joined with AND, like a search engine box.
            children.append(self.parse_not())
        return children[0] if len(children) == 1 else And(tuple(children))

    def parse_not(self) -> Node:
        negations = 0
        while (token := self.peek()) is not None and token.kind is _Kind.NOT:
            self.advance()
            self._needs_operand_after(token)
            negations += 1
        node = self.parse_primary()
        for _ in range(negations):
            node = Not(node)
        return node

    def parse_primary(self) -> Node:
        token = self.peek()
        if token is None:  # defensive: operators check for a following operand first
            raise ExpressionError(len(self.expression), "expression ends where a term was expected")
        if token.kind is _Kind.TERM:
            self.advance()
            return self.make_term(token)
        if token.kind is _Kind.LPAREN:
            self.advance()
            following = self.peek()
            if following is None:
                raise ExpressionError(token.position, f"unclosed parenthesis opened at {token.position}")
            if following.kind is _Kind.RPAREN:
                raise ExpressionError(token.position, "empty parentheses")
            if len(self.open_parens) >= MAX_DEPTH:
                raise ExpressionError(token.position, f"parentheses nested deeper than {MAX_DEPTH}")
            self.open_parens.append(token.position)
            node = self.parse_or()
            self.open_parens.pop()
            closing = self.peek()
            if closing is None:
                raise ExpressionError(token.position, f"unclosed parenthesis opened at {token.position}")
            self.advance()
            return node
        if token.kind in (_Kind.AND, _Kind.OR):
            raise ExpressionError(token.position, f"{token.kind.value} needs a term before it")
        raise ExpressionError(
            token.position, f"closing parenthesis at {token.position} has no matching opening parenthesis"
        )

    def make_term(self, token: _Token) -> Term:
        normalized = self.normalize(token.text)
        if not any(char.isalnum() for char in normalized):
            # An empty pattern would match every text; refuse it rather than alert on everything.
            raise ExpressionError(
                token.position, f"term {token.text!r} has no letters or digits left after normalisation"
            )
        return Term(token.text, normalized, token.position, token.phrase)


# ---------------------------------------------------------------------------------------------- evaluation


def _evaluate(node: Node, has: Callable[[Term], bool]) -> bool:
    if isinstance(node, Term):
        return has(node)
    if isinstance(node, Not):
        return not _evaluate(node.child, has)
    if isinstance(node, And):
        return all(_evaluate(child, has) for child in node.children)
    return any(_evaluate(child, has) for child in node.children)


def _python_source(node: Node) -> str:
    if isinstance(node, Term):
        return f"({node.normalized!r} in found)"
    if isinstance(node, Not):
        return f"(not {_python_source(node.child)})"
    joiner = " and " if isinstance(node, And) else " or "
    return "(" + joiner.join(_python_source(child) for child in node.children) + ")"


def _predicate(node: Node) -> Callable[[Container[str]], bool]:
    """The tree as one Python function of `found` (a set of present terms, or the normalised text itself).

    Walking the tree costs tens of microseconds per scheme and text; the generated function a few hundred
    nanoseconds. Terms enter the source only through `repr()`, so no text can inject code.
    """
    return eval(compile(f"lambda found: {_python_source(node)}", "<scheme expression>", "eval"))  # noqa: S307


def _walk_terms(node: Node, negated: bool = False) -> Iterator[tuple[Term, bool]]:
    if isinstance(node, Term):
        yield node, negated
    elif isinstance(node, Not):
        yield from _walk_terms(node.child, not negated)
    else:
        for child in node.children:
            yield from _walk_terms(child, negated)


def _unique_terms(node: Node, *, positive_only: bool) -> tuple[Term, ...]:
    seen: dict[str, Term] = {}
    for term, negated in _walk_terms(node):
        if positive_only and negated:
            continue
        seen.setdefault(term.normalized, term)
    return tuple(seen.values())


@dataclass(frozen=True)
class MatchResult:
    """Whether an expression matched, and which of its (non-negated) terms occur in the text."""

    matched: bool
    terms: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.matched


@dataclass(frozen=True)
class CompiledExpression:
    """A parsed expression bound to the normaliser used for its terms and for texts."""

    source: str
    ast: Node
    normalize: Normalizer = field(repr=False, compare=False)
    terms: tuple[Term, ...] = field(default=(), compare=False)
    positive_terms: tuple[Term, ...] = field(default=(), compare=False)
    predicate: Callable[[Container[str]], bool] = field(default=None, repr=False, compare=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.predicate is None:
            object.__setattr__(self, "predicate", _predicate(self.ast))

    def evaluate_present(self, present: Iterable[str] | set[str] | frozenset[str]) -> bool:
        """Evaluate against the set of normalised terms known to occur in a text."""
        found = present if isinstance(present, set | frozenset) else set(present)
        return self.predicate(found)

    def matches(self, text: str) -> bool:
        # Substring test on the normalised text: `"食堂" in normalized`.
        return self.predicate(self.normalize(text))

    def match(self, text: str) -> MatchResult:
        normalized = self.normalize(text)
        present = {term.normalized for term in self.terms if term.normalized in normalized}
        return self._result(present)

    def _result(self, present: set[str] | frozenset[str]) -> MatchResult:
        if not self.predicate(present):
            return MatchResult(False)
        return MatchResult(True, tuple(t.text for t in self.positive_terms if t.normalized in present))

    @property
    def matches_without_terms(self) -> bool:
        """True for expressions such as `NOT 广告` that match a text containing none of their terms."""
        return self.evaluate_present(frozenset())

    def render(self) -> str:
        return render(self.ast)


def compile_expression(expression: str, normalize: Callable[[str], Any] | None = None) -> CompiledExpression:
    """Parse `expression`; raise `ExpressionError(position, reason)` when it is malformed."""
    if len(expression) > MAX_LENGTH:
        raise ExpressionError(MAX_LENGTH, f"expression longer than {MAX_LENGTH} characters")
    normalizer = resolve_normalizer(normalize)
    ast = _Parser(expression, normalizer).parse()
    return CompiledExpression(
        source=expression,
        ast=ast,
        normalize=normalizer,
        terms=_unique_terms(ast, positive_only=False),
        positive_terms=_unique_terms(ast, positive_only=True),
    )


def evaluate(expression: CompiledExpression | Node, text: str, *, normalize: Normalizer | None = None) -> bool:
    """Does `text` match? A bare AST is evaluated with `normalize` (default: as `compile_expression`)."""
    if isinstance(expression, CompiledExpression):
        return expression.matches(text)
    normalized = resolve_normalizer(normalize)(text)
    return _evaluate(expression, lambda term: term.normalized in normalized)


def matched_terms(
    expression: CompiledExpression | Node, text: str, *, normalize: Normalizer | None = None
) -> tuple[str, ...]:
    """The non-negated terms found in `text` (for highlighting), or () when the expression does not match."""
    if isinstance(expression, CompiledExpression):
        return expression.match(text).terms
    normalized = resolve_normalizer(normalize)(text)
    if not _evaluate(expression, lambda term: term.normalized in normalized):
        return ()
    return tuple(t.text for t in _unique_terms(expression, positive_only=True) if t.normalized in normalized)


# ---------------------------------------------------------------------------------------------- rendering

_NEEDS_QUOTES = re.compile(r"[\s()（）&＆+＋|｜!！\"＂“”「」『』]")


def _render_term(term: Term) -> str:
    text = term.text
    if term.phrase or _NEEDS_QUOTES.search(text) or text.casefold() in _KEYWORDS:
        return f"“{text}”" if '"' in text else f'"{text}"'
    return text


def render(node: Node) -> str:
    """Canonical text of an AST (`AND`/`OR`/`NOT`, minimal parentheses); parses back to the same tree."""
    if isinstance(node, Term):
        return _render_term(node)
    if isinstance(node, Not):
        inner = render(node.child)
        return f"NOT ({inner})" if isinstance(node.child, And | Or) else f"NOT {inner}"
    if isinstance(node, And):
        return " AND ".join(f"({render(c)})" if isinstance(c, Or | And) else render(c) for c in node.children)
    return " OR ".join(f"({render(c)})" if isinstance(c, Or) else render(c) for c in node.children)


# ---------------------------------------------------------------------------------------------- many schemes

K = TypeVar("K", bound=Hashable)


class SchemeSet(Generic[K]):
    """Many compiled expressions matched in one Aho-Corasick pass over each (normalised) text."""

    def __init__(
        self,
        expressions: Mapping[K, str | CompiledExpression] | None = None,
        *,
        normalize: Callable[[str], Any] | None = None,
    ) -> None:
        self._normalize = resolve_normalizer(normalize)
        self._expressions: dict[K, CompiledExpression] = {}
        self._lock = threading.Lock()
        self._index: _Index[K] | None = None
        for key, expression in (expressions or {}).items():
            self.add(key, expression)

    @property
    def normalize(self) -> Normalizer:
        return self._normalize

    def add(self, key: K, expression: str | CompiledExpression) -> CompiledExpression:
        """Add or replace the expression of `key`; raises `ExpressionError` if it is malformed."""
        source = expression.source if isinstance(expression, CompiledExpression) else expression
        # One normaliser for all terms and texts, otherwise a term could never equal what the text became.
        compiled = compile_expression(source, normalize=self._normalize)
        with self._lock:
            self._expressions[key] = compiled
            self._index = None
        return compiled

    def remove(self, key: K) -> None:
        with self._lock:
            del self._expressions[key]
            self._index = None

    def __len__(self) -> int:
        return len(self._expressions)

    def __contains__(self, key: object) -> bool:
        return key in self._expressions

    def __getitem__(self, key: K) -> CompiledExpression:
        return self._expressions[key]

    def _current_index(self) -> _Index[K]:
        with self._lock:
            if self._index is None:
                self._index = _Index(dict(self._expressions))
            return self._index

    def present_terms(self, text: str) -> frozenset[str]:
        """Normalised terms of any expression that occur in `text`."""
        return self._current_index().present(self._normalize(text))

    def match(self, text: str) -> dict[K, tuple[str, ...]]:
        """Keys of the expressions that match `text`, each with its matched terms, in insertion order."""
        index = self._current_index()
        present = index.present(self._normalize(text))
        candidates = set(index.always)
        for term in present:
            candidates.update(index.by_term[term])
        result: dict[K, tuple[str, ...]] = {}
        expressions = index.expressions
        for key in sorted(candidates, key=index.order.__getitem__):
            compiled = expressions[key]
            if compiled.predicate(present):
                result[key] = tuple(t.text for t in compiled.positive_terms if t.normalized in present)
        return result

    def match_keys(self, text: str) -> list[K]:
        return list(self.match(text))


class _Index(Generic[K]):
    """An immutable snapshot: the automaton and which expressions each term can make true."""

    def __init__(self, expressions: dict[K, CompiledExpression]) -> None:
        self.expressions = expressions
        self.order = {key: position for position, key in enumerate(expressions)}
        self.by_term: dict[str, list[K]] = {}
        self.always: list[K] = []
        for key, compiled in expressions.items():
            if compiled.matches_without_terms:
                self.always.append(key)
            for term in compiled.terms:
                self.by_term.setdefault(term.normalized, []).append(key)
        self.patterns = list(self.by_term)
        self.automaton = (
            ahocorasick_rs.AhoCorasick(self.patterns, matchkind=ahocorasick_rs.MatchKind.Standard)
            if self.patterns
            else None
        )

    def present(self, normalized_text: str) -> frozenset[str]:
        if self.automaton is None or not normalized_text:
            return frozenset()
        # Overlapping search: "北京" and "北京大学" must both be reported when the text has "北京大学".
        matches = self.automaton.find_matches_as_indexes(normalized_text, overlapping=True)
        return frozenset(self.patterns[pattern] for pattern, _start, _end in matches)
