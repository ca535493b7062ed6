"""The engine's fast paths (bulk checking, long texts, numpy normalisation) give exactly the slow paths' results."""

import dataclasses

import numpy as np
import pytest

from yuqing.textcheck import Finding, PersonalDataConfig, TextChecker, normalize, parse_lexicon
from yuqing.textcheck.checker import BULK_MIN_CHARS
from yuqing.textcheck.findings import new_finding
from yuqing.textcheck.links import check_domains
from yuqing.textcheck.normalize import code_points, normalize_bulk, normalize_marks, original_indexes

EVASIVE_POST = "【通知】請勿參與 網·上·賭·場！赌\u200b博😀害人。联系138-1234-5678，邮箱 zhang.san@qq.com，最后一天。"


def one_by_one(checker: TextChecker, text: str) -> list[Finding]:
    """The per-text path, piece by piece: translate table, automaton, regexes on the original text."""
    found = checker.lexicon_findings(text) + checker.personal_data.find(text) + check_domains(text)
    return sorted(found, key=lambda f: (f.start, f.end))


def test_fast_finding_constructor_builds_an_equal_frozen_finding():
    args = ("lexicon.gambling", "gambling", "block", 3, 8, "網上賭*場", "网上赌场", "")
    fast = new_finding(*args)
    assert fast == Finding(*args)
    assert hash(fast) == hash(Finding(*args))
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.start = 0


def test_long_text_goes_through_the_bulk_path_with_exact_offsets():
    text = (EVASIVE_POST + "\n") * (BULK_MIN_CHARS // len(EVASIVE_POST) + 2)
    checker = TextChecker()
    findings = checker.check(text)
    assert len(text) >= BULK_MIN_CHARS
    assert findings == one_by_one(checker, text)
    assert {f.rule_id for f in findings} >= {"lexicon.gambling", "pii.mobile", "pii.email"}
    for finding in findings:
        assert text[finding.start:finding.end] == finding.matched


def test_numpy_normalisation_agrees_with_translate_on_every_kind_of_character():
    text = "".join(map(chr, range(0x20, 0xD800, 7))) + "".join(map(chr, range(0xE000, 0x2FFFF, 13))) + "\ud800x"
    normalized, offsets = normalize(text)
    bulk_normalized, bulk_offsets = normalize_bulk(text)
    assert bulk_normalized == normalized
    assert bulk_offsets.tolist() == offsets
    marked, marks = normalize_marks(code_points(text))
    assert marked == normalized
    assert original_indexes(marks, np.arange(len(normalized))).tolist() == offsets


def test_removal_marks_map_back_when_nothing_or_everything_around_is_removed():
    for text in ["赌博", "**赌博", "赌**博", "赌博**", "** *", ""]:
        normalized, offsets = normalize(text)
        marked, marks = normalize_marks(code_points(text))
        assert marked == normalized
        assert original_indexes(marks, np.arange(len(normalized))).tolist() == offsets, text


def test_offsets_are_exact_when_nothing_is_removed_and_when_characters_are_removed():
    checker = TextChecker([parse_lexicon("@category: gambling\n网上赌场\n")])
    (plain,) = checker.check("来网上赌场")
    (spaced,) = checker.check("来 網 上 賭 場 吧")
    assert (plain.start, plain.end) == (1, 5)
    assert (spaced.start, spaced.end, spaced.matched) == (2, 9, "網 上 賭 場")


def test_bulk_check_finds_personal_data_only_where_it_is_and_never_across_texts():
    texts = [
        "电话１３８１２３４５６７８",  # full-width digits
        "138123", "45678",  # a number split over two texts is not a number
        "家住中山路18号3栋",
        "来信 li@school.edu.cn",
        "订单号 20240101，共 3 件",  # digits, but too few for any number
        "",
    ]
    checker = TextChecker()
    results = checker.check_many(texts)
    assert results == [checker.check(t) for t in texts]
    assert [[f.rule_id for f in found] for found in results] == [
        ["pii.mobile"], [], [], ["pii.address"], ["pii.email"], [], [],
    ]


def test_bulk_check_applies_student_number_patterns_to_each_text_on_its_own():
    # An anchored pattern matches at the start of every text, not only of the first one.
    checker = TextChecker(personal_data=PersonalDataConfig(student_number_patterns=[r"^S\d{6}"]))
    texts = ["S202401 请假", "S202402 请假", "请假 S202403"]
    results = checker.check_many(texts)
    assert results == [checker.check(t) for t in texts]
    assert [[f.matched for f in found] for found in results] == [["S202401"], ["S202402"], []]
