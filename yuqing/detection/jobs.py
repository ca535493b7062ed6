"""Background tasks of detection: process stored items into mentions, events and alerts."""

from __future__ import annotations

from yuqing.system.scheduler import background_task


@background_task("detection.process_items")
def process_items(organization_id: int, item_ids: list[int]) -> dict:
    from yuqing.detection.pipeline import process_items as run

    return run(organization_id, item_ids).to_dict()
