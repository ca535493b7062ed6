"""Manual tip connector: a person submits a link, a text and optionally a screenshot kept as evidence."""

from __future__ import annotations

from .config import DEFAULT_MAX_SCREENSHOT, TipConfig
from .parse import Evidence, build_tip, screenshot_evidence

KIND = "tip"
LABEL = "Manual tips"
PULL = False
Config = TipConfig

__all__ = ["KIND", "LABEL", "PULL", "Config", "TipConfig", "DEFAULT_MAX_SCREENSHOT", "Evidence", "build_tip",
           "screenshot_evidence"]
