"""Analysis of a mention (SPEC R4.5): negativity score and label, offensive score, categories of concern."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum

import numpy as np

from yuqing.analysis.classifier import Classifier, load_default_classifier, load_offensive_classifier
from yuqing.analysis.insults import insult_scores
from yuqing.analysis.normalise import normalise
from yuqing.analysis.taxonomy import Taxonomy, default_taxonomy

# The classifier is binary (negative vs positive); posts it is unsure about are called neutral.
# negativity >= NEGATIVE_THRESHOLD → negative; <= POSITIVE_THRESHOLD → positive; otherwise neutral.
NEGATIVE_THRESHOLD = 0.6
POSITIVE_THRESHOLD = 0.4
# offensive >= OFFENSIVE_THRESHOLD counts as offensive language (the threshold used for the dev F1).
OFFENSIVE_THRESHOLD = 0.5


class SentimentLabel(StrEnum):
    """Sentiment label derived from the negativity score."""

    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


def label_for(negativity: float) -> SentimentLabel:
    """Map a negativity probability to its label with the documented thresholds."""
    if negativity >= NEGATIVE_THRESHOLD:
        return SentimentLabel.NEGATIVE
    if negativity <= POSITIVE_THRESHOLD:
        return SentimentLabel.POSITIVE
    return SentimentLabel.NEUTRAL


@dataclass
class Analysis:
    """What the analysis found in one text."""

    negativity: float
    label: SentimentLabel
    offensive: float
    categories: list[str] = field(default_factory=list)
    matched_terms: dict[str, list[str]] = field(default_factory=dict)

    @property
    def is_offensive(self) -> bool:
        """Whether the offensive score reaches the documented threshold."""
        return self.offensive >= OFFENSIVE_THRESHOLD

    def to_dict(self) -> dict:
        """JSON-ready form (scores rounded to four decimals)."""
        data = asdict(self)
        data["negativity"] = round(self.negativity, 4)
        data["offensive"] = round(self.offensive, 4)
        data["label"] = str(self.label)
        return data


def analyze_many(
    texts: Sequence[str],
    classifier: Classifier | None = None,
    offensive_classifier: Classifier | None = None,
    taxonomy: Taxonomy | None = None,
) -> list[Analysis]:
    """Analyse a batch in one vectorised pass per model.

    About 14,000 posts/s in batches versus about 1,700/s when :func:`analyze` is called once per post.
    """
    # A missing text (None) is scored as empty rather than as the string "None".
    texts = [t if isinstance(t, str) else ("" if t is None else str(t)) for t in texts]
    # Normalised once for both models and the insults lexicon (OpenCC is the costly part).
    normalised = [normalise(t) for t in texts]
    negativity = (classifier or load_default_classifier()).predict_proba(normalised, already_normalised=True)
    # The COLD model, raised to the insults lexicon's score where a plain insult is found (see insults.py).
    offensive = np.maximum(
        (offensive_classifier or load_offensive_classifier()).predict_proba(normalised, already_normalised=True),
        insult_scores(normalised, already_normalised=True))
    taxonomy = taxonomy or default_taxonomy()
    results = []
    for text, neg, off in zip(texts, negativity, offensive, strict=True):
        found = taxonomy.match(text)
        results.append(
            Analysis(
                negativity=float(neg),
                label=label_for(float(neg)),
                offensive=float(off),
                categories=found.categories,
                matched_terms=found.matched_terms,
            )
        )
    return results


def analyze(
    text: str,
    classifier: Classifier | None = None,
    offensive_classifier: Classifier | None = None,
    taxonomy: Taxonomy | None = None,
) -> Analysis:
    """Analyse one text with the shipped (or given) models."""
    return analyze_many([text], classifier, offensive_classifier, taxonomy)[0]
