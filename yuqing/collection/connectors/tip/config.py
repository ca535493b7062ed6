"""Options of a manual-tip source (staff submit what they saw): a default platform and the screenshot limit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from ..base import check_keys, platform_option, whole_number

DEFAULT_MAX_SCREENSHOT = 10 * 1024 * 1024


@dataclass(frozen=True)
class TipConfig:
    platform: str = ""
    max_screenshot_bytes: int = DEFAULT_MAX_SCREENSHOT

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> TipConfig:
        check_keys(options, {"platform", "max_screenshot_bytes"})
        return cls(
            platform=platform_option(options),
            max_screenshot_bytes=whole_number(options, "max_screenshot_bytes", DEFAULT_MAX_SCREENSHOT,
                                              minimum=1024, maximum=50 * 1024 * 1024),
        )

    def to_options(self) -> dict[str, Any]:
        return asdict(self)
