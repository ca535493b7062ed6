"""Binary classification scores (F1 per class, macro-F1) in plain numpy."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def f1_for_class(
    labels: Sequence[int] | np.ndarray, predicted: Sequence[int] | np.ndarray, cls: int
) -> float:
    """F1 of one class; 0 when the class is neither present nor predicted."""
    y = np.asarray(labels) == cls
    p = np.asarray(predicted) == cls
    tp = float(np.sum(y & p))
    denom = float(np.sum(y) + np.sum(p))
    return 0.0 if denom == 0 else 2.0 * tp / denom


def macro_f1(labels: Sequence[int] | np.ndarray, predicted: Sequence[int] | np.ndarray) -> float:
    """Unweighted mean of the F1 of class 0 and class 1."""
    return 0.5 * (f1_for_class(labels, predicted, 0) + f1_for_class(labels, predicted, 1))
