"""Plain insults score as offensive whatever the COLD model says; ordinary posts are not touched."""

from __future__ import annotations

import pytest

from yuqing.analysis import analyze, analyze_many, datasets
from yuqing.analysis.insults import insult_scores


@pytest.mark.parametrize("text", ["你真是个傻逼", "這個校長就是個腦殘", "ＳＢ老师傻ｂ", "你去死吧", "nmsl"])
def test_plain_insults_score_high(text):
    assert analyze(text).offensive >= 0.85
    assert analyze(text).is_offensive


@pytest.mark.parametrize("text", ["今天天气很好", "食堂饭菜有虫", "学校组织了运动会", "这道题真难"])
def test_ordinary_posts_get_no_lexicon_score(text):
    assert insult_scores([text])[0] == 0


def test_the_offensive_score_is_the_higher_of_model_and_lexicon():
    plain, insult = analyze_many(["学校组织了运动会", "你真是个傻逼"])
    assert plain.offensive < 0.5
    assert insult.offensive == pytest.approx(0.95)


def test_clue_reader_maps_emotions_to_negative_and_positive(tmp_path):
    path = tmp_path / "clue.txt"
    path.write_text('{"id": 0, "content": "难过", "label": "sadness"}\n{"id": 1, "content": "开心", "label": "happiness"}\n'
                    '{"id": 2, "content": "哇", "label": "surprise"}\n{"id": 3, "content": "讨厌", "label": "disgust"}\n'
                    '{"id": 4, "content": "喜欢", "label": "like"}\n', encoding="utf-8")
    corpus = datasets.read_clue_emotion(path)
    assert corpus.texts == ["难过", "开心", "讨厌", "喜欢"]
    assert corpus.labels == [1, 0, 1, 0]
