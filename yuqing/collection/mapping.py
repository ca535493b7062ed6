"""Field mappings: turn a JSON object or a spreadsheet row into a RawEntry using dotted paths or columns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from .counts import CountError, parse_count
from .entries import Metric, RawEntry, guess_platform
from .errors import CollectionError, ConfigError, FieldError, gettext_noop
from .sanitize import html_to_text
from .timeparse import TimeParseError, parse_time

_MISSING = object()


class PathError(CollectionError):
    """A dotted path does not lead anywhere in the data; ``path`` is the whole path asked for."""

    def __init__(self, path: str, template: str, **params: Any) -> None:
        self.path = path
        super().__init__(template, path=path, **params)


def resolve_path(data: Any, path: str) -> Any:
    """Follow ``"data.items.0.title"`` through dicts and lists; an exact key wins over splitting on dots.

    An empty path returns ``data`` itself. Raises ``PathError`` naming the step that failed.
    """
    if not path:
        return data
    if isinstance(data, Mapping) and path in data:
        return data[path]
    current = data
    walked: list[str] = []
    for step in path.split("."):
        if isinstance(current, Mapping):
            if step not in current:
                keys = ", ".join(sorted(map(str, current.keys()))[:12]) or "none"
                raise PathError(
                    path,
                    gettext_noop("path %(path)r: %(where)s has no key %(step)r (keys: %(keys)s)"),
                    where=repr(".".join(walked)) if walked else "the top level",
                    step=step,
                    keys=keys,
                )
            current = current[step]
        elif isinstance(current, list) and step.lstrip("-").isdigit():
            index = int(step)
            if not -len(current) <= index < len(current):
                raise PathError(
                    path, gettext_noop("path %(path)r: index %(step)s is outside a list of %(size)s"),
                    step=step, size=len(current),
                )
            current = current[index]
        else:
            raise PathError(
                path,
                gettext_noop("path %(path)r: cannot look up %(step)r in a %(kind)s"),
                step=step,
                kind=type(current).__name__,
            )
        walked.append(step)
    return current


def _lookup(record: Any, path: str) -> Any:
    if not path:
        return _MISSING
    try:
        value = resolve_path(record, path)
    except PathError:
        return _MISSING
    return _MISSING if value is None or value == "" else value


@dataclass(frozen=True)
class FieldMapping:
    """Where each entry field is found in a record: a dotted path (JSON) or a column name (files).

    ``metrics`` maps a metric name (views, comments, reposts, likes) to its path.
    """

    title: str = ""
    text: str = ""
    url: str = ""
    published: str = ""
    author: str = ""
    html: str = ""
    source_ref: str = ""
    platform: str = ""
    metrics: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None, *, prefix: str = "mapping") -> FieldMapping:
        """Build from options; raises ``ConfigError`` naming the bad key (e.g. ``mapping.metrics.shares``)."""
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise ConfigError(prefix, gettext_noop("must be an object of field names to paths"))
        names = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in names:
                raise ConfigError(
                    f"{prefix}.{key}", gettext_noop("unknown field; known fields are %(known)s"),
                    known=", ".join(sorted(names)),
                )
            if key == "metrics":
                if not isinstance(value, Mapping):
                    raise ConfigError(f"{prefix}.metrics", gettext_noop("must be an object of metric names to paths"))
                for metric, path in value.items():
                    if metric not in set(Metric):
                        raise ConfigError(
                            f"{prefix}.metrics.{metric}", gettext_noop("unknown metric; known metrics are %(known)s"),
                            known=", ".join(Metric),
                        )
                    if not isinstance(path, str) or not path.strip():
                        raise ConfigError(f"{prefix}.metrics.{metric}", gettext_noop("must be a non-empty path"))
                values["metrics"] = {str(m): p.strip() for m, p in value.items()}
            elif value is None:
                continue
            elif not isinstance(value, str):
                raise ConfigError(f"{prefix}.{key}", gettext_noop("must be a path written as text"))
            else:
                values[key] = value.strip()
        mapping = cls(**values)
        if not (mapping.title or mapping.text or mapping.html):
            raise ConfigError(prefix, gettext_noop("map at least one of title, text or html"))
        return mapping

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v}


# The mapping for payloads that already use RawEntry's own field names (webhook pushes, JSONL exports).
IDENTITY_MAPPING = FieldMapping(
    title="title", text="text", url="url", published="published", author="author", html="html",
    source_ref="id", platform="platform", metrics={m.value: f"metrics.{m.value}" for m in Metric},
)


def _as_text(value: Any, name: str) -> str:
    if value is _MISSING:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise FieldError(name, gettext_noop("expected text, got %(kind)s"), kind=type(value).__name__)


def entry_from_record(
    record: Any,
    mapping: FieldMapping,
    *,
    base_url: str = "",
    platform: str = "",
    now: datetime | None = None,
) -> RawEntry:
    """Build a RawEntry from one record; raises ``FieldError`` naming the first bad field.

    An entry needs a title or a text (text falls back to the HTML's text). A URL, if present, must be
    http(s) (relative ones are resolved against ``base_url``). ``platform`` is the source's default; when
    empty the platform is guessed from the URL.
    """
    if not isinstance(record, Mapping):
        raise FieldError("", gettext_noop("expected an object, got %(kind)s"), kind=type(record).__name__)
    title = _as_text(_lookup(record, mapping.title), "title")
    html = _as_text(_lookup(record, mapping.html), "html")
    text = _as_text(_lookup(record, mapping.text), "text") or html_to_text(html)
    if not (title or text):
        raise FieldError("text", gettext_noop("an entry needs a title or a text"))
    url = _as_text(_lookup(record, mapping.url), "url")
    if url:
        url = urljoin(base_url, url) if base_url else url
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise FieldError("url", gettext_noop("not a web address: %(value)r"), value=url)
    published = None
    raw_time = _lookup(record, mapping.published)
    if raw_time is not _MISSING:
        try:
            published = parse_time(raw_time, now=now)
        except TimeParseError as exc:
            raise FieldError("published", exc.template, **exc.params) from exc
    metrics: dict[str, int] = {}
    for metric, path in mapping.metrics.items():
        raw = _lookup(record, path)
        if raw is _MISSING:
            continue
        try:
            metrics[metric] = parse_count(raw)
        except CountError as exc:
            raise FieldError(f"metrics.{metric}", exc.template, **exc.params) from exc
    entry_platform = _as_text(_lookup(record, mapping.platform), "platform") or platform or guess_platform(url)
    return RawEntry(
        url=url,
        title=title,
        text=text,
        html=html,
        author=_as_text(_lookup(record, mapping.author), "author"),
        published=published,
        platform=entry_platform,
        metrics=metrics,
        source_ref=_as_text(_lookup(record, mapping.source_ref), "source_ref"),
    )
