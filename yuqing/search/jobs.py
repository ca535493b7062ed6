"""The background task that indexes stored items for search."""

from __future__ import annotations

from yuqing.search.indexing import index_items
from yuqing.system.scheduler import background_task


@background_task("search.index_items")
def index_items_task(organization_id: int, item_ids: list[int]) -> int:
    return index_items(organization_id, item_ids)
