"""Separators inserted between Chinese characters do not hide a lexicon term; offsets stay exact (issue 16)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yuqing.textcheck import TextChecker, default_checker, normalize, normalize_text, parse_lexicon
from yuqing.textcheck.normalize import code_points, normalize_bulk, normalize_marks, original_indexes

EVASIONS = [
    # (text, matched span, normalised term)
    ("冰.毒", "冰.毒", "冰毒"),
    ("买冰．毒", "冰．毒", "冰毒"),            # full-width full stop
    ("冰...毒", "冰...毒", "冰毒"),
    ("冰 . . 毒", "冰 . . 毒", "冰毒"),
    ("赌-博", "赌-博", "赌博"),
    ("他说赌--__博不好", "赌--__博", "赌博"),
    ("色·情", "色·情", "色情"),
    ("色\u200b情", "色\u200b情", "色情"),       # zero-width space
    ("色／情", "色／情", "色情"),              # full-width solidus
    ("色|情、赌\\博", "色|情", "色情"),
    ("网，上，赌，场", "网，上，赌，场", "网上赌场"),
    ("网.上_赌·场", "网.上_赌·场", "网上赌场"),
    ("ＤＵ冰-.-毒", "冰-.-毒", "冰毒"),
]


@pytest.mark.parametrize(("text", "matched", "term"), EVASIONS)
def test_separators_between_chinese_characters_are_ignored_with_exact_offsets(text, matched, term):
    checker = default_checker()
    for findings in (checker.check(text), checker.check_many([text])[0], checker.check(text + "。" * 2000)):
        lexicon = [f for f in findings if f.rule_id.startswith("lexicon.")]
        assert lexicon, text
        first = lexicon[0]
        assert (first.matched, first.normalized) == (matched, term)
        assert text[first.start:first.end] == matched
        assert first.start == text.index(matched)


ONLY_BINGDU = TextChecker(lexicons=[parse_lexicon("@category: drugs\n冰毒\n", "test")])


@pytest.mark.parametrize("text", [
    "我吃了冰。毒品危害大",     # a real sentence boundary: Chinese puts no space after 。
    "我吃了冰！毒品危害大",
    "我吃了冰?毒品危害大",
    "我吃了冰。 毒品危害大",
    "我吃了冰\n毒品危害大",     # a line break
    "我吃了冰.\n毒品危害大",
])
def test_no_match_across_a_sentence_boundary(text):
    assert ONLY_BINGDU.check(text) == []
    assert ONLY_BINGDU.check_many([text]) == [[]]
    assert ONLY_BINGDU.check(text * 200) == []  # the long-text (numpy) path


def test_full_stops_in_numbers_domains_and_latin_text_stay():
    assert normalize_text("圆周率3.14") == "圆周率3.14"
    assert normalize_text("见www.moe.gov.cn的通知") == "见www.moe.gov.cn的通知"
    assert normalize_text("e.g.冰") == "e.g.冰"
    assert normalize_text("结束了.") == "结束了."
    assert normalize_text("冰.毒.品") == "冰毒品"


def test_lexicon_terms_written_with_a_separator_are_the_same_entry():
    checker = TextChecker(lexicons=[parse_lexicon("@category: drugs\n冰.毒\n", "test")])
    (finding,) = checker.check("有人卖冰毒")
    assert (finding.start, finding.end, finding.normalized) == (3, 5, "冰毒")


ALPHABET = "冰毒赌博a1.．。!· -_\u200b\n賭"


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet=ALPHABET, max_size=30))
def test_every_normalisation_path_agrees_and_offsets_point_at_the_kept_characters(text):
    normalized, offsets = normalize(text)
    assert normalized == normalize_text(text)
    bulk, bulk_offsets = normalize_bulk(text)
    assert (bulk, bulk_offsets.tolist()) == (normalized, offsets)
    marked, marks = normalize_marks(code_points(text))
    assert marked == normalized
    if normalized:
        assert original_indexes(marks, np.arange(len(normalized))).tolist() == offsets
    assert len(offsets) == len(normalized)
    for i, at in enumerate(offsets):
        assert normalize_text(text[at]) == normalized[i]
    assert offsets == sorted(set(offsets))
