"""Property test: random expressions, spelled randomly, evaluate like a direct substring reference."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from yuqing.detection.expressions import SchemeSet, compile_expression, light_normalize, render

# Terms and texts use only characters the light normaliser leaves alone, so "occurs" is plain `in`.
TERMS = ["a", "b", "ab", "ba", "学校", "食堂", "校食", "and", "not", "or"]
TEXT_ALPHABET = "ab学校食堂ndortx"


@dataclass(frozen=True)
class RTerm:
    text: str


@dataclass(frozen=True)
class RNot:
    child: object


@dataclass(frozen=True)
class RAnd:
    children: tuple


@dataclass(frozen=True)
class ROr:
    children: tuple


def reference(node, text: str) -> bool:
    """The obvious meaning, independent of the parser."""
    if isinstance(node, RTerm):
        return node.text in text
    if isinstance(node, RNot):
        return not reference(node.child, text)
    if isinstance(node, RAnd):
        return all(reference(c, text) for c in node.children)
    return any(reference(c, text) for c in node.children)


def trees():
    leaves = st.sampled_from(TERMS).map(RTerm)
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            children.map(RNot),
            st.lists(children, min_size=2, max_size=3).map(lambda cs: RAnd(tuple(cs))),
            st.lists(children, min_size=2, max_size=3).map(lambda cs: ROr(tuple(cs))),
        ),
        max_leaves=8,
    )


PRECEDENCE = {ROr: 1, RAnd: 2, RNot: 3, RTerm: 4}


def spell(draw, node, parent_precedence: int = 0) -> str:
    """Render with randomly chosen spellings, spacing and redundant parentheses."""
    if isinstance(node, RTerm):
        if node.text in ("and", "not", "or") or draw(st.booleans()):
            opening, closing = draw(st.sampled_from([('"', '"'), ("“", "”"), ("「", "」")]))
            text = f"{opening}{node.text}{closing}"
        else:
            text = node.text
    elif isinstance(node, RNot):
        operator = draw(st.sampled_from(["NOT ", "not ", "!", "! ", "！"]))
        text = operator + spell(draw, node.child, PRECEDENCE[RNot])
    else:
        is_and = isinstance(node, RAnd)
        parts = [spell(draw, c, PRECEDENCE[type(node)]) for c in node.children]
        text = parts[0]
        for part in parts[1:]:
            if is_and:
                joiner = draw(st.sampled_from([" AND ", " and ", " & ", "&", " && ", " + ", " ", "＆"]))
            else:
                joiner = draw(st.sampled_from([" OR ", " or ", " | ", "|", " || ", "｜"]))
            text = f"{text}{joiner}{part}"
    # Children of the same operator may be parenthesised or not; a looser child must be.
    needs_parens = PRECEDENCE[type(node)] < parent_precedence or (
        PRECEDENCE[type(node)] == parent_precedence and parent_precedence != PRECEDENCE[RNot]
        and draw(st.booleans())
    )
    if needs_parens or draw(st.integers(0, 9)) == 0:
        opening, closing = draw(st.sampled_from([("(", ")"), ("（", "）"), ("( ", " )")]))
        text = f"{opening}{text}{closing}"
    return text


@st.composite
def spelled_expressions(draw):
    tree = draw(trees())
    return tree, spell(draw, tree)


texts = st.text(alphabet=TEXT_ALPHABET, max_size=12)


@settings(max_examples=200, deadline=None)
@given(spelled_expressions(), st.lists(texts, min_size=1, max_size=8))
def test_parsed_expression_evaluates_like_the_reference(case, samples):
    tree, spelled = case
    compiled = compile_expression(spelled, normalize=light_normalize)
    for text in samples:
        assert compiled.matches(text) == reference(tree, text), (spelled, text)


@settings(max_examples=80, deadline=None)
@given(st.lists(spelled_expressions(), min_size=1, max_size=6), st.lists(texts, min_size=1, max_size=6))
def test_scheme_set_agrees_with_evaluating_each_expression(cases, samples):
    schemes = SchemeSet({i: spelled for i, (_tree, spelled) in enumerate(cases)}, normalize=light_normalize)
    for text in samples:
        expected = {i for i, (tree, _spelled) in enumerate(cases) if reference(tree, text)}
        assert set(schemes.match(text)) == expected, text


@settings(max_examples=100, deadline=None)
@given(spelled_expressions(), texts)
def test_canonical_rendering_round_trips(case, text):
    _tree, spelled = case
    compiled = compile_expression(spelled, normalize=light_normalize)
    canonical = render(compiled.ast)
    again = compile_expression(canonical, normalize=light_normalize)
    assert render(again.ast) == canonical
    assert again.matches(text) == compiled.matches(text)
