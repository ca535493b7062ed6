"""Plain insults (傻逼, 脑残, 去死 …): a lexicon score that the offensive score takes when it is higher.

The shipped offensive model learned COLD (comments on race, gender and region) and rates everyday abuse
such as "你真是个傻逼" low; a short, curated list catches those with a fixed score per term.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources

import ahocorasick_rs
import numpy as np

from yuqing.analysis.normalise import normalise


@cache
def _lexicon() -> tuple[ahocorasick_rs.AhoCorasick, list[float]]:
    text = resources.files("yuqing.analysis").joinpath("insults.txt").read_text(encoding="utf-8")
    terms: list[str] = []
    scores: list[float] = []
    score = 0.9
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@score:"):
            score = float(line.split(":", 1)[1])
            continue
        terms.append(normalise(line))
        scores.append(score)
    return ahocorasick_rs.AhoCorasick(terms), scores


def insult_scores(texts: Sequence[str], *, already_normalised: bool = False) -> np.ndarray:
    """The highest insult-term score found in each text (0 when none)."""
    automaton, scores = _lexicon()
    out = np.zeros(len(texts))
    for i, text in enumerate(texts):
        found = automaton.find_matches_as_indexes(text if already_normalised else normalise(text),
                                                  overlapping=True)
        if found:
            out[i] = max(scores[index] for index, _start, _end in found)
    return out
