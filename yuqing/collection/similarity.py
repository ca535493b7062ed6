"""Exact and near-duplicate detection: content hashes, 64-bit SimHash over character n-grams, a band index."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

FINGERPRINT_BITS = 64
DEFAULT_NGRAM = 3
# Distance ≤ 3 of 64 bits is the usual near-duplicate threshold (Manku et al., WWW 2007).
DEFAULT_MAX_DISTANCE = 3
BANDS = 4  # 4 × 16-bit bands: any two fingerprints within distance 3 agree exactly on at least one band
_BAND_BITS = FINGERPRINT_BITS // BANDS
_BAND_MASK = (1 << _BAND_BITS) - 1

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
# Everything that is not a letter, digit or CJK character: punctuation, symbols, spaces, emoji, "_".
_NOT_WORD = re.compile(r"[\W_]+")


def normalize_text(text: str) -> str:
    """Full-width to half-width, lower case, and no spaces, punctuation or symbols: "新 闻，News!" → "新闻news"."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _NOT_WORD.sub("", text)


def content_hash(text: str) -> str:
    """SHA-256 hex of the normalised text: equal for texts that differ only in spacing, punctuation or width."""
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()


def _gram_hashes(codes: np.ndarray, n: int) -> np.ndarray:
    """Stable 64-bit hash of every character n-gram: FNV-1a over code points, then a splitmix64 finaliser."""
    count = len(codes) - n + 1
    h = np.full(count, _FNV_OFFSET, dtype=np.uint64)
    for offset in range(n):
        h ^= codes[offset : offset + count]
        h *= _FNV_PRIME
    h ^= h >> np.uint64(30)
    h *= _MIX1
    h ^= h >> np.uint64(27)
    h *= _MIX2
    h ^= h >> np.uint64(31)
    return h


def simhash(text: str, *, ngram: int = DEFAULT_NGRAM, normalized: bool = False) -> int:
    """64-bit SimHash (unsigned int) of ``text`` over character n-grams of its normalised form.

    Texts shorter than ``ngram`` characters are hashed as one gram; the empty text hashes to 0.
    """
    norm = text if normalized else normalize_text(text)
    if not norm:
        return 0
    codes = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = min(ngram, len(codes))
    hashes = _gram_hashes(codes, n)
    # big-endian bytes so bit i of the result is the same on every machine
    bits = np.unpackbits(hashes.astype(">u8").view(np.uint8)).reshape(len(hashes), FINGERPRINT_BITS)
    ones = bits.sum(axis=0, dtype=np.int64)
    fingerprint_bits = (ones * 2 > len(hashes)).astype(np.uint8)
    return int.from_bytes(np.packbits(fingerprint_bits).tobytes(), "big")


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two fingerprints."""
    return (a ^ b).bit_count()


def to_signed64(fingerprint: int) -> int:
    """Unsigned 64-bit fingerprint → signed, to store in a database BIGINT column."""
    return fingerprint - (1 << 64) if fingerprint >= 1 << 63 else fingerprint


def from_signed64(value: int) -> int:
    """Inverse of ``to_signed64``."""
    return value + (1 << 64) if value < 0 else value


def bands(fingerprint: int) -> tuple[int, ...]:
    """The four 16-bit bands of a fingerprint (also handy as indexed database columns)."""
    return tuple((fingerprint >> (_BAND_BITS * i)) & _BAND_MASK for i in range(BANDS))


@dataclass
class SimHashIndex:
    """In-memory near-duplicate index: ``add`` fingerprints, ``query`` those within ``max_distance``.

    Each fingerprint is filed under its 4 bands, so a query only compares against fingerprints that share a
    band: with ``max_distance`` ≤ 3 nothing is missed, and a batch of 100k is indexed in about a second.
    """

    max_distance: int = DEFAULT_MAX_DISTANCE
    _buckets: list[dict[int, list[tuple[Hashable, int]]]] = field(
        default_factory=lambda: [{} for _ in range(BANDS)], repr=False
    )
    _size: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.max_distance < BANDS:
            raise ValueError(f"max_distance must be between 0 and {BANDS - 1} for {BANDS} bands")

    def __len__(self) -> int:
        return self._size

    def add(self, key: Hashable, fingerprint: int) -> None:
        for bucket, band in zip(self._buckets, bands(fingerprint), strict=True):
            bucket.setdefault(band, []).append((key, fingerprint))
        self._size += 1

    def query(self, fingerprint: int) -> list[tuple[Hashable, int]]:
        """Keys within ``max_distance`` as ``(key, distance)``, closest first, each key once."""
        found: dict[Hashable, int] = {}
        for bucket, band in zip(self._buckets, bands(fingerprint), strict=True):
            for key, other in bucket.get(band, ()):
                if key not in found:
                    distance = (fingerprint ^ other).bit_count()
                    if distance <= self.max_distance:
                        found[key] = distance
        return sorted(found.items(), key=lambda pair: pair[1])

    def nearest(self, fingerprint: int) -> tuple[Hashable, int] | None:
        """The closest key within ``max_distance``, or None."""
        matches = self.query(fingerprint)
        return matches[0] if matches else None


def link_near_duplicates(
    fingerprints: Iterable[tuple[Hashable, int]],
    *,
    max_distance: int = DEFAULT_MAX_DISTANCE,
    index: SimHashIndex | None = None,
) -> Iterator[tuple[Hashable, Hashable | None, int]]:
    """For each ``(key, fingerprint)`` in order, yield ``(key, original_key or None, distance)``.

    The original is the closest earlier fingerprint (from ``index`` if given, which is then extended).
    Only originals are indexed, so a chain of small edits does not drift away from the first text.
    """
    index = index if index is not None else SimHashIndex(max_distance)
    for key, fingerprint in fingerprints:
        match = index.nearest(fingerprint)
        if match is None:
            index.add(key, fingerprint)
            yield key, None, 0
        else:
            yield key, match[0], match[1]
