"""Options of a file import: the file format, the column mapping and a default platform."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from ...errors import ConfigError, gettext_noop
from ...mapping import FieldMapping
from ..base import check_keys, platform_option, text_option


class FileFormat(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSONL = "jsonl"


def format_from_filename(filename: str) -> FileFormat:
    """The format a file name's extension stands for; ``ConfigError`` on ``format`` otherwise."""
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    aliases = {"csv": FileFormat.CSV, "txt": FileFormat.CSV, "xlsx": FileFormat.XLSX, "jsonl": FileFormat.JSONL,
               "ndjson": FileFormat.JSONL}
    if suffix not in aliases:
        raise ConfigError("format", gettext_noop("cannot tell the format of %(name)r; use .csv, .xlsx or .jsonl"),
                          name=filename)
    return aliases[suffix]


@dataclass(frozen=True)
class FileImportConfig:
    """``mapping`` names the column of each field; ``encoding`` of a CSV is detected when empty;
    ``sheet`` picks an XLSX sheet (the first one when empty)."""

    format: FileFormat
    mapping: FieldMapping
    platform: str = ""
    encoding: str = ""
    sheet: str = ""

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> FileImportConfig:
        check_keys(options, {"format", "mapping", "platform", "encoding", "sheet"})
        raw_format = text_option(options, "format").lower()
        if raw_format not in set(FileFormat):
            raise ConfigError("format", gettext_noop("must be one of %(known)s"), known=", ".join(FileFormat))
        if "mapping" not in options:
            raise ConfigError("mapping", gettext_noop("a column mapping is required"))
        return cls(
            format=FileFormat(raw_format),
            mapping=FieldMapping.from_dict(options["mapping"]),
            platform=platform_option(options),
            encoding=text_option(options, "encoding"),
            sheet=text_option(options, "sheet"),
        )

    def to_options(self) -> dict[str, Any]:
        return {"format": str(self.format), "mapping": self.mapping.to_dict(), "platform": self.platform,
                "encoding": self.encoding, "sheet": self.sheet}
