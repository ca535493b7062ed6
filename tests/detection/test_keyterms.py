"""Key terms are content words weighted by TF-IDF over the organisation's items."""

from __future__ import annotations

import pytest

from yuqing.detection.keyterms import Corpus, extract, is_content_word, stop_words

POST = "今天家长反映第一中学食堂没人管，第一次有这么多人不适，3月5日饭菜发霉，我们觉得学校应该回应。转发微博 网页链接"


def test_key_terms_have_no_stop_words_single_characters_or_numbers():
    terms = extract(POST, top=20)
    assert {"食堂", "发霉", "饭菜"} <= set(terms)
    for term in terms:
        assert len(term) >= 2
        assert term not in stop_words()
        assert not any(ch.isdigit() for ch in term)
    for junk in ("今天", "第一", "我们", "觉得", "应该", "转发", "网页链接", "3月", "人管"):
        assert junk not in terms


@pytest.mark.parametrize("word", ["第一", "第十二", "2026", "3月", "5万", "十二", "100%", "的", "我们", "今天"])
def test_numbers_ordinals_and_function_words_are_not_content_words(word):
    assert not is_content_word(word)


@pytest.mark.parametrize("word", ["食堂", "发霉", "校服", "wifi", "中考"])
def test_content_words_are(word):
    assert is_content_word(word)


def test_a_word_every_item_of_the_organisation_carries_weighs_less_than_the_storys_own_words():
    corpus = Corpus([f"光明中学{topic}" for topic in ["运动会", "开学典礼", "家长会", "招生简章", "志愿者",
                                                     "读书节", "艺术节", "科技节", "春游", "升旗仪式"] * 4])
    terms = extract("光明中学食堂饭菜发霉，学生腹泻", corpus, top=10)
    assert terms.index("发霉") < terms.index("光明")
    assert terms[-2:] == ["中学", "光明"]


def test_excluded_terms_and_words_overlapping_them_are_left_out():
    assert "食堂" not in extract("第一中学食堂饭菜发霉", exclude=["食堂"])
