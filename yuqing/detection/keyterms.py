"""Key terms of posts: words weighted by TF-IDF over the organisation's recent items, without stop words.

An event's key terms group new posts into it and tell people what it is about, so they must be content
words: no function words or time words (stopwords.txt), no single characters, no numbers or ordinals
("第一", "3月"), no fragments jieba's HMM guesses for unknown words ("人管"). A word is weighted by how often
the post uses it and how rare it is among the organisation's recent items (a school's name, which every one of
its items carries, weighs little); until the organisation has enough items, jieba's general-language IDF
stands in.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import Counter
from collections.abc import Iterable
from functools import cache
from importlib import resources

# The organisation's document frequencies are rebuilt at most this often, from this many recent items.
CORPUS_TTL_SECONDS = 600
CORPUS_DAYS = 30
CORPUS_ITEMS = 2000
# Below this many items the organisation's own IDF says little; jieba's general IDF is used instead.
MIN_CORPUS = 30

# Numbers, ordinals and measures: 2026, 3月, 第一, 十二, 5万, 三个, 100%, 1.5
_NUMERIC = re.compile(
    r"^(第?[0-9０-９零〇一二两三四五六七八九十百千万亿.．%％]+"
    r"[年月日号时分秒点个名位次条元块岁天周期届级层楼米斤公里万亿%]?)$"
)
_HAS_WORD_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z]")


@cache
def stop_words() -> frozenset[str]:
    text = resources.files("yuqing.detection").joinpath("stopwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def is_content_word(word: str) -> bool:
    """A word that may be a key term: two characters or more, a letter or hanzi, not a number or stop word."""
    return (len(word) >= 2 and not _NUMERIC.match(word) and _HAS_WORD_CHAR.search(word) is not None
            and word not in stop_words())


def words(text: str) -> list[str]:
    """The content words of a text, lower-cased. Dictionary words only (HMM off): no guessed fragments."""
    import jieba

    return [w for w in (t.strip().casefold() for t in jieba.lcut(text, HMM=False)) if is_content_word(w)]


class Corpus:
    """Document frequencies over a set of texts (one organisation's recent items)."""

    def __init__(self, texts: Iterable[str] = ()) -> None:
        self.df: Counter[str] = Counter()
        self.size = 0
        for text in texts:
            self.add(text)

    def add(self, text: str) -> None:
        self.size += 1
        self.df.update(set(words(text)))

    def idf(self, word: str) -> float:
        if self.size < MIN_CORPUS:
            return _general_idf(word)
        return math.log((self.size + 1) / (self.df.get(word, 0) + 1)) + 1.0


def _general_idf(word: str) -> float:
    import jieba.analyse

    table = jieba.analyse.default_tfidf
    return table.idf_freq.get(word, table.median_idf)


def extract(text: str, corpus: Corpus | None = None, *, top: int = 10, exclude: Iterable[str] = ()) -> list[str]:
    """The `top` key terms of `text` by TF-IDF, best first, without `exclude` and words overlapping them."""
    skip = {t.casefold() for t in exclude if t}
    counts = Counter(w for w in words(text) if w not in skip and not any(w in s or s in w for s in skip))
    if not counts:
        return []
    corpus = corpus or Corpus()
    total = sum(counts.values())
    scored = sorted(counts, key=lambda w: (-(counts[w] / total) * corpus.idf(w), w))
    return scored[:top]


_lock = threading.Lock()
_corpora: dict[int, tuple[float, Corpus]] = {}


def corpus_for(organization_id: int) -> Corpus:
    """The organisation's corpus of recent items, rebuilt every `CORPUS_TTL_SECONDS` in each process."""
    now = time.monotonic()
    with _lock:
        cached = _corpora.get(organization_id)
        if cached is not None and now - cached[0] < CORPUS_TTL_SECONDS:
            return cached[1]
    from datetime import timedelta

    from django.utils import timezone

    from yuqing.monitoring.models import Item

    since = timezone.now() - timedelta(days=CORPUS_DAYS)
    rows = (Item.objects.filter(organization_id=organization_id, first_seen_at__gte=since)
            .order_by("-first_seen_at").values_list("title", "text")[:CORPUS_ITEMS])
    corpus = Corpus(f"{title}\n{text}" for title, text in rows)
    with _lock:
        _corpora[organization_id] = (now, corpus)
    return corpus


def forget(organization_id: int | None = None) -> None:
    """Drop cached corpora (tests, or after a large import)."""
    with _lock:
        if organization_id is None:
            _corpora.clear()
        else:
            _corpora.pop(organization_id, None)
