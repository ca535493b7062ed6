"""Errors raised by the collection library, with plain-words messages ready for translation."""

from __future__ import annotations

from typing import Any


def gettext_noop(message: str) -> str:
    """Mark a message template for translation without translating it here (no Django in this package)."""
    return message


class CollectionError(Exception):
    """Base error: ``template`` is the untranslated English message, ``params`` fill its ``%(name)s`` slots.

    The Django layer translates with ``gettext(err.template) % err.params``; ``str(err)`` is the English text.
    """

    def __init__(self, template: str, **params: Any) -> None:
        self.template = template
        self.params = params
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.template % self.params if self.params else self.template


class ConfigError(CollectionError):
    """A source's options are invalid; ``field`` names the bad option (dotted for nested ones)."""

    def __init__(self, field: str, template: str, **params: Any) -> None:
        self.field = field
        super().__init__(template, **params)

    @property
    def message(self) -> str:
        return f"{self.field}: {super().message}"


class ParseError(CollectionError):
    """The fetched or uploaded content cannot be read at all (malformed XML, HTML, JSON, CSV …)."""

    def __init__(self, template: str, *, path: str = "", **params: Any) -> None:
        self.path = path
        if path:
            params["path"] = path
        super().__init__(template, **params)


class FieldError(CollectionError):
    """One field of one record is invalid; collected into per-entry or per-row error lists."""

    def __init__(self, field: str, template: str, **params: Any) -> None:
        self.field = field
        super().__init__(template, **params)
