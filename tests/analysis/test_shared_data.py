"""Scores of the shipped models on the shared evaluation files (skipped when ../shared/data is absent)."""

from __future__ import annotations

import pytest

from yuqing.analysis import datasets, load_default_classifier, load_offensive_classifier
from yuqing.analysis.metrics import f1_for_class, macro_f1

pytestmark = pytest.mark.shared_data


def _macro_f1_on(path) -> float:
    corpus = datasets.read_weibo_emotion(path)
    predicted = (load_default_classifier().predict_proba(corpus.texts) >= 0.5).astype(int)
    return macro_f1(corpus.labels, predicted)


def test_general_weibo_macro_f1_reaches_goal(shared_data):
    assert _macro_f1_on(shared_data / datasets.WEIBO_EVAL_FILES[0]) >= 0.80


def test_covid_weibo_macro_f1_reaches_goal(shared_data):
    assert _macro_f1_on(shared_data / datasets.WEIBO_EVAL_FILES[1]) >= 0.80


def test_offensive_f1_on_cold_dev(shared_data):
    dev = datasets.read_cold(shared_data / datasets.OFFENSIVE_DEV)
    predicted = (load_offensive_classifier().predict_proba(dev.texts) >= 0.5).astype(int)
    assert f1_for_class(dev.labels, predicted, 1) >= 0.85
