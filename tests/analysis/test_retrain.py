"""Retraining from base data plus manual judgements keeps the old model unless the new one is as good."""

from __future__ import annotations

import random

import numpy as np
import pytest

from yuqing.analysis.lbfgs import minimise
from yuqing.analysis.train import evaluate, fit_classifier, train

from .conftest import synthetic_corpus

BITS = 14


@pytest.fixture(scope="module")
def base():
    return synthetic_corpus(600)


@pytest.fixture(scope="module")
def old_model(base):
    texts, labels = base
    return fit_classifier(texts, labels, bits=BITS, max_iter=60)


def school_judgements(n: int, seed: int = 3) -> tuple[list[str], list[int]]:
    """Posts in vocabulary the base corpus never saw: complaints vs good news about a school."""
    rng = random.Random(seed)
    bad = ["孩子被同学欺负", "老师罚站一整天", "学校又乱收资料费", "宿舍漏水没人管", "校车超载"]
    good = ["学校荣获省级表彰", "学生竞赛获一等奖", "喜报传来", "新图书馆落成启用", "运动会圆满举办"]
    places = ["城东小学", "实验中学", "第三中学", "育才学校", "红星小学", "南湖中学"]
    texts, labels = [], []
    for i in range(n):
        negative = i % 2 == 0
        texts.append(f"{rng.choice(places)}{rng.choice(bad if negative else good)}（编号{chr(0x4E00 + i)}）")
        labels.append(1 if negative else 0)
    return texts, labels


def test_old_model_is_kept_when_judgements_are_garbage(base, old_model):
    texts, labels = base
    rng = random.Random(7)
    garbage_texts, _ = synthetic_corpus(600, seed=9)
    garbage_labels = [rng.randint(0, 1) for _ in garbage_texts]
    result = train(texts, labels, garbage_texts, garbage_labels, seed=1, old_model=old_model, max_iter=60)
    assert not result.accepted
    assert result.new_score < result.old_score
    assert result.model is old_model


def test_new_model_is_accepted_when_judgements_teach_something(base, old_model):
    texts, labels = base
    extra_texts, extra_labels = school_judgements(300)
    result = train(texts, labels, extra_texts, extra_labels, seed=1, old_model=old_model, max_iter=60)
    assert result.accepted
    assert result.new_score > result.old_score
    assert result.model is not old_model
    held = [t for t in extra_texts[-40:]]
    assert evaluate(result.model, held, extra_labels[-40:]) > evaluate(old_model, held, extra_labels[-40:])


def test_accepted_model_round_trips_through_save_and_load(base, old_model, tmp_path):
    from yuqing.analysis import Classifier

    texts, labels = base
    extra_texts, extra_labels = school_judgements(120)
    result = train(texts, labels, extra_texts, extra_labels, old_model=old_model, max_iter=40)
    path = result.model.save(tmp_path / "org.npz")
    loaded = Classifier.load(path)
    assert np.allclose(loaded.predict_proba(extra_texts), result.model.predict_proba(extra_texts), atol=1e-6)


def test_mismatched_lengths_are_refused(base, old_model):
    texts, labels = base
    with pytest.raises(ValueError):
        train(texts, labels, ["一条"], [], old_model=old_model)


def test_lbfgs_finds_minimum_of_a_quadratic():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(20, 20))
    hessian = a @ a.T + np.eye(20)
    target = rng.normal(size=20)

    def fun(x):
        d = x - target
        return 0.5 * float(d @ hessian @ d), hessian @ d

    result = minimise(fun, np.zeros(20), max_iter=500, gtol=1e-8)
    assert np.allclose(result.x, target, atol=1e-4)


def test_retrain_with_judgements_reads_the_training_files(tmp_path, old_model):
    import csv
    import json

    from yuqing.analysis.train import retrain_with_judgements

    texts, labels = synthetic_corpus(300, seed=5)
    (tmp_path / "weibo-emotion").mkdir()
    (tmp_path / "sentiment").mkdir()
    rows = [
        {"id": i, "content": t, "label": "angry" if y else "happy"}
        for i, (t, y) in enumerate(zip(texts, labels, strict=True))
    ]
    rows.append({"id": 999, "content": "不该被读入的中性句子", "label": "neutral"})
    (tmp_path / "weibo-emotion" / "virus_train.txt").write_text(json.dumps(rows, ensure_ascii=False), "utf-8")
    for name in ("online_shopping_10_cats.csv", "waimai_10k.csv"):
        with open(tmp_path / "sentiment" / name, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["label", "review"])
            writer.writerows([[1 - y, t] for t, y in zip(texts[:100], labels[:100], strict=True)])
    extra_texts, extra_labels = school_judgements(200)
    result = retrain_with_judgements(tmp_path, extra_texts, extra_labels, old_model=old_model, max_iter=40)
    assert result.accepted
    assert result.holdout_size > 0
