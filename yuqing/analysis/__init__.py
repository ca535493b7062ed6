"""Mention analysis (SPEC R4.5): offline negativity and offensive-language classifiers and categories of concern.

Pure library, no Django import. Typical use::

    from yuqing.analysis import analyze, analyze_many
    result = analyze("学校食堂饭菜发霉，孩子吃了拉肚子")
    result.negativity, result.label, result.categories
"""

from .analysis import (
    NEGATIVE_THRESHOLD,
    OFFENSIVE_THRESHOLD,
    POSITIVE_THRESHOLD,
    Analysis,
    SentimentLabel,
    analyze,
    analyze_many,
    label_for,
)
from .classifier import (
    Classifier,
    ModelFileError,
    load_classifier,
    load_default_classifier,
    load_offensive_classifier,
)
from .taxonomy import Category, CategoryMatch, Taxonomy, TaxonomyError, default_taxonomy

__all__ = [
    "NEGATIVE_THRESHOLD",
    "OFFENSIVE_THRESHOLD",
    "POSITIVE_THRESHOLD",
    "Analysis",
    "Category",
    "CategoryMatch",
    "Classifier",
    "ModelFileError",
    "SentimentLabel",
    "Taxonomy",
    "TaxonomyError",
    "analyze",
    "analyze_many",
    "default_taxonomy",
    "label_for",
    "load_classifier",
    "load_default_classifier",
    "load_offensive_classifier",
]
