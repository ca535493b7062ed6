"""The shared levels module: one Level for detection, notify and whoever comes next."""

from __future__ import annotations

import pytest

from yuqing import levels
from yuqing.detection import grading
from yuqing.levels import LEVEL_LABELS, Level, parse_level


@pytest.mark.parametrize("alias", ["重大", "major", "Ⅱ", "II", "ii级", "orange", "橙", "橙色预警", 3, " 3", Level.MAJOR])
def test_parse_level_takes_every_alias(alias) -> None:
    assert parse_level(alias) is Level.MAJOR


def test_labels_and_the_detection_re_export() -> None:
    assert LEVEL_LABELS == {Level.GENERAL: "一般", Level.RELATIVELY_MAJOR: "较大", Level.MAJOR: "重大",
                            Level.ESPECIALLY_MAJOR: "特别重大"}
    assert grading.Level is levels.Level
    with pytest.raises(ValueError, match="not a level"):
        parse_level("很大")
