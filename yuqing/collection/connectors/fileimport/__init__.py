"""File import connector: CSV, XLSX and JSONL exports from other monitoring platforms, with a column mapping."""

from __future__ import annotations

from .config import FileFormat, FileImportConfig, format_from_filename
from .parse import MAX_ROWS, ImportResult, decode_csv, import_file

KIND = "fileimport"
LABEL = "File import"
PULL = False
Config = FileImportConfig

__all__ = ["KIND", "LABEL", "PULL", "Config", "FileFormat", "FileImportConfig", "ImportResult", "MAX_ROWS",
           "decode_csv", "format_from_filename", "import_file", "import_with_config"]


def import_with_config(data: bytes, config: FileImportConfig, **kwargs: object) -> ImportResult:
    """``import_file`` with the options of a stored source."""
    return import_file(data, format=config.format, mapping=config.mapping, platform=config.platform,
                       encoding=config.encoding, sheet=config.sheet, **kwargs)  # type: ignore[arg-type]
