"""The shipped negativity and offensive models: offline loading, sensible scores, persistence."""

from __future__ import annotations

import socket

import numpy as np
import pytest

from yuqing.analysis import Classifier, ModelFileError, analyze, analyze_many, load_default_classifier
from yuqing.analysis.classifier import OFFENSIVE_MODEL_FILE, SENTIMENT_MODEL_FILE
from yuqing.analysis.features import featurise

CLEARLY_NEGATIVE = [
    "气死我了，学校食堂的饭菜又馊了，孩子吃完拉肚子，太恶心了！",
    "垃圾学校，乱收费还不让家长说话，真让人愤怒",
    "心好痛，太难过了，为什么会发生这种事",
    "这服务太差了，再也不来了，失望透顶",
]
CLEARLY_POSITIVE = [
    "今天学校运动会太开心了，孩子们都很棒！",
    "感谢老师们的辛勤付出，祝大家节日快乐[心][心]",
    "好吃又实惠，非常满意，下次还来",
    "加油！我们一定会越来越好的，为你点赞",
]


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the analysis library must not open network connections")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_shipped_models_load_without_network(no_network):
    for path in (SENTIMENT_MODEL_FILE, OFFENSIVE_MODEL_FILE):
        model = Classifier.load(path)
        assert model.weights.shape == (2**model.bits,)
        assert model.meta["trained_on"]
    assert 0.0 <= analyze("今天天气不错").negativity <= 1.0


def test_shipped_model_file_is_small():
    assert SENTIMENT_MODEL_FILE.stat().st_size < 10_000_000
    assert OFFENSIVE_MODEL_FILE.stat().st_size < 10_000_000


def test_clearly_negative_posts_score_high():
    scores = load_default_classifier().predict_proba(CLEARLY_NEGATIVE)
    assert all(scores > 0.7), scores


def test_clearly_positive_posts_score_low():
    scores = load_default_classifier().predict_proba(CLEARLY_POSITIVE)
    assert all(scores < 0.3), scores


def test_labels_follow_documented_thresholds():
    results = analyze_many(CLEARLY_NEGATIVE[:1] + CLEARLY_POSITIVE[:1])
    assert [r.label for r in results] == ["negative", "positive"]


def test_offensive_insult_scores_higher_than_friendly_comment():
    insult, friendly = analyze_many(["你们这些地域黑都是垃圾，滚出去，脑残", "谢谢你的分享，很有帮助"])
    assert insult.offensive > 0.5 > friendly.offensive


def test_batch_scores_equal_single_scores():
    texts = CLEARLY_NEGATIVE + CLEARLY_POSITIVE + ["", "   "]
    model = load_default_classifier()
    batch = model.predict_proba(texts)
    single = np.array([model.score(t) for t in texts])
    assert np.allclose(batch, single)


def test_save_load_round_trip_keeps_scores(tmp_path):
    model = load_default_classifier()
    path = model.save(tmp_path / "org-model.npz")
    again = Classifier.load(path)
    texts = CLEARLY_NEGATIVE + CLEARLY_POSITIVE
    assert np.allclose(model.predict_proba(texts), again.predict_proba(texts), atol=1e-6)
    assert again.meta == model.meta


def test_corrupt_model_file_is_refused(tmp_path):
    path = tmp_path / "broken.npz"
    path.write_bytes(b"not a model")
    with pytest.raises(ModelFileError):
        Classifier.load(path)


def test_ngram_hashing_is_stable_across_processes():
    # Fixed expected indices: Python's salted hash() would change them between runs.
    batch = featurise(["好"], bits=20)
    assert sorted(batch.index.tolist()) == sorted(EXPECTED_GOOD_INDICES)


EXPECTED_GOOD_INDICES = [37562, 550875, 645707]  # unigram 好, start+好, 好+end


def test_missing_and_empty_texts_are_scored_without_error():
    results = analyze_many([None, "", "。。。"])  # type: ignore[list-item]
    assert len(results) == 3
    assert all(0.0 <= r.negativity <= 1.0 and r.categories == [] for r in results)
