"""NB-LR: log-count-ratio scaled features, folded back into one linear model."""

from __future__ import annotations

import numpy as np

from yuqing.analysis.features import featurise
from yuqing.analysis.logistic import log_count_ratios
from yuqing.analysis.train import evaluate, fit_classifier

from .conftest import synthetic_corpus

BITS = 14


def test_ratio_sign_follows_the_class_a_feature_is_seen_in():
    texts = ["气死我了", "气死人", "开心", "很开心"]
    labels = np.array([1, 1, 0, 0])
    batch = featurise(texts, BITS)
    ratios = log_count_ratios(batch, labels, None, 2**BITS)
    angry = featurise(["气"], BITS).index[0]
    happy = featurise(["开"], BITS).index[0]
    assert ratios[angry] > 0 > ratios[happy]


def test_presence_not_counts_and_sample_weights_count():
    # "好" repeated ten times in one negative text is one document; a weight of 3 counts three times.
    batch = featurise(["好好好好好好好好好好", "好"], BITS)
    good = featurise(["好"], BITS).index[0]
    even = log_count_ratios(batch, np.array([1, 0]), None, 2**BITS)
    weighted = log_count_ratios(batch, np.array([1, 0]), np.array([1.0, 3.0]), 2**BITS)
    assert weighted[good] < even[good]


def test_nb_scaled_model_is_one_linear_model_that_separates_the_classes():
    texts, labels = synthetic_corpus(400)
    model = fit_classifier(texts, labels, bits=BITS, max_iter=60, nb_scaling=True)
    assert model.weights.shape == (2**BITS,)
    test_texts, test_labels = synthetic_corpus(200, seed=5)
    assert evaluate(model, test_texts, test_labels) > 0.95


def test_balanced_source_weights_give_both_classes_equal_total_weight():
    from yuqing.analysis.train import _balanced

    labels = [1, 1, 1, 0]
    weights = _balanced(labels, 6.0)
    negative = sum(w for w, y in zip(weights, labels, strict=True) if y == 1)
    positive = sum(w for w, y in zip(weights, labels, strict=True) if y == 0)
    assert negative == positive == 12.0
    assert _balanced([1, 1], 6.0) == [6.0, 6.0]  # one class only: nothing to balance
