"""Readers for the labelled corpora in the shared data folder (training files and evaluation files)."""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path

NEGATIVE_EMOTIONS = frozenset({"angry", "sad", "fear"})
POSITIVE_EMOTIONS = frozenset({"happy"})

WEIBO_TRAIN = "weibo-emotion/virus_train.txt"
# General-domain Weibo posts (CLUEmotionAnalysis2020), training data only.
CLUE_TRAIN_FILES = ("weibo-emotion-clue/valid.txt", "weibo-emotion-clue/test.txt")
CLUE_NEGATIVE = frozenset({"sadness", "disgust", "anger", "fear"})
CLUE_POSITIVE = frozenset({"happiness", "like"})
WEIBO_EVAL_FILES = ("weibo-emotion/usual_eval_labeled.txt", "weibo-emotion/virus_eval_labeled.txt")
SHOPPING = "sentiment/online_shopping_10_cats.csv"
WAIMAI = "sentiment/waimai_10k.csv"
OFFENSIVE_TRAIN = "offensive/train.csv"
OFFENSIVE_DEV = "offensive/dev.csv"


@dataclass
class Corpus:
    """Parallel lists of texts and binary labels (1 = negative / offensive, 0 = positive / safe)."""

    name: str
    texts: list[str]
    labels: list[int]


def default_data_dir() -> Path | None:
    """The shared data folder: env ``YUQING_SHARED_DATA`` or ``../shared/data`` next to the repository."""
    env = os.environ.get("YUQING_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[2] / ".." / "shared" / "data")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate.resolve()
    return None


def read_weibo_emotion(path: Path) -> Corpus:
    """SMP2020-EWECT JSON array; angry/sad/fear become 1, happy 0, neutral and surprise are left out."""
    with open(path, encoding="utf-8") as handle:
        rows = json.load(handle)
    texts: list[str] = []
    labels: list[int] = []
    for row in rows:
        label = row.get("label")
        if label in NEGATIVE_EMOTIONS:
            labels.append(1)
        elif label in POSITIVE_EMOTIONS:
            labels.append(0)
        else:
            continue
        texts.append(str(row.get("content") or ""))
    return Corpus(path.name, texts, labels)


def read_review_csv(path: Path) -> Corpus:
    """SophonPlus review CSV (label 1 positive, 0 negative; column ``review``), flipped to 1 = negative."""
    texts: list[str] = []
    labels: list[int] = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            review = (row.get("review") or "").strip()
            if not review or row.get("label") not in {"0", "1"}:
                continue
            texts.append(review)
            labels.append(1 - int(row["label"]))
    return Corpus(path.name, texts, labels)


def read_cold(path: Path) -> Corpus:
    """COLD offensive-language CSV (BOM, column ``TEXT``, ``label`` 1 offensive)."""
    texts: list[str] = []
    labels: list[int] = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("label") not in {"0", "1"}:
                continue
            texts.append(row.get("TEXT") or "")
            labels.append(int(row["label"]))
    return Corpus(path.name, texts, labels)


def read_clue_emotion(path: Path) -> Corpus:
    """CLUE emotion JSON Lines; sadness/disgust/anger/fear become 1, happiness/like 0, surprise is left out."""
    texts: list[str] = []
    labels: list[int] = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            row = json.loads(line)
            label = row.get("label")
            if label in CLUE_NEGATIVE:
                labels.append(1)
            elif label in CLUE_POSITIVE:
                labels.append(0)
            else:
                continue
            texts.append(str(row.get("content") or ""))
    return Corpus(path.name, texts, labels)
