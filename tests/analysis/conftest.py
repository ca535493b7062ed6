"""Fixtures for the analysis tests: the shared data folder and a small synthetic sentiment corpus."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def shared_data_dir() -> Path | None:
    env = os.environ.get("YUQING_SHARED_DATA")
    path = Path(env) if env else REPO_ROOT / ".." / "shared" / "data"
    return path.resolve() if path.is_dir() else None


@pytest.fixture
def shared_data() -> Path:
    path = shared_data_dir()
    if path is None or not (path / "weibo-emotion").is_dir():
        pytest.skip("shared data folder ../shared/data (or $YUQING_SHARED_DATA) is absent")
    return path


SUBJECTS = [
    "这家店",
    "今天的课",
    "学校的活动",
    "这次旅行",
    "新来的老师",
    "这部电影",
    "食堂",
    "这个快递",
    "客服",
    "宿舍",
]
POSITIVE = ["太棒了", "非常满意", "很开心", "真喜欢", "值得点赞", "好评如潮", "感谢大家", "特别温暖"]
NEGATIVE = ["太差了", "非常失望", "气死我了", "真恶心", "垃圾透顶", "差评", "让人愤怒", "特别难过"]


def synthetic_corpus(n: int, seed: int = 1) -> tuple[list[str], list[int]]:
    """Short posts whose sentiment is carried by one phrase; label 1 = negative."""
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n):
        negative = i % 2 == 0
        phrase = rng.choice(NEGATIVE if negative else POSITIVE)
        texts.append(f"{rng.choice(SUBJECTS)}{phrase}，第{i}次")
        labels.append(1 if negative else 0)
    return texts, labels
