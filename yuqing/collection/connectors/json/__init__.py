"""JSON API connector: fetch a JSON document and map its records with dotted paths."""

from __future__ import annotations

from datetime import datetime

from ...entries import CollectResult
from ...fetching import Fetcher, FetchOptions, Validator
from ..base import IsKnown, not_modified_result
from .config import JsonConfig
from .parse import MappedEntries, load_json, map_records

KIND = "json"
LABEL = "JSON API"
PULL = True
Config = JsonConfig

__all__ = ["KIND", "LABEL", "PULL", "Config", "JsonConfig", "MappedEntries", "collect", "load_json", "map_records"]


def collect(
    config: JsonConfig,
    fetcher: Fetcher,
    *,
    options: FetchOptions | None = None,
    validator: Validator | None = None,
    now: datetime | None = None,
    is_known: IsKnown | None = None,
) -> CollectResult:
    """Fetch the API and map its records; raises FetchError, or ParseError naming the broken path."""
    result = fetcher.fetch(config.url, options=options, validator=validator, headers=config.request_headers())
    if result.not_modified:
        return not_modified_result(result, validator)
    mapped = map_records(
        load_json(result.content, result.content_type),
        items=config.items,
        mapping=config.mapping,
        base_url=result.final_url,
        platform=config.platform,
        now=now,
        max_entries=config.max_entries,
    )
    return CollectResult(
        entries=mapped.entries, errors=mapped.errors, validator=result.validator, final_url=result.final_url
    )
