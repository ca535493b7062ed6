"""Lexicon matching on real-looking text: evasion, offsets, allow lists and overlapping terms."""

import pytest

from yuqing.textcheck import TextChecker, check_text, parse_lexicon


def lexicon_hits(text, checker=None):
    findings = (checker.lexicon_findings(text) if checker else
                [f for f in check_text(text) if f.rule_id.startswith("lexicon.")])
    return [(f.start, f.end, f.matched, f.normalized, f.category) for f in findings]


@pytest.mark.parametrize(
    ("text", "matched"),
    [
        ("这里有 网上赌场 广告", "网上赌场"),
        ("这里有网上赌 场", "网上赌 场"),  # spaced out
        ("这里有網上賭*場", "網上賭*場"),  # traditional, with a symbol
        ("这里有网上赌\u200b场", "网上赌\u200b场"),  # zero-width space
        ("这里有网上赌😀场", "网上赌😀场"),  # emoji
        ("出售ｋ粉", "ｋ粉"),  # full-width letter
        ("出售K粉", "K粉"),  # upper case
        ("你这个 傻 逼", "傻 逼"),
    ],
)
def test_evasive_spellings_are_found_with_the_original_text(text, matched):
    hits = lexicon_hits(text)
    assert matched in [h[2] for h in hits]
    start, end = next((h[0], h[1]) for h in hits if h[2] == matched)
    assert text[start:end] == matched


def test_spaced_out_gambling_word_is_found():
    assert lexicon_hits("禁止赌 博") == [(2, 5, "赌 博", "赌博", "gambling")]


def test_offsets_are_exact_after_removed_and_traditional_characters():
    text = "【通知】** 請勿參與 網·上·賭·場！"
    (hit,) = lexicon_hits(text)
    assert text[hit[0]:hit[1]] == "網·上·賭·場"
    assert hit[3] == "网上赌场"


def test_a_term_inside_an_allowed_word_is_not_flagged():
    assert lexicon_hits("最后一天，第一次见面") == []


def test_an_allowed_word_does_not_hide_a_longer_term():
    assert [h[2] for h in lexicon_hits("本店最低价")] == ["最低价"]


def test_bare_superlative_is_flagged_as_info():
    (finding,) = [f for f in check_text("本产品最棒") if f.rule_id == "lexicon.advertising"]
    assert (finding.matched, finding.severity) == ("最", "info")


def test_longest_term_wins_when_terms_nest():
    checker = TextChecker(parse_lexicon(s) for s in ["@category: gambling\n赌博\n网络赌博\n"])
    assert lexicon_hits("严禁网络赌博", checker) == [(2, 6, "网络赌博", "网络赌博", "gambling")]


def test_leftmost_term_wins_when_terms_overlap():
    checker = TextChecker([parse_lexicon("@category: x\n甲乙\n乙丙丁\n")])
    assert [h[2] for h in lexicon_hits("甲乙丙丁", checker)] == ["甲乙"]
    assert [h[2] for h in lexicon_hits("乙丙丁", checker)] == ["乙丙丁"]


def test_terms_do_not_match_across_sentences():
    checker = TextChecker([parse_lexicon("@category: gambling\n赌博\n")])
    assert lexicon_hits("他不赌。博物馆开门了", checker) == []


def test_organisation_lexicon_adds_terms_and_allow_lists(tmp_path):
    own = tmp_path / "own.txt"
    own.write_text("@category: organisation\n@severity: block\n某某中学食堂\n@kind: allow\n赌博游戏机厅旧址\n",
                   encoding="utf-8")
    checker = TextChecker(extra_lexicons=[own])
    assert [(h[2], h[4]) for h in lexicon_hits("某某中学 食堂又涨价", checker)] == [("某某中学 食堂", "organisation")]
    assert [h[2] for h in lexicon_hits("参观赌博游戏机厅旧址", checker)] == []


def test_organisation_lexicon_overrides_a_shipped_term():
    override = parse_lexicon("@category: gambling\n@severity: info\n赌博\n")
    checker = TextChecker(extra_lexicons=[override])
    (finding,) = checker.lexicon_findings("远离赌博")
    assert finding.severity == "info"


def test_wrong_word_carries_the_correct_form_as_suggestion():
    (finding,) = [f for f in check_text("学校按装了新空调") if f.category == "wrong_word"]
    assert (finding.matched, finding.suggestion) == ("按装", "安装")


def test_outdated_official_name_is_flagged_and_the_correct_longer_title_is_not():
    found = [f.matched for f in check_text("国家教委领导和人大委员长") if f.category == "official_expression"]
    assert found == ["国家教委"]


def test_clean_school_news_has_no_findings():
    text = "我校于3月12日组织师生开展植树活动，同学们热情高涨，共种下树苗200余棵。"
    assert check_text(text) == []


def test_finding_to_dict_has_all_fields():
    (finding,) = check_text("请勿网上赌场")
    assert finding.to_dict() == {
        "rule_id": "lexicon.gambling", "category": "gambling", "severity": "block", "start": 2, "end": 6,
        "matched": "网上赌场", "normalized": "网上赌场", "suggestion": "",
    }


def test_bulk_check_splits_findings_per_text_with_local_offsets():
    texts = ["网上赌 场", "", "电话13812345678，最后", "请登录 http://evil.example.com 查看"]
    checker = TextChecker()
    assert checker.check_many(texts) == [checker.check(t) for t in texts]
    assert [len(f) for f in checker.check_many(texts)] == [1, 0, 1, 1]
