"""Documents and queries of the search index, pure: the scheme language mapped onto character bigrams.

A document is the sequence of overlapping character bigrams of the item's normalised text (the same
normalisation schemes match on), one position each; a run ends at a sentence end or line break, and its last
character is kept as a unigram so that one-character terms are found by prefix. A term of the scheme language
is then the *phrase* of its bigrams — consecutive positions — which holds exactly when the term occurs in the
text as a substring, as a scheme's term matches. So AND / OR / NOT / "phrases" mean in the index what they mean
in a scheme (jieba words would miss a term cut across word boundaries, which bigram phrases never do).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from yuqing.detection.expressions import And, Node, Not, Or, Term, compile_expression, resolve_normalizer

# PostgreSQL keeps positions up to 16383; the rest of a very long article is not indexed.
MAX_POSITIONS = 16_000
_BOUNDARY = re.compile(r"[。！？.!?\n\r]+")


def runs(normalized: str) -> list[str]:
    return [r for r in _BOUNDARY.split(normalized) if r]


def document_tokens(text: str) -> list[tuple[str, int]]:
    """(token, position) pairs of a text, positions from 1; a gap between runs keeps phrases inside a run."""
    normalize = resolve_normalizer()
    out: list[tuple[str, int]] = []
    position = 0
    for run in runs(normalize(text)):
        for i in range(len(run) - 1):
            position += 1
            out.append((run[i : i + 2], position))
        position += 1
        out.append((run[-1], position))
        position += 1  # the gap
        if position >= MAX_POSITIONS:
            break
    return [(t, p) for t, p in out if p < MAX_POSITIONS]


def tsvector_text(text: str) -> str:
    """The document as PostgreSQL tsvector input ('学校':1 '校食':2 …); lexemes are never re-parsed."""
    positions: dict[str, list[int]] = {}
    for token, position in document_tokens(text):
        positions.setdefault(token, []).append(position)
    return " ".join(f"'{_quote(t)}':{','.join(map(str, p))}" for t, p in positions.items())


def fts5_text(text: str) -> str:
    """The document as FTS5 column text: tokens in order, separated by spaces (unicode61 splits on them)."""
    return " ".join(token for token, _position in document_tokens(text))


def _quote(token: str) -> str:
    return token.replace("'", "''").replace("\\", "\\\\")


# ---------------------------------------------------------------------------------------------- queries


@dataclass(frozen=True)
class Phrase:
    """A term as index tokens: consecutive bigrams, or one character found by prefix."""

    tokens: tuple[str, ...]
    prefix: bool = False


QNode = Phrase | And | Or | Not


def _term(term: Term) -> QNode:
    parts = []
    for run in runs(term.normalized):
        if len(run) == 1:
            parts.append(Phrase((run,), prefix=True))
        else:
            parts.append(Phrase(tuple(run[i : i + 2] for i in range(len(run) - 1))))
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def plan(expression: str | Node) -> QNode:
    """The index query of a scheme expression (raises ExpressionError for a malformed one)."""
    node = compile_expression(expression).ast if isinstance(expression, str) else expression
    return _plan(node)


def _plan(node: Node) -> QNode:
    if isinstance(node, Term):
        return _term(node)
    if isinstance(node, Not):
        return Not(_plan(node.child))
    return type(node)(tuple(_plan(c) for c in node.children))


def to_tsquery(node: QNode) -> str:
    """PostgreSQL tsquery text: <-> for phrases, :* for prefixes, & | ! for the operators."""
    if isinstance(node, Phrase):
        if node.prefix:
            return f"'{_quote(node.tokens[0])}':*"
        inner = " <-> ".join(f"'{_quote(t)}'" for t in node.tokens)
        return f"({inner})" if len(node.tokens) > 1 else inner
    if isinstance(node, Not):
        return f"!({to_tsquery(node.child)})"
    joiner = " & " if isinstance(node, And) else " | "
    return "(" + joiner.join(to_tsquery(c) for c in node.children) + ")"


def negation_free(node: QNode) -> bool:
    if isinstance(node, Phrase):
        return True
    if isinstance(node, Not):
        return False
    return all(negation_free(c) for c in node.children)


def to_fts5(node: QNode) -> str:
    """FTS5 MATCH text of a negation-free query: "a b" phrases, a* prefixes, AND / OR."""
    if isinstance(node, Phrase):
        if node.prefix:
            return f'"{node.tokens[0]}"*'
        return '"' + " ".join(node.tokens) + '"'
    if isinstance(node, Not):
        raise ValueError("FTS5 has no unary NOT; use sqlite_condition")
    joiner = " AND " if isinstance(node, And) else " OR "
    return "(" + joiner.join(to_fts5(c) for c in node.children) + ")"
