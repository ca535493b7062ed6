"""Connector registry: one kit per source kind, each with ``KIND``, ``LABEL``, ``PULL`` and ``Config``."""

from __future__ import annotations

import enum
from types import ModuleType

from . import fileimport, json, page, rss, tip, webhook


class ConnectorKind(enum.StrEnum):
    RSS = "rss"
    PAGE = "page"
    JSON = "json"
    WEBHOOK = "webhook"
    FILEIMPORT = "fileimport"
    TIP = "tip"


CONNECTORS: dict[str, ModuleType] = {module.KIND: module for module in (rss, page, json, webhook, fileimport, tip)}
# Kinds Yuqing polls on a schedule; the others receive entries (push, upload, form).
PULL_KINDS = frozenset(kind for kind, module in CONNECTORS.items() if module.PULL)


def get_connector(kind: str) -> ModuleType:
    """The connector module of ``kind``; ``KeyError`` with the known kinds otherwise."""
    try:
        return CONNECTORS[kind]
    except KeyError:
        raise KeyError(f"unknown source kind {kind!r}; known kinds are {', '.join(CONNECTORS)}") from None
