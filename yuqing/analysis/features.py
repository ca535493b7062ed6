"""Vectorised character n-gram hashing: texts to (document, feature-index, value) triples with numpy only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from yuqing.analysis.normalise import normalise

# Sentinels mark the start and end of each document so that n-grams at the edges are distinct features.
_START = 0x02
_END = 0x03
_MULT = np.uint64(0x100000001B3)  # FNV prime: a fixed odd multiplier keeps hashes stable across runs/machines
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


@dataclass(frozen=True)
class FeatureBatch:
    """A sparse batch: entry k says document ``doc[k]`` has feature ``index[k]`` with weight ``value[k]``."""

    n_docs: int
    doc: np.ndarray  # int64
    index: np.ndarray  # int64
    value: np.ndarray  # float32


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser: spreads structured n-gram codes evenly over the hash space."""
    z = z ^ (z >> np.uint64(30))
    z = z * _MIX1
    z = z ^ (z >> np.uint64(27))
    z = z * _MIX2
    return z ^ (z >> np.uint64(31))


def featurise(
    texts: Sequence[str], bits: int, ngram_max: int = 3, already_normalised: bool = False
) -> FeatureBatch:
    """Hash character 1..ngram_max-grams of every text into ``2**bits`` buckets.

    Each document's vector is the n-gram counts divided by the square root of its n-gram total, so long
    reviews do not dominate short posts.
    """
    n_docs = len(texts)
    if n_docs == 0:
        empty = np.zeros(0, dtype=np.int64)
        return FeatureBatch(0, empty, empty, np.zeros(0, dtype=np.float32))
    parts = [t if already_normalised else normalise(t) for t in texts]
    joined = "".join(f"\x02{t}\x03" for t in parts)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter((len(t) + 2 for t in parts), dtype=np.int64, count=n_docs)
    doc_of_pos = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
    total = codes.shape[0]
    is_sentinel = (codes == _START) | (codes == _END)

    docs_out = []
    idx_out = []
    shift = np.uint64(64 - bits)
    for n in range(1, ngram_max + 1):
        m = total - n + 1
        if m <= 0:
            continue
        h = np.full(m, n, dtype=np.uint64)
        for k in range(n):
            h = h * _MULT + codes[k : k + m]
        valid = doc_of_pos[:m] == doc_of_pos[n - 1 : n - 1 + m]
        if n == 1:
            valid &= ~is_sentinel[:m]
        else:
            # A window that starts and ends on sentinels only repeats the unigrams of a tiny document.
            valid &= ~(is_sentinel[:m] & is_sentinel[n - 1 : n - 1 + m])
        docs_out.append(doc_of_pos[:m][valid])
        idx_out.append((_mix(h[valid]) >> shift).astype(np.int64))
    doc = np.concatenate(docs_out)
    index = np.concatenate(idx_out)
    counts = np.bincount(doc, minlength=n_docs).astype(np.float32)
    scale = 1.0 / np.sqrt(np.maximum(counts, 1.0))
    value = scale[doc]
    return FeatureBatch(n_docs, doc, index, value.astype(np.float32))
