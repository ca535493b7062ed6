"""Keyword expressions of monitoring schemes: syntax, errors, evasion-resistant matching, SchemeSet."""

from __future__ import annotations

import pytest

from yuqing.detection.expressions import (
    And,
    ExpressionError,
    Not,
    Or,
    SchemeSet,
    Term,
    compile_expression,
    evaluate,
    light_normalize,
    matched_terms,
    render,
)


def light(expression: str):
    return compile_expression(expression, normalize=light_normalize)


def test_canteen_scheme_matches_a_complaint_and_not_an_advert():
    scheme = light("(学校 OR 学院) AND 食堂 AND NOT 广告")
    assert scheme.matches("某中学学校食堂饭菜发霉")
    assert not scheme.matches("学校食堂承包广告")
    assert not scheme.matches("食堂饭菜发霉")


@pytest.mark.parametrize(
    "expression",
    [
        "学校 AND 食堂 AND NOT 广告",
        "学校 and 食堂 and not 广告",
        "学校 & 食堂 & !广告",
        "学校&&食堂&&!广告",
        "学校 + 食堂 + !广告",
        "学校 食堂 !广告",
        "学校 食堂 NOT 广告",
        "学校 ＆ 食堂 ！广告",
    ],
)
def test_every_spelling_of_and_and_not_means_the_same(expression):
    scheme = light(expression)
    assert scheme.matches("学校食堂")
    assert not scheme.matches("学校食堂广告")
    assert not scheme.matches("学校")


@pytest.mark.parametrize("expression", ["霸凌 OR 欺凌", "霸凌 or 欺凌", "霸凌 | 欺凌", "霸凌||欺凌", "霸凌｜欺凌"])
def test_every_spelling_of_or_means_the_same(expression):
    scheme = light(expression)
    assert scheme.matches("校园霸凌") and scheme.matches("被同学欺凌")
    assert not scheme.matches("同学友爱")


def test_not_binds_tighter_than_and_which_binds_tighter_than_or():
    scheme = light("a OR b AND NOT c")
    assert scheme.ast == Or((Term("a", "a", 0), And((Term("b", "b", 5), Not(Term("c", "c", 15))))))
    assert scheme.matches("a c")  # a alone suffices
    assert scheme.matches("b")
    assert not scheme.matches("b c")


def test_parentheses_override_precedence_including_full_width_ones():
    assert not light("(a OR b) AND c").matches("a")
    assert light("a OR b AND c").matches("a")
    assert not light("（a OR b） c").matches("a")


def test_adjacent_terms_are_joined_with_and():
    assert light("食堂 发霉").ast == And((Term("食堂", "食堂", 0), Term("发霉", "发霉", 3)))


@pytest.mark.parametrize("quoted", ['"school bus"', "“school bus”", "「school bus」"])
def test_quoted_phrase_is_one_term_even_with_spaces(quoted):
    scheme = light(quoted)
    assert isinstance(scheme.ast, Term) and scheme.ast.phrase
    assert scheme.matches("the School  Bus crashed")
    assert not scheme.matches("the bus to school")


def test_quoted_keyword_is_searched_as_a_word():
    scheme = light('"not" AND "OR"')
    assert scheme.matches("or not")
    assert not scheme.matches("or")


def test_evasions_with_full_width_case_and_inserted_symbols_still_match():
    scheme = light("食堂 AND 发霉 AND covid")
    assert scheme.matches("食*堂 饭菜 发 霉 ＣＯＶＩＤ")


def test_traditional_characters_match_when_textcheck_normaliser_is_present():
    pytest.importorskip("yuqing.textcheck.normalize", reason="textcheck normaliser not installed")
    scheme = compile_expression("学校 AND 食堂")  # default: the text-check normaliser
    assert scheme.matches("學 校 食 堂")


def test_injected_normaliser_is_used_for_terms_and_texts():
    scheme = compile_expression("ABC", normalize=str.upper)
    assert scheme.ast.normalized == "ABC"
    assert scheme.matches("xabcx")
    assert not compile_expression("ABC", normalize=lambda s: s).matches("xabcx")


def test_normaliser_returning_text_and_offsets_is_accepted():
    scheme = compile_expression("食堂", normalize=lambda s: (s.replace(" ", ""), list(range(len(s)))))
    assert scheme.matches("食 堂")


def test_matched_terms_lists_positive_terms_found_for_highlighting():
    scheme = light("(学校 OR 学院 OR 幼儿园) 食堂 !广告")
    assert matched_terms(scheme, "学校的食堂和学院") == ("学校", "学院", "食堂")
    assert matched_terms(scheme, "学校食堂广告") == ()
    assert scheme.match("学校").terms == ()


def test_evaluate_accepts_a_bare_syntax_tree():
    tree = light("a AND NOT b").ast
    assert evaluate(tree, "A", normalize=light_normalize)
    assert not evaluate(tree, "ab", normalize=light_normalize)
    assert matched_terms(tree, "a", normalize=light_normalize) == ("a",)


@pytest.mark.parametrize(
    ("expression", "position", "reason"),
    [
        ("", 0, "empty expression"),
        ("   ", 0, "empty expression"),
        ("学校 (食堂 OR 宿舍", 3, "unclosed parenthesis opened at 3"),
        ("学校 AND NOT", 7, "NOT needs a term after it"),
        ("学校 AND NOT )", 7, "NOT needs a term after it"),
        ("学校 AND", 3, "AND needs a term after it"),
        ("学校 | | 食堂", 3, "OR needs a term after it"),
        ("OR 食堂", 0, "OR needs a term before it"),
        ("学校 ()", 3, "empty parentheses"),
        ("学校)", 2, "closing parenthesis at 2 has no matching opening parenthesis"),
        ('学校 "食堂', 3, "unclosed quote opened at 3"),
        ("学校 “食堂", 3, "unclosed quote opened at 3"),
        ('学校 ""', 3, "empty quoted phrase"),
        ("学校 AND ※※", 7, "term '※※' has no letters or digits left after normalisation"),
    ],
)
def test_malformed_expression_is_refused_with_position_and_reason(expression, position, reason):
    with pytest.raises(ExpressionError) as caught:
        light(expression)
    assert (caught.value.position, caught.value.reason) == (position, reason)
    assert str(position) in str(caught.value)


def test_absurdly_deep_nesting_is_refused_not_crashing():
    with pytest.raises(ExpressionError, match="nested deeper"):
        light("(" * 500 + "a" + ")" * 500)


def test_render_gives_canonical_text_that_parses_to_the_same_tree():
    scheme = light('学校 & (食堂|宿舍) !"广 告" | "and"')
    text = render(scheme.ast)
    assert text == '学校 AND (食堂 OR 宿舍) AND NOT "广 告" OR "and"'
    again = light(text)
    assert render(again.ast) == text


def test_scheme_set_finds_each_matching_scheme_in_one_pass():
    schemes = SchemeSet(
        {
            "canteen": "食堂 (发霉 OR 变质)",
            "bullying": "霸凌 | 欺凌",
            "no_ads": "NOT 广告",
            "beijing_only": "北京 !北京大学",
        },
        normalize=light_normalize,
    )
    assert schemes.match("北京某校食堂饭菜发霉") == {
        "canteen": ("食堂", "发霉"),
        "no_ads": (),
        "beijing_only": ("北京",),
    }
    # Overlapping terms: "北京" inside "北京大学" is found too.
    assert schemes.present_terms("北京大学广告") == frozenset({"北京", "北京大学", "广告"})
    assert schemes.match("北京大学广告") == {}


def test_scheme_set_add_replace_and_remove():
    schemes: SchemeSet[int] = SchemeSet(normalize=light_normalize)
    schemes.add(1, "食堂")
    assert schemes.match_keys("食堂") == [1]
    schemes.add(1, "宿舍")
    assert schemes.match_keys("食堂") == []
    schemes.add(2, light("食堂"))
    assert schemes.match_keys("食堂宿舍") == [1, 2]
    schemes.remove(1)
    assert 1 not in schemes and len(schemes) == 1
    with pytest.raises(ExpressionError):
        schemes.add(3, "(")


def test_empty_scheme_set_matches_nothing():
    assert SchemeSet(normalize=light_normalize).match("任何文本") == {}
